//! `costlearn train <method>`: every training command turns its flags into a method's settings
//! and trains it into a run directory (see [`crate::methods`] and [`crate::run_dir`]).

pub mod bc;
pub mod ebm;
pub mod gcl;
pub mod maxent_irl;
pub mod rl;

use crate::methods::{Method, RunOptions};
use crate::progress::Progress;
use crate::settings;
use anyhow::{bail, Context, Result};
use costlearn_agents::nn::Device;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::path::PathBuf;

/// Arguments of `costlearn train`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    method: MethodArgs,
}

/// The training methods.
#[derive(clap::Subcommand)]
enum MethodArgs {
    /// Reinforcement learning (PPO) on the task's true reward.
    Rl(rl::Args),
    /// Behavioral cloning: maximum likelihood of the demonstrated actions.
    Bc(bc::Args),
    /// Exact maximum-entropy IRL of a linear cost on a tabular task.
    MaxentIrl(maxent_irl::Args),
    /// Guided cost learning (GAN form) from demonstrations: a learned cost and its policy.
    Gcl(gcl::Args),
    /// An energy-based model of a file of points, learned against a Gaussian mixture generator
    /// (the paper's §4); on 2-D points, checked against quadrature.
    Ebm(ebm::Args),
}

/// Runs the chosen method.
pub fn run(args: Args) -> Result<()> {
    match args.method {
        MethodArgs::Rl(args) => {
            let settings = args.settings()?;
            train::<crate::methods::rl::Rl>(&settings, &args.common, args.resume)
        }
        MethodArgs::Bc(args) => {
            let settings = args.settings()?;
            train::<crate::methods::bc::Bc>(&settings, &args.common, false)
        }
        MethodArgs::MaxentIrl(args) => {
            let settings = args.settings()?;
            train::<crate::methods::maxent_irl::MaxEnt>(&settings, &args.common, false)
        }
        MethodArgs::Gcl(args) => {
            let settings = args.settings()?;
            train::<crate::methods::gcl::Gcl>(&settings, &args.common, args.resume)
        }
        MethodArgs::Ebm(args) => {
            let settings = args.settings()?;
            if args.common.settings.print_config {
                print!("{}", settings::to_toml(&settings)?);
                return Ok(());
            }
            if args.common.run.device != "cpu" {
                bail!(
                    "train ebm runs on the CPU; --device {} is not supported",
                    args.common.run.device
                );
            }
            let out = args
                .common
                .run
                .out
                .as_deref()
                .context("--out is required")?;
            crate::ebm::train(&settings, out, args.common.run.force, &Progress::terminal())
                .map(drop)
        }
    }
}

/// Prints the resolved settings of `M` with `--print-config`, or trains it with a progress bar on
/// stderr and summary lines on stdout (Ctrl-C stops a method that keeps checkpoints after the
/// iteration in flight).
fn train<M: Method>(settings: &M::Settings, common: &CommonArgs, resume: bool) -> Result<()>
where
    M::Settings: Serialize,
{
    if common.settings.print_config {
        print!("{}", settings::to_toml(settings)?);
        return Ok(());
    }
    let run = common.run.options(resume)?;
    if matches!(M::NAME, "rl" | "gcl") {
        crate::interrupt::install()?;
    }
    M::train(settings, &run, &Progress::terminal())
}

/// What every training command takes besides its method's own flags.
#[derive(clap::Args, Debug)]
pub struct CommonArgs {
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(flatten)]
    pub run: RunArgs,
}

/// Every setting of a method, from a file and from assignments to its leaves.
#[derive(clap::Args, Debug)]
pub struct SettingsArgs {
    /// Settings file overlaid on the task's defaults: TOML as `--print-config` writes it, or JSON;
    /// a run's `config.json` reproduces that run. The other flags and `--set` apply after it.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Set any setting by its key path, e.g. `--set learner.gcl.alpha=0.1` or
    /// `--set learner.gcl.cost.hidden=[128,128]` (repeatable; applied last). `--print-config`
    /// lists the keys.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Print the resolved settings (TOML) and exit without training.
    #[arg(long)]
    pub print_config: bool,
}

impl SettingsArgs {
    /// `flag`, or the value of `key` in the `--config` file.
    pub fn from_flag_or_file<T: DeserializeOwned>(&self, flag: Option<T>, key: &str) -> Result<T> {
        if let Some(value) = flag {
            return Ok(value);
        }
        let Some(path) = &self.config else {
            bail!(
                "--{} is needed (or a --config file that sets `{key}`)",
                key.replace('_', "-")
            );
        };
        let tree = settings::read_file(path)?;
        let value = tree.get(key).cloned().with_context(|| {
            format!("--{key} is needed: {} does not set `{key}`", path.display())
        })?;
        settings::from_tree(value).with_context(|| format!("{}: `{key}`", path.display()))
    }

    /// `defaults` overlaid by the `--config` file, then changed by `flags`, then by every `--set`.
    pub fn resolve<S: Serialize + DeserializeOwned>(
        &self,
        defaults: S,
        flags: impl FnOnce(&mut S) -> Result<()>,
    ) -> Result<S> {
        let mut tree = settings::tree_of(&defaults)?;
        if let Some(path) = &self.config {
            let file = settings::read_file(path)?;
            settings::overlay(&mut tree, &file, "")
                .with_context(|| format!("--config {}", path.display()))?;
        }
        let mut resolved: S = settings::from_tree(tree)?;
        flags(&mut resolved)?;
        let mut tree = settings::tree_of(&resolved)?;
        for assignment in &self.set {
            settings::assign(&mut tree, assignment)?;
        }
        settings::from_tree(tree)
    }
}

/// Says so when PPO has no settings tuned for `env` and takes the generic ones.
fn note_generic_ppo(env: &str) {
    if costlearn_agents::ppo::PpoConfig::tuned_for(env).is_none() {
        println!(
            "PPO has no settings tuned for `{env}`: the generic defaults (PpoConfig::default)"
        );
    }
}

/// Options shared by every training command.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Output directory of the run (config, metrics, weights, plots).
    #[arg(long, required_unless_present = "print_config")]
    pub out: Option<PathBuf>,
    /// Write into a non-empty output directory, replacing its files.
    #[arg(long)]
    pub force: bool,
    /// Seed of the run: the same seed gives the same result whatever the thread count [default:
    /// the --config file's, else 0].
    #[arg(long)]
    pub seed: Option<u64>,
    /// Training device: `cpu`, `cuda` or `cuda:N` (CUDA needs a build with the `cuda` feature).
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
}

impl RunArgs {
    /// Where the run goes, `resume` telling whether it continues from its checkpoint.
    pub fn options(&self, resume: bool) -> Result<RunOptions> {
        let Some(out) = &self.out else {
            bail!("--out is needed");
        };
        Ok(RunOptions {
            out: out.clone(),
            force: self.force,
            resume,
            device: self.device.parse::<Device>()?,
            threads: self.threads,
        })
    }
}
