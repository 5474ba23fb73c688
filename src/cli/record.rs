//! `costlearn record`: roll out a task's expert (or a uniform random policy) and save the episodes.

use crate::evaluation::anchors::AnchorFile;
use crate::methods;
use anyhow::{bail, Context, Result};
use costlearn_envs::control::expert::GaussianExpert;
use costlearn_envs::rollout::Rollout;
use costlearn_envs::{demos, registry, EnvEntry, Policy, UniformRandom};
use ndarray::ArrayView2;
use std::path::PathBuf;
use std::sync::Arc;

/// Which policy acts.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Actor {
    /// The task's scripted or planned expert.
    Expert,
    /// Uniform over the action space (the "random" anchor of normalised scores).
    Random,
}

/// Arguments of `costlearn record`.
#[derive(clap::Args)]
pub struct Args {
    /// Task to record (see `costlearn envs`).
    #[arg(long)]
    env: String,
    /// Number of episodes.
    #[arg(long, default_value_t = 64)]
    episodes: usize,
    /// Seed of the run: episode i is reproduced exactly from (seed, i).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output file; defaults to demos/<env>.npz.
    #[arg(long)]
    out: Option<PathBuf>,
    /// Policy that acts.
    #[arg(long, value_enum, default_value_t = Actor::Expert, conflicts_with = "run")]
    policy: Actor,
    /// Let the final policy of a trained run act instead (a run folder of any `costlearn train`
    /// on this task, e.g. `train rl`): demonstrations of an expert costlearn did not script.
    #[arg(long)]
    run: Option<PathBuf>,
    /// With `--run`: act with the run's deterministic action plus Gaussian noise of this standard
    /// deviation on every action dimension, as the scripted experts do, instead of sampling the
    /// run's policy at whatever spread its training left.
    #[arg(long, requires = "run")]
    action_noise: Option<f32>,
    /// Environment copies stepped in lock-step.
    #[arg(long, default_value_t = 32)]
    num_envs: usize,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    force: bool,
}

/// The run's deterministic action with `N(0, std²)` noise on every action dimension. Refuses a
/// noise that is not a positive number and a policy without a deterministic action.
fn around_mode(entry: &EnvEntry, policy: Box<dyn Policy>, std: f32) -> Result<Box<dyn Policy>> {
    if !(std.is_finite() && std > 0.0) {
        bail!("--action-noise must be a positive number, got {std}");
    }
    let mut env = entry.make();
    let spec = env.spec().clone();
    let mut obs = vec![0.0; spec.obs_dim()];
    env.reset(0, &mut obs);
    let first = ArrayView2::from_shape((1, obs.len()), &obs)?;
    if policy.mode(first).is_none() {
        bail!("--action-noise: the run's policy has no deterministic action to add noise to");
    }
    Ok(Box::new(GaussianExpert::around_mode(
        Arc::from(policy),
        vec![std; spec.act_dim()],
    )))
}

/// Records `episodes` episodes and writes them atomically to the output file.
pub fn run(args: Args) -> Result<()> {
    if args.episodes == 0 {
        bail!("--episodes must be at least 1");
    }
    if args.num_envs == 0 {
        bail!("--num-envs must be at least 1");
    }
    let entry = registry::lookup(&args.env)?;
    let out = args
        .out
        .unwrap_or_else(|| PathBuf::from(format!("demos/{}.npz", args.env)));
    if out.exists() && !args.force {
        bail!(
            "{} exists already (pass --force to overwrite)",
            out.display()
        );
    }
    let policy: Box<dyn Policy> = match (&args.run, args.policy) {
        (Some(dir), _) => {
            let rebuilt = methods::rebuild(dir)?;
            if rebuilt.env != args.env {
                bail!(
                    "--run {}: that run trained on `{}`, not on `{}`",
                    dir.display(),
                    rebuilt.env,
                    args.env
                );
            }
            match args.action_noise {
                None => rebuilt.policy,
                Some(std) => around_mode(&entry, rebuilt.policy, std)?,
            }
        }
        (None, Actor::Expert) => entry.expert()?,
        (None, Actor::Random) => {
            let space = entry.make().spec().action_space.clone();
            Box::new(UniformRandom::new(space)?)
        }
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("could not start the worker threads")?;
    let trajs = pool.install(|| {
        let mut envs = entry.make_vec(args.num_envs.min(args.episodes));
        Rollout::new(args.seed)
            .episodes(args.episodes)
            .collect(envs.as_mut(), policy.as_ref())
    })?;
    if let Some(parent) = out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    demos::save(&out, &trajs)?;
    let (mean, std) = trajs.return_stats();
    println!(
        "recorded {} episodes of {} to {} (return {mean:.3} ± {std:.3})",
        trajs.len(),
        args.env,
        out.display()
    );
    if args.run.is_some() || matches!(args.policy, Actor::Expert) {
        // The normalisation anchors of runs on these demonstrations: their own return, and a
        // uniform random policy's over the same episodes.
        match pool.install(|| AnchorFile::measure(&args.env, &trajs, args.seed)) {
            Ok(anchors) => {
                let path = anchors.write_beside(&out)?;
                println!(
                    "anchors in {}: expert {:.3}, uniform random {:.3}",
                    path.display(),
                    anchors.expert_return_mean,
                    anchors.random_return_mean
                );
            }
            Err(why) => println!("no anchors written: {why:#}"),
        }
    }
    Ok(())
}
