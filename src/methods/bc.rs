//! `costlearn train bc`: behavioral cloning of the demonstrations, the baseline every inverse-RL
//! result is compared against.
//!
//! The policy is an MLP (Gaussian for box actions, categorical for discrete ones; on the tabular
//! tasks it sees `[row, col, t]`). With at least
//! [`MIN_HELDOUT_EPISODES`](costlearn_agents::bc::MIN_HELDOUT_EPISODES) held-out episodes their
//! likelihood stops training early; with fewer (every run of 1 to 47 demonstrations at the default
//! `--holdout 0.2`) the policy is trained on every episode for `--epochs` epochs, and the held-out
//! column of `metrics.csv` comes from a twin trained without them (see
//! [`costlearn_agents::bc`]).

use super::{demonstrations, Method, RunCost, RunOptions};
use crate::evaluation::{self, Evaluation};
use crate::plot::{Chart, Series};
use crate::progress::Progress;
use crate::run_dir::{csv_text, CsvRow, RunDir, METRICS_FILE};
use anyhow::{bail, Context, Result};
use costlearn_agents::bc::{BcConfig, BcPolicy, EpochStats, Standardizer};
use costlearn_agents::nn::Device;
use costlearn_agents::policy::TrainablePolicy;
use costlearn_envs::{registry, Policy};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Name of the policy network's weights file.
pub const WEIGHTS_FILE: &str = "weights.safetensors";

/// Settings of one `train bc` run.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Task the demonstrations come from.
    pub env: String,
    /// Demonstration file (`.npz`).
    pub demos: PathBuf,
    /// Train on the first N episodes of the file (`None`: all of them).
    pub num_demos: Option<usize>,
    /// Episodes of the final evaluation.
    pub eval_episodes: usize,
    /// Behavioral cloning's settings (epochs, held-out fraction, network, seed); the device is
    /// the run's.
    pub bc: BcConfig,
}

impl Settings {
    /// The defaults ([`BcConfig::new`], [`DEFAULT_EPOCHS`] epochs) with `seed`.
    pub fn new(env: &str, demos: impl Into<PathBuf>, seed: u64) -> Self {
        Self {
            env: env.to_string(),
            demos: demos.into(),
            num_demos: None,
            eval_episodes: evaluation::DEFAULT_EPISODES,
            bc: BcConfig::new().epochs(DEFAULT_EPOCHS).seed(seed),
        }
    }

    /// The same settings with every seed set to `seed`.
    pub fn reseed(&mut self, seed: u64) {
        self.bc = self.bc.clone().seed(seed);
    }
}

/// Epochs of a run by default (fewer when early stopping ends training sooner).
pub const DEFAULT_EPOCHS: usize = 200;

/// Behavioral cloning: maximum likelihood of the demonstrated actions.
pub struct Bc;

/// What `config.json` holds: everything [`load_policy`] needs to rebuild the policy.
#[derive(Debug, Serialize, Deserialize)]
pub struct RunConfig {
    /// `train bc`.
    pub command: String,
    /// `bc`.
    pub method: String,
    /// The task.
    pub env: String,
    /// The demonstration file.
    pub demos: PathBuf,
    /// Episodes trained on (train and held-out together).
    pub num_demos: usize,
    /// Threads of the run.
    pub threads: Option<usize>,
    /// The settings of behavioral cloning (network shape, seed, device, ...).
    pub bc: BcConfig,
    /// The observation standardiser the network sits behind.
    pub standardizer: Standardizer,
    /// The epoch whose parameters were kept (0: the initial ones): the last one unless training
    /// stopped early.
    pub best_epoch: usize,
    /// The weights file, relative to the run directory.
    pub weights: String,
    /// The settings the run was trained with (absent in runs of earlier versions).
    #[serde(default)]
    pub settings: Option<Settings>,
}

/// One line of `metrics.csv`.
struct Row(EpochStats);

impl CsvRow for Row {
    fn header() -> Vec<&'static str> {
        vec!["epoch", "train_nll", "heldout_nll"]
    }

    fn cells(&self) -> Vec<String> {
        vec![
            self.0.epoch.to_string(),
            self.0.train_nll.to_string(),
            self.0
                .heldout_nll
                .map(|v| v.to_string())
                .unwrap_or_default(),
        ]
    }
}

/// Trains, then writes `config.json`, `metrics.csv` (one row per epoch), `weights.safetensors`,
/// `learning_curve.svg` and `eval.json`. Bad input fails before the output directory is touched.
fn train_bc(settings: &Settings, options: &RunOptions, progress: &Progress) -> Result<()> {
    RunDir::check(&options.out, options.force)?;
    let demos = demonstrations::load(&settings.env, &settings.demos, settings.num_demos, progress)?;
    let num_demos = demos.len();
    let config = settings.bc.clone().device(options.device);
    config.validate()?;
    let pool = options.thread_pool()?;
    // Training stays on one pool thread from start to end (CUDA handles cannot move).
    pool.install(|| {
        let trained = config.train(&demos)?;
        let run = RunDir::create(&options.out, options.force)?;
        let best_epoch = trained.best_epoch;
        let (net, standardizer) = trained.policy.into_parts();
        net.params().save(run.file(WEIGHTS_FILE))?;
        // The header even with no row: a run that diverged in its first epoch still has its table.
        let rows: Vec<Row> = trained.history.iter().map(|s| Row(*s)).collect();
        run.write(METRICS_FILE, csv_text(&rows).as_bytes())?;
        let run_config = RunConfig {
            command: "train bc".into(),
            method: "bc".into(),
            env: settings.env.clone(),
            demos: settings.demos.clone(),
            num_demos,
            threads: options.threads,
            bc: config,
            standardizer,
            best_epoch,
            weights: WEIGHTS_FILE.into(),
            settings: Some(settings.clone()),
        };
        run.write_config(&run_config)?;
        if let Some(reason) = &trained.diverged {
            // The run folder holds its config, the metrics up to the divergence and the kept weights.
            bail!(
                "{reason}; the parameters of epoch {best_epoch} are kept in {}, with its config.json \
                 and metrics.csv",
                run.path().display()
            );
        }
        write_curve(&run, &settings.env, &trained.history)?;
        let how = if trained.early_stopping {
            format!(
                "early stopping on {} held-out episodes kept epoch {best_epoch}",
                trained.split.heldout.len()
            )
        } else {
            format!("trained on all {num_demos}")
        };
        progress.summary(format_args!(
            "cloned {num_demos} episodes of {} for {} epochs ({how}); run in {}",
            settings.env,
            trained.history.len(),
            run.path().display()
        ));
        let policy = load_policy(run.path(), &run_config)?;
        let evaluation = Evaluation::of_policy(
            &settings.env,
            Some(&settings.demos),
            policy.as_ref(),
            evaluation::SEED,
            settings.eval_episodes,
        )?;
        evaluation.write(&run)?;
        progress.summary(evaluation.summary());
        Ok(())
    })
}

impl Method for Bc {
    const NAME: &'static str = "bc";
    type Settings = Settings;
    type Saved = RunConfig;

    fn train(settings: &Settings, run: &RunOptions, progress: &Progress) -> Result<()> {
        train_bc(settings, run, progress)
    }

    fn env(saved: &RunConfig) -> &str {
        &saved.env
    }

    fn demos(saved: &RunConfig) -> Option<&Path> {
        Some(&saved.demos)
    }

    fn policy(dir: &Path, saved: &RunConfig) -> Result<Box<dyn Policy>> {
        load_policy(dir, saved)
    }

    fn cost(_: &Path, _: &RunConfig) -> Result<Option<RunCost>> {
        Ok(None)
    }
}

/// Rebuilds the cloned policy of a `train bc` run directory (on the CPU).
fn load_policy(dir: &Path, config: &RunConfig) -> Result<Box<dyn Policy>> {
    let entry = registry::lookup(&config.env)?;
    let spec = entry.make().spec().clone();
    let bc = config.bc.clone().device(Device::Cpu);
    let mut net = bc.default_net(spec.obs_dim(), &spec.action_space)?;
    let weights = dir.join(&config.weights);
    net.params_mut()
        .load(&weights)
        .with_context(|| format!("cannot load {}", weights.display()))?;
    Ok(Box::new(
        BcPolicy::new(net, config.standardizer.clone()).snapshot(),
    ))
}

fn write_curve(run: &RunDir, env: &str, history: &[EpochStats]) -> Result<()> {
    let epoch = |s: &EpochStats| s.epoch as f64;
    let mut series = vec![Series::new(
        "train",
        history.iter().map(|s| (epoch(s), s.train_nll)).collect(),
    )];
    let heldout: Vec<(f64, f64)> = history
        .iter()
        .filter_map(|s| s.heldout_nll.map(|v| (epoch(s), v)))
        .collect();
    if !heldout.is_empty() {
        series.push(Series::new("held out", heldout));
    }
    let title = format!("Behavioral cloning on {env}");
    super::write_curve(
        run,
        &Chart {
            title: &title,
            x_label: "epoch",
            y_label: "negative log-likelihood per step",
            log_x: false,
        },
        &series,
    )
}
