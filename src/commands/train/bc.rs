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

use super::{Progress, RunArgs};
use crate::commands::eval::{self, Evaluation};
use crate::plot::{Chart, Series};
use crate::run_dir::{CsvRow, RunDir};
use anyhow::{bail, Context, Result};
use costlearn_agents::bc::{BcConfig, BcPolicy, EpochStats, Standardizer};
use costlearn_agents::nn::Device;
use costlearn_agents::policy::TrainablePolicy;
use costlearn_envs::{demos, registry, Policy};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Name of the policy network's weights file.
pub const WEIGHTS_FILE: &str = "weights.safetensors";

/// Arguments of `costlearn train bc`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Task the demonstrations come from (see `costlearn envs`).
    #[arg(long)]
    pub env: String,
    /// Demonstration file (`.npz`, e.g. from `costlearn record`).
    #[arg(long)]
    pub demos: PathBuf,
    /// Train on the first N episodes of the file (default: all of them).
    #[arg(long)]
    pub num_demos: Option<usize>,
    /// Number of epochs (fewer when early stopping ends training sooner).
    #[arg(long, default_value_t = 200)]
    pub epochs: usize,
    /// Fraction of the episodes held out, in [0, 1). Their likelihood stops training early only when
    /// they are at least 10 episodes; with fewer, every episode is trained on for all the epochs,
    /// and the held-out likelihood is that of a twin trained without them.
    #[arg(long, default_value_t = 0.2)]
    pub holdout: f32,
    /// Episodes of the final evaluation.
    #[arg(long, default_value_t = eval::DEFAULT_EPISODES)]
    pub eval_episodes: usize,
    #[command(flatten)]
    pub run: RunArgs,
}

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
pub fn run(args: Args) -> Result<()> {
    train(args, &Progress::terminal())
}

/// [`run`], reporting to `progress`.
pub fn train(args: Args, progress: &Progress) -> Result<()> {
    RunDir::check(&args.run.out, args.run.force)?;
    let entry = registry::lookup(&args.env)?;
    let spec = entry.make().spec().clone();
    // The error names the file and the problem.
    let all = demos::load_for(&args.demos, &spec)?;
    let num_demos = args.num_demos.unwrap_or(all.len());
    if num_demos == 0 || num_demos > all.len() {
        bail!(
            "--num-demos must be between 1 and {} (the episodes in {})",
            all.len(),
            args.demos.display()
        );
    }
    let demos = all.first(num_demos);
    let device = args.run.device()?;
    let config = BcConfig::new()
        .epochs(args.epochs)
        .holdout(args.holdout)
        .seed(args.run.seed)
        .device(device);
    config.validate()?;
    let pool = args.run.thread_pool()?;
    let trained = pool.install(|| config.train(&demos))?;
    let run = RunDir::create(&args.run.out, args.run.force)?;
    let best_epoch = trained.best_epoch;
    let (net, standardizer) = trained.policy.into_parts();
    net.params().save(run.file(WEIGHTS_FILE))?;
    let mut log = run.metrics::<Row>();
    for stats in &trained.history {
        log.append(Row(*stats))?;
    }
    write_curve(&run, &args.env, &trained.history)?;
    let run_config = RunConfig {
        command: "train bc".into(),
        method: "bc".into(),
        env: args.env.clone(),
        demos: args.demos.clone(),
        num_demos,
        threads: args.run.threads,
        bc: config,
        standardizer,
        best_epoch,
        weights: WEIGHTS_FILE.into(),
    };
    run.write_config(&run_config)?;
    if let Some(reason) = &trained.diverged {
        bail!(
            "{reason}; the parameters of epoch {best_epoch} are kept in {}",
            run.path().display()
        );
    }
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
        args.env,
        trained.history.len(),
        run.path().display()
    ));
    let policy = load_policy(run.path(), &run_config)?;
    let evaluation =
        Evaluation::of_policy(&args.env, policy.as_ref(), eval::SEED, args.eval_episodes)?;
    evaluation.write(&run)?;
    progress.summary(evaluation.summary());
    Ok(())
}

/// Rebuilds the cloned policy of a `train bc` run directory (on the CPU).
pub fn load_policy(dir: &Path, config: &RunConfig) -> Result<Box<dyn Policy>> {
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
    let mut series = vec![Series {
        name: "train".into(),
        points: history.iter().map(|s| (epoch(s), s.train_nll)).collect(),
    }];
    let heldout: Vec<(f64, f64)> = history
        .iter()
        .filter_map(|s| s.heldout_nll.map(|v| (epoch(s), v)))
        .collect();
    if !heldout.is_empty() {
        series.push(Series {
            name: "held out".into(),
            points: heldout,
        });
    }
    let title = format!("Behavioral cloning on {env}");
    super::write_curve(
        run,
        &Chart {
            title: &title,
            x_label: "epoch",
            y_label: "negative log-likelihood per step",
        },
        &series,
    )
}
