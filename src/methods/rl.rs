//! `costlearn train rl`: PPO on a task's true reward, the reference an IRL policy is compared to.

use super::{checkpoint, Method, RunCost, RunOptions};
use crate::evaluation::{self, Evaluation};
use crate::interrupt::{self, Interrupted};
use crate::plot::{Chart, Series};
use crate::progress::Progress;
use crate::run_dir::{CsvRow, MetricsLog, RunDir};
use anyhow::{bail, Context, Result};
use costlearn_agents::cost::RewardSource;
use costlearn_agents::nn::Device;
use costlearn_agents::ppo::{Ppo, PpoConfig, PpoMetrics};
use costlearn_envs::registry;
use costlearn_envs::Policy;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::time::Instant;

/// Name of the weights file (policy, value function and normalisers).
pub const WEIGHTS_FILE: &str = "weights.safetensors";
/// Seed of the evaluation episodes: the seed of the shipped demonstrations.
const EVAL_SEED: u64 = 0;

/// Settings of one `train rl` run.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Task to train on; it must have box actions.
    pub env: String,
    /// PPO iterations.
    pub iterations: usize,
    /// Episodes of the final evaluation (0 skips it); episode `i` starts as episode `i` of
    /// `costlearn record --seed 0`, so the return compares with the shipped demos'.
    pub eval_episodes: usize,
    /// The learner's settings (seed and entropy weight included).
    pub ppo: PpoConfig,
}

impl Settings {
    /// The task's defaults ([`PpoConfig::for_task`], [`default_iterations`]) with `seed`.
    pub fn for_task(env: &str, seed: u64) -> Self {
        Self {
            env: env.to_string(),
            iterations: default_iterations(env),
            eval_episodes: evaluation::DEFAULT_EPISODES,
            ppo: PpoConfig::for_task(env).seed(seed),
        }
    }

    /// The same settings with every seed set to `seed`.
    pub fn reseed(&mut self, seed: u64) {
        self.ppo.seed = seed;
    }
}

/// PPO on the task's true reward.
pub struct Rl;

/// Iterations by default. With `PpoConfig::for_task`, seeds 0–2, the final policy's return over
/// the 64 demo start states is −156.3, −156.9, −149.4 on `pendulum` (expert −156.4) and −5.5, −6.0,
/// −6.4 on `reacher` (expert −7.1); with seed 0, 335.2 ± 152.3 on `hopper` (uniform random 50.6).
pub fn default_iterations(env: &str) -> usize {
    match env {
        "pendulum" => 60,
        "reacher" => 60,
        "hopper" => 150,
        _ => 100,
    }
}

/// What `config.json` holds.
#[derive(Serialize)]
struct RunConfig<'a> {
    command: &'static str,
    env: &'a str,
    iterations: usize,
    device: String,
    threads: Option<usize>,
    ppo: &'a PpoConfig,
    settings: &'a Settings,
}

/// One line of `metrics.csv`.
struct Row {
    metrics: PpoMetrics,
    wall_s: f64,
}

impl CsvRow for Row {
    fn header() -> Vec<&'static str> {
        vec![
            "iteration",
            "env_steps",
            "wall_s",
            "mean_return",
            "mean_cost",
            "mean_log_prob",
            "policy_loss",
            "value_loss",
            "entropy",
            "approx_kl",
            "clip_fraction",
        ]
    }

    fn cells(&self) -> Vec<String> {
        let m = &self.metrics;
        vec![
            m.iteration.to_string(),
            m.env_steps.to_string(),
            format!("{:.3}", self.wall_s),
            m.mean_return.to_string(),
            m.mean_cost.map(|c| c.to_string()).unwrap_or_default(),
            m.mean_log_prob.to_string(),
            m.policy_loss.to_string(),
            m.value_loss.to_string(),
            m.entropy.to_string(),
            m.approx_kl.to_string(),
            m.clip_fraction.to_string(),
        ]
    }
}

/// Trains, writing `config.json`, `metrics.csv` (one row per iteration), `weights.safetensors`
/// (after every iteration, so it always holds the last good weights) and `learning_curve.svg`,
/// then evaluates the final policy into `eval.json`.
fn train_rl(settings: &Settings, options: &RunOptions, progress: &Progress) -> Result<()> {
    let entry = registry::lookup(&settings.env)?;
    let iterations = settings.iterations;
    if iterations == 0 {
        bail!("--iterations must be at least 1");
    }
    let device = options.device;
    let config = &settings.ppo;
    let pool = options.thread_pool()?;
    // Training stays on one pool thread from start to end (CUDA handles cannot move).
    pool.install(|| {
        let mut ppo = Ppo::new(&entry, config.clone(), RewardSource::Env, device)
            .with_context(|| format!("cannot train on `{}`", settings.env))?;
        let run_config = RunConfig {
            command: "train rl",
            env: &settings.env,
            iterations,
            device: device.to_string(),
            threads: options.threads,
            ppo: config,
            settings,
        };
        let (run, mut log) = checkpoint::start::<Row>(options, &run_config, iterations, |saved| {
            ppo.resume(saved)?;
            Ok(ppo.iteration())
        })?;
        let weights = run.file(WEIGHTS_FILE);
        let bar = progress.bar(iterations);
        bar.set_position(ppo.iteration() as u64);
        // A resumed run's clock goes on from where the last one stopped.
        let earlier_s = log.table().column("wall_s").last().copied().unwrap_or(0.0);
        let start = Instant::now();
        let mut schedule = checkpoint::Schedule::new();
        let outcome = (ppo.iteration()..iterations).try_for_each(|i| -> Result<()> {
            let metrics = ppo.step()?;
            ppo.save(&weights)?;
            bar.set_message(format!("return {:.1}", metrics.mean_return));
            bar.inc(1);
            log.append(Row {
                metrics,
                wall_s: earlier_s + start.elapsed().as_secs_f64(),
            })?;
            if schedule.due(i + 1 == iterations) {
                checkpoint::save(&run, |dir| Ok(ppo.save_checkpoint(dir)?))?;
            }
            if interrupt::requested() && i + 1 < iterations {
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
            // A failed iteration rolled the learner back: keep its last good weights.
            ppo.save(&weights)?;
            return Err(err.context(format!(
                "training stopped; the last good weights are in {}",
                weights.display()
            )));
        }
        let last = &log.rows()[log.rows().len() - 1];
        progress.summary(format_args!(
            "trained {} for {} iterations ({} env steps, {:.1} s): mean return {:.2}; run in {}",
            settings.env,
            last.metrics.iteration,
            last.metrics.env_steps,
            last.wall_s,
            last.metrics.mean_return,
            run.path().display()
        ));
        if settings.eval_episodes > 0 {
            let (mean, std) = ppo.evaluate(EVAL_SEED, settings.eval_episodes)?;
            let evaluation = Evaluation::new(
                &settings.env,
                None,
                settings.eval_episodes,
                EVAL_SEED,
                f64::from(mean),
                Some(f64::from(std)),
            )?;
            evaluation.write(&run)?;
            progress.summary(evaluation.summary());
        }
        Ok(())
    })
}

/// The parts of a `train rl` run's `config.json` that rebuild its policy.
#[derive(Debug, Deserialize)]
pub struct SavedConfig {
    /// The task.
    pub env: String,
    /// The PPO settings (network shapes).
    pub ppo: PpoConfig,
}

impl Method for Rl {
    const NAME: &'static str = "rl";
    type Settings = Settings;
    type Saved = SavedConfig;

    fn train(settings: &Settings, run: &RunOptions, progress: &Progress) -> Result<()> {
        train_rl(settings, run, progress)
    }

    fn env(saved: &SavedConfig) -> &str {
        &saved.env
    }

    fn demos(_: &SavedConfig) -> Option<&Path> {
        None
    }

    fn policy(dir: &Path, saved: &SavedConfig) -> Result<Box<dyn Policy>> {
        load_policy(dir, saved)
    }

    fn cost(_: &Path, _: &SavedConfig) -> Result<Option<RunCost>> {
        Ok(None)
    }
}

/// Rebuilds the final policy of a run directory whose policy is stored as a `train rl` run's is
/// (on the CPU).
pub fn load_policy(dir: &Path, config: &SavedConfig) -> Result<Box<dyn Policy>> {
    let entry = registry::lookup(&config.env)?;
    let mut ppo = Ppo::new(&entry, config.ppo.clone(), RewardSource::Env, Device::Cpu)
        .with_context(|| format!("cannot rebuild the learner of `{}`", config.env))?;
    let weights = dir.join(WEIGHTS_FILE);
    ppo.load(&weights)
        .with_context(|| format!("cannot load {}", weights.display()))?;
    Ok(Box::new(ppo.snapshot()))
}

fn write_curve(run: &RunDir, env: &str, log: &MetricsLog<Row>) -> Result<()> {
    let table = log.table();
    let points = table
        .column("env_steps")
        .into_iter()
        .zip(table.column("mean_return"))
        .collect();
    let title = format!("PPO on {env}: true return");
    super::write_curve(
        run,
        &Chart {
            title: &title,
            x_label: "environment steps",
            y_label: "mean return per episode",
            log_x: false,
        },
        &[Series::new("PPO", points)],
    )
}
