//! `costlearn train gcl`: guided cost learning (GAN form) from recorded demonstrations: a learned
//! cost `c_θ` and a maximum-entropy policy trained on it.

use super::maxent_irl;
use super::rl::WEIGHTS_FILE;
use super::{checkpoint, Progress, RunArgs};
use crate::commands::eval::Evaluation;
use crate::interrupt::{self, Interrupted};
use crate::plot::{Chart, Series};
use crate::run_dir::{CsvRow, MetricsLog, RunDir};
use anyhow::{bail, Context, Result};
use costlearn_agents::fusion::Fusion;
use costlearn_agents::gcl::{
    CostInput, GclLearner, GclMetrics, Generator, Granularity, LearnerConfig,
};
use costlearn_agents::nn::Activation;
use costlearn_envs::{demos, registry, EnvEntry};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

/// Name of the learned cost's weights file (cost network and `log Z`).
pub const COST_FILE: &str = "cost.safetensors";
/// Seed of the evaluation episodes: the seed of the shipped demonstrations.
const EVAL_SEED: u64 = 0;

/// Granularity of the discriminator.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Mode {
    /// One logit per trajectory (the paper's).
    Traj,
    /// One logit per segment of `--segment-len` steps (1: `transition`, the horizon: `traj`).
    Segment,
    /// One logit per transition (lower variance).
    Transition,
}

/// What the cost network of a continuous task reads.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum CostInputArg {
    /// `c_θ(x, u)`.
    StateAction,
    /// `c_θ(x)`: a cost of the state alone.
    State,
    /// `g_θ(x) + k_θ(u)`: a cost of the state plus a cost of the action, with no coupling term.
    Separable,
}

/// Nonlinearity of a network's hidden layers.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ActivationArg {
    /// `max(x, 0)`.
    Relu,
    /// `tanh(x)`: bounded, so the cost levels off far from the data.
    Tanh,
}

/// Density that scores samples and demonstrations.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum FusionArg {
    /// Count-weighted mixture of the kept policy snapshots (the paper's).
    Mixture,
    /// Each sample under the snapshot that drew it.
    Own,
    /// Everything under the latest snapshot.
    Latest,
}

/// Arguments of `costlearn train gcl`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Task to train on (see `costlearn envs`): a continuous task (PPO generator) or a tabular one
    /// (exact soft value iteration generator, cost over the state features).
    #[arg(long)]
    pub env: String,
    /// Demonstrations of that task (`.npz`, e.g. `demos/pendulum.npz`).
    #[arg(long)]
    pub demos: PathBuf,
    /// Discriminator granularity [default: the library's, `transition`].
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// Steps per segment with `--mode segment` (at least 1; the horizon or more is `traj`).
    #[arg(long, required_if_eq("mode", "segment"))]
    pub segment_len: Option<usize>,
    /// What the cost of a continuous task reads [default: `state`] (a tabular task's cost reads
    /// its state features).
    #[arg(long, value_enum)]
    pub cost_input: Option<CostInputArg>,
    /// Nonlinearity of the cost network's hidden layers [default: `relu`].
    #[arg(long, value_enum)]
    pub cost_activation: Option<ActivationArg>,
    /// The shaped form `f = g_θ + h_φ(x') − h_φ(x)` (AIRL): a potential `h_φ` over the state is
    /// learned with the cost, and `eval --reopt` re-optimises on `g_θ` alone [default: true].
    #[arg(long, action = clap::ArgAction::Set)]
    pub shaping: Option<bool>,
    /// Entropy weight α of the generator's objective `E_q[c_θ] + α·E_q[log q]` [default: 0.1 on
    /// continuous tasks, 1 (the paper's) on tabular ones].
    #[arg(long)]
    pub alpha: Option<f32>,
    /// Discriminator steps per iteration [default: 10].
    #[arg(long)]
    pub disc_steps: Option<usize>,
    /// Policy snapshots (and their samples) kept in the fusion buffer [default: 5].
    #[arg(long)]
    pub fusion_snapshots: Option<usize>,
    /// Epochs of behavioral cloning on the demonstrations that warm-start the PPO policy before
    /// the first iteration [default: 0, none].
    #[arg(long)]
    pub warm_start: Option<usize>,
    /// Density of samples and demonstrations under the kept policies [default: `mixture`].
    #[arg(long, value_enum)]
    pub fusion: Option<FusionArg>,
    /// Use only the first N demonstrations (default: all).
    #[arg(long)]
    pub num_demos: Option<usize>,
    /// GCL iterations (one policy step and one discriminator round each).
    #[arg(long, default_value_t = 60)]
    pub iterations: usize,
    /// Episodes of the final evaluation (0 skips it), on the shipped demos' start states.
    #[arg(long, default_value_t = 64)]
    pub eval_episodes: usize,
    /// Continue the run in `--out` from its last checkpoint, up to `--iterations` in all
    /// (continuous tasks; a tabular run takes seconds and keeps no checkpoint).
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,
    #[command(flatten)]
    pub run: RunArgs,
}

/// What `config.json` holds.
#[derive(Serialize)]
struct RunConfig<'a> {
    command: &'static str,
    env: &'a str,
    demos: String,
    num_demos: usize,
    iterations: usize,
    device: String,
    threads: Option<usize>,
    learner: &'a LearnerConfig,
}

/// One line of `metrics.csv`.
struct Row {
    metrics: GclMetrics,
    wall_s: f64,
}

impl CsvRow for Row {
    fn header() -> Vec<&'static str> {
        vec![
            "iteration",
            "env_steps",
            "wall_s",
            "true_return",
            "disc_loss",
            "log_z",
            "log_z_is",
            "ess",
            "mean_cost",
            "mean_log_prob",
            "demo_accuracy",
            "sample_accuracy",
            "logit_gap",
            "logit_spread",
        ]
    }

    fn cells(&self) -> Vec<String> {
        let m = &self.metrics;
        vec![
            m.iteration.to_string(),
            m.env_steps.to_string(),
            format!("{:.3}", self.wall_s),
            m.true_return.to_string(),
            m.disc_loss.to_string(),
            m.log_z.to_string(),
            m.log_z_is.to_string(),
            m.ess.to_string(),
            m.mean_cost.to_string(),
            m.mean_log_prob.to_string(),
            m.demo_accuracy.to_string(),
            m.sample_accuracy.to_string(),
            m.logit_gap.to_string(),
            m.logit_spread.to_string(),
        ]
    }
}

/// Trains, writing `config.json`, `metrics.csv`, `weights.safetensors` (policy),
/// `cost.safetensors` (learned cost), `learning_curve.svg` and `eval.json`.
pub fn run(args: Args) -> Result<()> {
    train(args, &Progress::terminal())
}

/// The library's defaults for the task ([`LearnerConfig::for_task`]) with the flags given.
fn learner_config(args: &Args, entry: &EnvEntry, tabular: bool) -> Result<LearnerConfig> {
    let mut config = LearnerConfig::for_task(entry, args.run.seed);
    let gcl = &mut config.gcl;
    match (args.mode, args.segment_len) {
        (Some(Mode::Segment), Some(0)) => bail!("--segment-len must be at least 1"),
        (Some(Mode::Segment), Some(len)) => gcl.granularity = Granularity::Segment { len },
        (_, Some(_)) => bail!("--segment-len needs --mode segment"),
        (Some(Mode::Segment), None) => bail!("--mode segment needs --segment-len"),
        (Some(Mode::Traj), None) => gcl.granularity = Granularity::Traj,
        (Some(Mode::Transition), None) => gcl.granularity = Granularity::Transition,
        (None, None) => {}
    }
    if let Some(input) = args.cost_input {
        if tabular {
            bail!("--cost-input: the cost of a tabular task reads its state features");
        }
        gcl.cost = gcl.cost.clone().input(match input {
            CostInputArg::StateAction => CostInput::StateAction,
            CostInputArg::State => CostInput::State,
            CostInputArg::Separable => CostInput::Separable,
        });
    }
    if let Some(activation) = args.cost_activation {
        gcl.cost = gcl.cost.clone().activation(match activation {
            ActivationArg::Relu => Activation::Relu,
            ActivationArg::Tanh => Activation::Tanh,
        });
    }
    if let Some(on) = args.shaping {
        gcl.cost = gcl.cost.clone().shaped(on);
    }
    if let Some(alpha) = args.alpha {
        gcl.alpha = alpha;
    }
    if let Some(k) = args.disc_steps {
        gcl.disc_steps = k;
    }
    if let Some(fusion) = args.fusion {
        gcl.fusion = match fusion {
            FusionArg::Mixture => Fusion::Mixture,
            FusionArg::Own => Fusion::Own,
            FusionArg::Latest => Fusion::Latest,
        };
    }
    if let Some(k) = args.fusion_snapshots {
        config.fusion_snapshots = k;
    }
    if let Some(epochs) = args.warm_start {
        config.warm_start_epochs = epochs;
    }
    Ok(config)
}

/// [`run`], reporting to `progress`.
pub fn train(args: Args, progress: &Progress) -> Result<()> {
    let entry = registry::lookup(&args.env)?;
    if args.iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    let spec = entry.make_vec(1).spec().clone();
    let all = demos::load_for(&args.demos, &spec)?;
    let num_demos = args.num_demos.unwrap_or(all.len());
    if num_demos == 0 || num_demos > all.len() {
        bail!(
            "--num-demos {num_demos}: {} holds {} demonstrations",
            args.demos.display(),
            all.len()
        );
    }
    let demo_set = all.first(num_demos);
    let device = args.run.device()?;
    let tabular = entry.make().tabular().is_some();
    let config = learner_config(&args, &entry, tabular)?;
    let pool = args.run.thread_pool()?;
    // Training stays on one pool thread from start to end (CUDA handles cannot move).
    pool.install(|| {
        let mut gcl = GclLearner::new(&entry, config.clone(), demo_set, device)
            .with_context(|| format!("cannot train on `{}`", args.env))?;
        let run_config = RunConfig {
            command: "train gcl",
            env: &args.env,
            demos: args.demos.display().to_string(),
            num_demos,
            iterations: args.iterations,
            device: device.to_string(),
            threads: args.run.threads,
            learner: &config,
        };
        if args.resume && tabular {
            bail!("--resume: a tabular run takes seconds and keeps no checkpoint; run it again");
        }
        let (run, mut log) = checkpoint::start::<Row>(
            &args.run,
            args.resume,
            &run_config,
            args.iterations,
            |saved| {
                gcl.resume(saved)?;
                Ok(gcl.iteration())
            },
        )?;
        let (weights, cost) = (run.file(WEIGHTS_FILE), run.file(COST_FILE));
        let bar = progress.bar(args.iterations);
        bar.set_position(gcl.iteration() as u64);
        // A resumed run's clock goes on from where the last one stopped.
        let earlier_s = log.table().column("wall_s").last().copied().unwrap_or(0.0);
        let start = Instant::now();
        let outcome = (gcl.iteration()..args.iterations).try_for_each(|i| -> Result<()> {
            let metrics = gcl.step()?;
            gcl.generator().save(&weights)?;
            gcl.save_cost(&cost)?;
            bar.set_message(format!("return {:.1}", metrics.true_return));
            bar.inc(1);
            log.append(Row {
                metrics,
                wall_s: earlier_s + start.elapsed().as_secs_f64(),
            })?;
            if !tabular {
                checkpoint::save(&run, |dir| Ok(gcl.save_checkpoint(dir)?))?;
            }
            if interrupt::requested() && i + 1 < args.iterations {
                return Err(Interrupted { iteration: i + 1 }.into());
            }
            Ok(())
        });
        bar.finish_and_clear();
        if !log.rows().is_empty() {
            write_curve(&run, &args.env, &log)?;
        }
        if let Err(err) = outcome {
            if err.is::<Interrupted>() {
                return Err(err);
            }
            return Err(err.context(format!(
                "training stopped; the last good weights are in {}",
                run.path().display()
            )));
        }
        let last = &log.rows()[log.rows().len() - 1];
        progress.summary(format_args!(
            "GCL on {} for {} iterations ({} env steps, {:.1} s): true return {:.2}; run in {}",
            args.env,
            last.metrics.iteration,
            last.metrics.env_steps,
            last.wall_s,
            last.metrics.true_return,
            run.path().display()
        ));
        if args.eval_episodes > 0 {
            let (mean, std) = gcl
                .generator_mut()
                .evaluate(EVAL_SEED, args.eval_episodes)?;
            let mut evaluation = Evaluation::new(
                &args.env,
                args.eval_episodes,
                EVAL_SEED,
                f64::from(mean),
                Some(f64::from(std)),
            )?;
            if let Generator::Tabular(t) = gcl.generator() {
                let truth = maxent_irl::true_state_cost(t.mdp());
                evaluation.set_cost_quality(t.state_cost().as_slice().unwrap_or(&[]), &truth);
            }
            evaluation.write(&run)?;
            progress.summary(evaluation.summary());
        }
        Ok(())
    })
}

fn write_curve(run: &RunDir, env: &str, log: &MetricsLog<Row>) -> Result<()> {
    let table = log.table();
    let points = table
        .column("env_steps")
        .into_iter()
        .zip(table.column("true_return"))
        .collect();
    let title = format!("GCL on {env}: true return");
    super::write_curve(
        run,
        &Chart {
            title: &title,
            x_label: "environment steps",
            y_label: "mean true return per episode",
        },
        &[Series {
            name: "GCL policy".into(),
            points,
        }],
    )
}
