//! `costlearn train bc`: behavioral cloning of the demonstrations (see [`crate::methods::bc`]).

use super::RunArgs;
use crate::evaluation::DEFAULT_EPISODES;
use crate::methods::bc::{Settings, DEFAULT_EPOCHS};
use crate::methods::RunOptions;
use anyhow::Result;
use std::path::PathBuf;

/// Arguments of `costlearn train bc`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Task the demonstrations come from (see `costlearn envs`).
    #[arg(long)]
    env: String,
    /// Demonstration file (`.npz`, e.g. from `costlearn record`).
    #[arg(long)]
    demos: PathBuf,
    /// Train on the first N episodes of the file (default: all of them).
    #[arg(long)]
    num_demos: Option<usize>,
    /// Number of epochs (fewer when early stopping ends training sooner).
    #[arg(long, default_value_t = DEFAULT_EPOCHS)]
    epochs: usize,
    /// Fraction of the episodes held out, in [0, 1). Their likelihood stops training early only when
    /// they are at least 10 episodes; with fewer, every episode is trained on for all the epochs,
    /// and the held-out likelihood is that of a twin trained without them.
    #[arg(long, default_value_t = 0.2)]
    holdout: f32,
    /// Episodes of the final evaluation.
    #[arg(long, default_value_t = DEFAULT_EPISODES)]
    eval_episodes: usize,
    #[command(flatten)]
    run: RunArgs,
}

impl Args {
    /// The method's settings and where the run goes.
    pub fn settings(&self) -> Result<(Settings, RunOptions)> {
        let mut settings = Settings::new(&self.env, &self.demos, self.run.seed);
        settings.num_demos = self.num_demos;
        settings.eval_episodes = self.eval_episodes;
        settings.bc = settings.bc.epochs(self.epochs).holdout(self.holdout);
        Ok((settings, self.run.options(false)?))
    }
}
