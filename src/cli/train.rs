//! `costlearn train <method>`: every training command turns its flags into a method's settings
//! and trains it into a run directory (see [`crate::methods`] and [`crate::run_dir`]).

pub mod bc;
pub mod gcl;
pub mod maxent_irl;
pub mod rl;

use crate::methods::{Method, RunOptions};
use crate::progress::Progress;
use anyhow::Result;
use costlearn_agents::nn::Device;
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
}

/// Runs the chosen method.
pub fn run(args: Args) -> Result<()> {
    match args.method {
        MethodArgs::Rl(args) => {
            crate::interrupt::install()?;
            let (settings, run) = args.settings()?;
            train::<crate::methods::rl::Rl>(&settings, &run)
        }
        MethodArgs::Bc(args) => {
            let (settings, run) = args.settings()?;
            train::<crate::methods::bc::Bc>(&settings, &run)
        }
        MethodArgs::MaxentIrl(args) => {
            let (settings, run) = args.settings()?;
            train::<crate::methods::maxent_irl::MaxEnt>(&settings, &run)
        }
        MethodArgs::Gcl(args) => {
            crate::interrupt::install()?;
            let (settings, run) = args.settings()?;
            train::<crate::methods::gcl::Gcl>(&settings, &run)
        }
    }
}

/// Trains `M` with a progress bar on stderr and summary lines on stdout.
fn train<M: Method>(settings: &M::Settings, run: &RunOptions) -> Result<()> {
    M::train(settings, run, &Progress::terminal())
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
    #[arg(long)]
    pub out: PathBuf,
    /// Write into a non-empty output directory, replacing its files.
    #[arg(long)]
    pub force: bool,
    /// Seed of the run: the same seed gives the same result whatever the thread count.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
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
        Ok(RunOptions {
            out: self.out.clone(),
            force: self.force,
            resume,
            device: self.device.parse::<Device>()?,
            threads: self.threads,
        })
    }
}
