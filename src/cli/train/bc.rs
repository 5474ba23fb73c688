//! `costlearn train bc`: behavioral cloning of the demonstrations (see [`crate::methods::bc`]).

use super::CommonArgs;
use crate::methods::bc::Settings;
use anyhow::Result;
use std::path::PathBuf;

/// Arguments of `costlearn train bc`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Task the demonstrations come from (see `costlearn envs`) [default: the --config file's].
    #[arg(long, required_unless_present = "config")]
    env: Option<String>,
    /// Demonstration file (`.npz`, e.g. from `costlearn record`) [default: the --config file's].
    #[arg(long, required_unless_present = "config")]
    demos: Option<PathBuf>,
    /// Train on the first N episodes of the file (default: all of them).
    #[arg(long)]
    num_demos: Option<usize>,
    /// Number of epochs (fewer when early stopping ends training sooner) [default: 200].
    #[arg(long)]
    epochs: Option<usize>,
    /// Fraction of the episodes held out, in [0, 1). Their likelihood stops training early only when
    /// they are at least 10 episodes; with fewer, every episode is trained on for all the epochs,
    /// and the held-out likelihood is that of a twin trained without them [default: 0.2].
    #[arg(long)]
    holdout: Option<f32>,
    /// Episodes of the final evaluation [default: 64].
    #[arg(long)]
    eval_episodes: Option<usize>,
    #[command(flatten)]
    pub common: CommonArgs,
}

impl Args {
    /// The method's settings: the defaults, the --config file, the flags, then --set.
    pub fn settings(&self) -> Result<Settings> {
        let given = &self.common.settings;
        let env: String = given.from_flag_or_file(self.env.clone(), "env")?;
        let demos: PathBuf = given.from_flag_or_file(self.demos.clone(), "demos")?;
        let seed = self.common.run.seed;
        given.resolve(Settings::new(&env, &demos, seed.unwrap_or(0)), |s| {
            (s.env, s.demos) = (env.clone(), demos.clone());
            if let Some(seed) = seed {
                s.reseed(seed);
            }
            if self.num_demos.is_some() {
                s.num_demos = self.num_demos;
            }
            if let Some(episodes) = self.eval_episodes {
                s.eval_episodes = episodes;
            }
            if let Some(epochs) = self.epochs {
                s.bc = s.bc.clone().epochs(epochs);
            }
            if let Some(holdout) = self.holdout {
                s.bc = s.bc.clone().holdout(holdout);
            }
            Ok(())
        })
    }
}
