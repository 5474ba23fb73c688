//! Judging a run folder written by any method: its policy rebuilt and scored on the true return
//! over fresh episodes (see [`crate::evaluation`]); for a run with a learned cost, the cost's
//! correlation with the true cost (drawn in `cost_vs_true.svg`) and, when asked, the score of a
//! fresh policy re-optimised on it, on the same task and on a changed one.
//!
//! Written once over [`Method`](crate::methods::Method): the run's `config.json` names its method,
//! and [`evaluate_dir`] rebuilds the policy and the cost through that method's seam.

pub mod held_out;
mod judge;
pub mod reopt;

use crate::evaluation::Evaluation;
use crate::methods;
use crate::run_dir::RunDir;
use anyhow::{bail, Result};
use std::path::Path;

/// What a re-optimisation on a run's learned cost asks for.
#[derive(Clone, Debug, Default)]
pub struct Reopt {
    /// PPO iterations of each re-optimisation (default: the run's own).
    pub iterations: Option<usize>,
    /// Entropy weight of each re-optimisation (default: the run's own).
    pub alpha: Option<f32>,
    /// Re-optimise on the whole of a shaped cost instead of its task part.
    pub full_cost: bool,
    /// Changed task (default: the registered variant of the run's task).
    pub changed: Option<String>,
}

/// Evaluates the run in `dir` (and re-optimises on its learned cost when `reopt` is given), writes
/// the evaluation to its `eval.json` and, for a run with a learned cost, draws `cost_vs_true.svg`.
pub fn evaluate_dir(
    dir: &Path,
    seed: u64,
    episodes: usize,
    reopt: Option<&Reopt>,
) -> Result<Evaluation> {
    let run = RunDir::open(dir)?;
    let evaluation = evaluate_run(&run, seed, episodes, reopt)?;
    evaluation.write(&run)?;
    Ok(evaluation)
}

/// Judges the rebuilt run in `run`: its policy's return, and its learned cost if it has one.
fn evaluate_run(
    run: &RunDir,
    seed: u64,
    episodes: usize,
    reopt: Option<&Reopt>,
) -> Result<Evaluation> {
    let rebuilt = methods::rebuild(run.path())?;
    let policy = rebuilt.policy.as_ref();
    let mut evaluation = Evaluation::of_policy(
        &rebuilt.env,
        rebuilt.demos.as_deref(),
        policy,
        seed,
        episodes,
    )?;
    match rebuilt.cost {
        Some(cost) => judge::judge_cost(run, cost, policy, &mut evaluation, reopt)?,
        None if reopt.is_some() => bail!(
            "--reopt needs a learned cost, and {} was written by `train {}`, which learns none",
            run.path().display(),
            rebuilt.method
        ),
        None => {}
    }
    Ok(evaluation)
}
