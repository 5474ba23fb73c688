//! `costlearn train gcl`: guided cost learning (GAN form) from recorded demonstrations: a learned
//! cost `c_θ` and a maximum-entropy policy trained on it.

use super::rl::{self, WEIGHTS_FILE};
use super::{checkpoint, demonstrations, maxent_irl, Method, NetworkCost, RunCost, RunOptions};
use crate::evaluation::{self, Evaluation};
use crate::interrupt::{self, Interrupted};
use crate::plot::{Chart, Series};
use crate::progress::Progress;
use crate::run_dir::{CsvRow, MetricsLog, RunDir};
use anyhow::{bail, Context, Result};
use costlearn_agents::gcl::{
    GclLearner, GclMetrics, Generator, LearnedCost, LearnerConfig, TabularGenerator,
};
use costlearn_envs::{registry, Policy};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// Name of the learned cost's weights file (cost network and `log Z`).
pub const COST_FILE: &str = "cost.safetensors";
/// Seed of the evaluation episodes: the seed of the shipped demonstrations.
const EVAL_SEED: u64 = 0;

/// Settings of one `train gcl` run.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Task to train on: a continuous task (PPO generator) or a tabular one (exact soft value
    /// iteration generator, cost over the state features).
    pub env: String,
    /// Demonstrations of that task (`.npz`).
    pub demos: PathBuf,
    /// Train on the first N demonstrations (`None`: all).
    pub num_demos: Option<usize>,
    /// GCL iterations (one policy step and one discriminator round each).
    pub iterations: usize,
    /// Episodes of the final evaluation (0 skips it), on the shipped demos' start states.
    pub eval_episodes: usize,
    /// The learner's settings ([`LearnerConfig::for_task`] by default).
    pub learner: LearnerConfig,
}

impl Settings {
    /// The library's defaults for `env` ([`LearnerConfig::for_task`]) on the first `num_demos`
    /// demonstrations in `demos` (`None`: all), with `seed`, [`default_iterations`] and a
    /// 64-episode evaluation.
    pub fn for_task(
        env: &str,
        demos: impl Into<PathBuf>,
        num_demos: Option<usize>,
        seed: u64,
    ) -> Result<Self> {
        let entry = registry::lookup(env)?;
        Ok(Self {
            env: env.to_string(),
            demos: demos.into(),
            num_demos,
            iterations: default_iterations(env, num_demos),
            eval_episodes: evaluation::DEFAULT_EPISODES,
            learner: LearnerConfig::for_task(&entry, seed),
        })
    }

    /// The same settings with every seed set to `seed` (the learner's, its policy's and its
    /// tabular generator's).
    pub fn reseed(&mut self, seed: u64) {
        self.learner.seed = seed;
        self.learner.ppo.seed = seed;
        self.learner.tabular.seed = seed;
    }
}

/// Iterations of a run by default (see [`default_iterations`]).
pub const DEFAULT_ITERATIONS: usize = 60;

/// Iterations of a run on `env` with `num_demos` demonstrations (`None`: all) by default: 60;
/// 150 on `cartpole`, whose swing-up the policy learns later (with 16 demonstrations its GCL policy
/// scores 0.07 ± 0.11 after 60 iterations and 0.78 ± 0.20 after 150, seeds 0–2, the standard and
/// ablation suites); 150 on `navigation`, whose policy is still on its way round the wall after 60
/// (0.72 / 0.66 / 0.69 with 1 / 4 / 16 demonstrations), and 100 there with one demonstration, whose
/// cost pins the path down too loosely for more (0.88 / 0.95 / 0.98 after 100 iterations,
/// 0.86 / 1.02 / 1.02 after 150, seeds 0–2, `docs/learned-cost.md`).
///
/// The count is the one asked for (`--num-demos`), not the file's: a file of one episode read
/// whole (`None`) takes the many-demonstration default.
pub fn default_iterations(env: &str, num_demos: Option<usize>) -> usize {
    match (env, num_demos) {
        ("cartpole", _) => 150,
        ("navigation", Some(1)) => 100,
        ("navigation", _) => 150,
        _ => DEFAULT_ITERATIONS,
    }
}

/// Guided cost learning (GAN form): a learned cost and a maximum-entropy policy trained on it.
pub struct Gcl;

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
    settings: &'a Settings,
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
fn train_gcl(settings: &Settings, options: &RunOptions, progress: &Progress) -> Result<()> {
    let entry = registry::lookup(&settings.env)?;
    if settings.iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    let demo_set =
        demonstrations::load(&settings.env, &settings.demos, settings.num_demos, progress)?;
    let num_demos = demo_set.len();
    let device = options.device;
    let tabular = entry.make().tabular().is_some();
    let config = &settings.learner;
    let pool = options.thread_pool()?;
    // Training stays on one pool thread from start to end (CUDA handles cannot move).
    pool.install(|| {
        let mut gcl = GclLearner::new(&entry, config.clone(), demo_set, device)
            .with_context(|| format!("cannot train on `{}`", settings.env))?;
        let run_config = RunConfig {
            command: "train gcl",
            env: &settings.env,
            demos: settings.demos.display().to_string(),
            num_demos,
            iterations: settings.iterations,
            device: device.to_string(),
            threads: options.threads,
            learner: config,
            settings,
        };
        if options.resume && tabular {
            bail!("--resume: a tabular run takes seconds and keeps no checkpoint; run it again");
        }
        let (run, mut log) =
            checkpoint::start::<Row>(options, &run_config, settings.iterations, |saved| {
                gcl.resume(saved)?;
                Ok(gcl.iteration())
            })?;
        let (weights, cost) = (run.file(WEIGHTS_FILE), run.file(COST_FILE));
        let bar = progress.bar(settings.iterations);
        bar.set_position(gcl.iteration() as u64);
        // A resumed run's clock goes on from where the last one stopped.
        let earlier_s = log.table().column("wall_s").last().copied().unwrap_or(0.0);
        let start = Instant::now();
        let mut schedule = checkpoint::Schedule::new();
        let outcome = (gcl.iteration()..settings.iterations).try_for_each(|i| -> Result<()> {
            let metrics = gcl.step()?;
            gcl.generator().save(&weights)?;
            gcl.save_cost(&cost)?;
            bar.set_message(format!("return {:.1}", metrics.true_return));
            bar.inc(1);
            log.append(Row {
                metrics,
                wall_s: earlier_s + start.elapsed().as_secs_f64(),
            })?;
            if !tabular && schedule.due(i + 1 == settings.iterations) {
                checkpoint::save(&run, |dir| Ok(gcl.save_checkpoint(dir)?))?;
            }
            if interrupt::requested() && i + 1 < settings.iterations {
                return Err(Interrupted { iteration: i + 1 }.into());
            }
            Ok(())
        });
        bar.finish_and_clear();
        if !log.rows().is_empty() {
            write_curve(&run, &settings.env, &log)?;
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
            settings.env,
            last.metrics.iteration,
            last.metrics.env_steps,
            last.wall_s,
            last.metrics.true_return,
            run.path().display()
        ));
        if settings.eval_episodes > 0 {
            let (mean, std) = gcl
                .generator_mut()
                .evaluate(EVAL_SEED, settings.eval_episodes)?;
            let mut evaluation = Evaluation::new(
                &settings.env,
                Some(&settings.demos),
                settings.eval_episodes,
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

/// The parts of a `train gcl` run's `config.json` that rebuild its policy (stored as a `train rl`
/// run's is, or the exact generator's table on a tabular task) and its learned cost.
#[derive(Debug, Deserialize)]
pub struct SavedConfig {
    /// The task.
    pub env: String,
    /// The demonstration file.
    pub demos: PathBuf,
    /// Demonstrations trained on (the first ones of the file).
    pub num_demos: usize,
    /// Iterations run.
    pub iterations: usize,
    /// The learner's settings.
    pub learner: LearnerConfig,
}

impl Method for Gcl {
    const NAME: &'static str = "gcl";
    type Settings = Settings;
    type Saved = SavedConfig;

    fn train(settings: &Settings, run: &RunOptions, progress: &Progress) -> Result<()> {
        train_gcl(settings, run, progress)
    }

    fn env(saved: &SavedConfig) -> &str {
        &saved.env
    }

    fn demos(saved: &SavedConfig) -> Option<&Path> {
        Some(&saved.demos)
    }

    fn policy(dir: &Path, saved: &SavedConfig) -> Result<Box<dyn Policy>> {
        if let Some(generator) = tabular_generator(dir, saved)? {
            return Ok(Box::new(generator.policy().clone()));
        }
        let rebuild = rl::SavedConfig {
            env: saved.env.clone(),
            ppo: saved.learner.ppo.clone(),
        };
        rl::load_policy(dir, &rebuild)
    }

    fn cost(dir: &Path, saved: &SavedConfig) -> Result<Option<RunCost>> {
        if let Some(generator) = tabular_generator(dir, saved)? {
            return Ok(Some(RunCost::States {
                mdp: generator.mdp().clone(),
                state_cost: generator.state_cost().to_vec(),
            }));
        }
        let spec = registry::lookup(&saved.env)?.make().spec().clone();
        let path = dir.join(COST_FILE);
        let cost = LearnedCost::load(&saved.learner.gcl, spec.obs_dim(), spec.act_dim(), &path)
            .with_context(|| format!("cannot load the learned cost {}", path.display()))?;
        // A fresh policy with the run's own settings and the entropy weight its generator
        // trained under.
        let mut ppo = saved.learner.ppo.clone();
        ppo.alpha = saved.learner.gcl.alpha;
        Ok(Some(RunCost::Network(Box::new(NetworkCost {
            cost,
            demos: saved.demos.clone(),
            num_demos: saved.num_demos,
            ppo,
            iterations: saved.iterations,
        }))))
    }
}

/// The exact MaxEnt generator of a run on a tabular task (its policy table and learned state
/// cost); `None` on a continuous task.
fn tabular_generator(dir: &Path, saved: &SavedConfig) -> Result<Option<TabularGenerator>> {
    let entry = registry::lookup(&saved.env)?;
    let Some(mdp) = entry.make().tabular().cloned() else {
        return Ok(None);
    };
    let mut generator = TabularGenerator::new(
        &entry,
        Arc::new(mdp),
        saved.learner.tabular.clone(),
        f64::from(saved.learner.gcl.alpha),
    )?;
    let path = dir.join(WEIGHTS_FILE);
    generator
        .load(&path)
        .with_context(|| format!("cannot load {}", path.display()))?;
    Ok(Some(generator))
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
            log_x: false,
        },
        &[Series::new("GCL policy", points)],
    )
}
