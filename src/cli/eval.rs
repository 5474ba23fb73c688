//! `costlearn eval DIR`: rebuilds the policy of a run directory and measures its true return over
//! fresh episodes; for a run with a learned cost, the cost's correlation with the true cost and,
//! with `--reopt`, the score of a fresh policy re-optimised on it (see [`crate::evaluate`]).

use crate::evaluate::{evaluate_dir, Reopt};
use crate::evaluation::{DEFAULT_EPISODES, SEED};
use anyhow::Result;
use std::path::PathBuf;

/// Arguments of `costlearn eval`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A run directory written by `costlearn train`.
    dir: PathBuf,
    /// Fresh episodes to run.
    #[arg(long, default_value_t = DEFAULT_EPISODES)]
    episodes: usize,
    /// Seed of the episodes (episode `i` starts as episode `i` of `costlearn record --seed S`).
    #[arg(long, default_value_t = SEED)]
    seed: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
    /// Also train a fresh policy from scratch on the run's learned cost and score it on the true
    /// reward, on the run's task and on a changed one.
    #[arg(long)]
    reopt: bool,
    /// PPO iterations of each re-optimisation (default: the run's own).
    #[arg(long, requires = "reopt")]
    reopt_iterations: Option<usize>,
    /// Which part of a shaped learned cost the correlations and the re-optimisation read: `task`
    /// (`g_θ`, the shaping dropped) or `full` (`g_θ + h_φ(x') − h_φ(x)`) [default: task].
    #[arg(long, value_enum, requires = "reopt")]
    cost_part: Option<PartArg>,
    /// Entropy weight α of each re-optimisation (default: the one the run's learner trained
    /// under).
    #[arg(long, requires = "reopt")]
    reopt_alpha: Option<f32>,
    /// Changed task of the re-optimisation (default: the registered variant of the run's task,
    /// `pendulum` → `pendulum-heavy`, `reacher` → `reacher-long`, `navigation` →
    /// `navigation-tall`); it must have the same spaces.
    #[arg(long, requires = "reopt")]
    changed: Option<String>,
}

/// Which part of a learned cost to judge.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum PartArg {
    /// The task's part `g_θ` of a shaped cost (the whole cost of an unshaped one).
    Task,
    /// The whole cost, shaping included.
    Full,
}

/// Rebuilds and evaluates the policy of a run directory, writes the evaluation to its
/// `eval.json` and, for a run with a learned cost, draws `cost_vs_true.svg`.
pub fn run(args: Args) -> Result<()> {
    let reopt = args.reopt.then(|| Reopt {
        iterations: args.reopt_iterations,
        alpha: args.reopt_alpha,
        full_cost: matches!(args.cost_part, Some(PartArg::Full)),
        changed: args.changed.clone(),
    });
    let evaluation = evaluate_dir(&args.dir, args.seed, args.episodes, reopt.as_ref())?;
    if args.json {
        println!("{}", serde_json::to_string(&evaluation)?);
    } else {
        println!("{}", evaluation.summary());
    }
    Ok(())
}
