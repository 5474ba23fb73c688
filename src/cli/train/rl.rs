//! `costlearn train rl`: PPO on a task's true reward (see [`crate::methods::rl`]).

use super::CommonArgs;
use crate::methods::rl::Settings;
use anyhow::Result;

/// Arguments of `costlearn train rl`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Task to train on (see `costlearn envs`); it must have box actions [default: the --config
    /// file's].
    #[arg(long, required_unless_present = "config")]
    env: Option<String>,
    /// PPO iterations [default: the task's, 60 on pendulum and reacher, 150 on hopper, else 100].
    #[arg(long)]
    iterations: Option<usize>,
    /// Episodes of the final evaluation (0 skips it); episode `i` starts as episode `i` of
    /// `costlearn record --seed 0`, so the return compares with the shipped demos' [default: 64].
    #[arg(long)]
    eval_episodes: Option<usize>,
    /// Temperature α of the maximum-entropy reward `r − α log π` [default: 0].
    #[arg(long)]
    alpha: Option<f32>,
    /// Continue the run in `--out` from its last checkpoint, up to `--iterations` in all.
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

impl Args {
    /// The method's settings: the task's defaults, the --config file, the flags, then --set.
    pub fn settings(&self) -> Result<Settings> {
        let given = &self.common.settings;
        let env: String = given.from_flag_or_file(self.env.clone(), "env")?;
        super::note_generic_ppo(&env);
        let seed = self.common.run.seed;
        given.resolve(Settings::for_task(&env, seed.unwrap_or(0)), |s| {
            s.env = env.clone();
            if let Some(seed) = seed {
                s.reseed(seed);
            }
            if let Some(iterations) = self.iterations {
                s.iterations = iterations;
            }
            if let Some(episodes) = self.eval_episodes {
                s.eval_episodes = episodes;
            }
            if let Some(alpha) = self.alpha {
                s.ppo.alpha = alpha;
            }
            Ok(())
        })
    }
}
