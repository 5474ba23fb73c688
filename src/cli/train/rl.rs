//! `costlearn train rl`: PPO on a task's true reward (see [`crate::methods::rl`]).

use super::RunArgs;
use crate::evaluation::DEFAULT_EPISODES;
use crate::methods::rl::Settings;
use crate::methods::RunOptions;
use anyhow::Result;

/// Arguments of `costlearn train rl`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Task to train on (see `costlearn envs`); it must have box actions.
    #[arg(long)]
    env: String,
    /// PPO iterations (default: the task's, 60 on pendulum and reacher, 150 on hopper, else 100).
    #[arg(long)]
    iterations: Option<usize>,
    /// Episodes of the final evaluation (0 skips it); episode `i` starts as episode `i` of
    /// `costlearn record --seed 0`, so the return compares with the shipped demos'.
    #[arg(long, default_value_t = DEFAULT_EPISODES)]
    eval_episodes: usize,
    /// Temperature α of the maximum-entropy reward `r − α log π`.
    #[arg(long, default_value_t = 0.0)]
    alpha: f32,
    /// Continue the run in `--out` from its last checkpoint, up to `--iterations` in all.
    #[arg(long, conflicts_with = "force")]
    resume: bool,
    #[command(flatten)]
    run: RunArgs,
}

impl Args {
    /// The method's settings and where the run goes.
    pub fn settings(&self) -> Result<(Settings, RunOptions)> {
        super::note_generic_ppo(&self.env);
        let mut settings = Settings::for_task(&self.env, self.run.seed);
        if let Some(iterations) = self.iterations {
            settings.iterations = iterations;
        }
        settings.eval_episodes = self.eval_episodes;
        settings.ppo = settings.ppo.alpha(self.alpha);
        Ok((settings, self.run.options(self.resume)?))
    }
}
