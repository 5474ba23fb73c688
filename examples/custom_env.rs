//! Bring your own task, through the library: a 1-D double integrator with a quadratic cost
//! (`examples/task/double_integrator.rs`, nothing but costlearn's public API), registered by name,
//! rolled out in parallel by its expert, and saved as a demonstration file that `costlearn
//! inspect` (or numpy) reads. Then both imitation learners train
//! on those demonstrations: behavioral cloning, and guided cost learning (a learned cost and a
//! maximum-entropy policy trained on it); each is scored on the true reward next to the expert and
//! a uniform-random policy. (The `custom_cli` example gives the same task every `costlearn` verb.)
//!
//! ```text
//! cargo run --release --example custom_env -- /tmp/double_integrator.npz
//! cargo run --release -- inspect /tmp/double_integrator.npz
//! ```

#[path = "task/double_integrator.rs"]
mod double_integrator;

use anyhow::Result;
use costlearn_agents::prelude::*;
use std::path::{Path, PathBuf};

/// Registers the task, records `episodes` expert episodes on 16 parallel copies and saves them to
/// `out`. Returns the mean return.
pub fn record_demos(out: &Path, episodes: usize) -> Result<f32> {
    double_integrator::register();
    let entry = registry::lookup(double_integrator::NAME)?;
    let expert = entry.expert()?;
    let mut envs = entry.make_vec(16);
    let demos = Rollout::new(7)
        .episodes(episodes)
        .collect(envs.as_mut(), expert.as_ref())?;
    demos::save(out, &demos)?;
    Ok(demos.return_stats().0)
}

/// Seed of the evaluation episodes: fresh start states, none of them a demonstration's.
const EVAL_SEED: u64 = 1000;
/// Episodes of each evaluation.
const EVAL_EPISODES: usize = 64;

/// Mean true return of `policy` over the evaluation episodes of the registered task.
fn mean_return(policy: &dyn Policy) -> Result<f32> {
    let mut envs = registry::lookup(double_integrator::NAME)?.make_vec(16);
    let trajs = Rollout::new(EVAL_SEED)
        .episodes(EVAL_EPISODES)
        .collect(envs.as_mut(), policy)?;
    Ok(trajs.return_stats().0)
}

/// Mean true returns over the same fresh episodes.
#[derive(Debug)]
pub struct Scores {
    /// The expert that recorded the demonstrations.
    pub expert: f32,
    /// Uniform actions over the action box.
    pub random: f32,
    /// Behavioral cloning.
    pub bc: f32,
    /// The policy of guided cost learning.
    pub gcl: f32,
}

/// Trains behavioral cloning and `gcl_iterations` of guided cost learning on `demos` of the
/// registered task, and scores both, the expert and a uniform-random policy on the true reward.
pub fn imitate(demos: &Trajectories, gcl_iterations: usize) -> Result<Scores> {
    let entry = registry::lookup(double_integrator::NAME)?;
    let spec = entry.make().spec().clone();

    // Behavioral cloning: maximum likelihood of the demonstrated actions.
    let bc = BcConfig::new().seed(1).train(demos)?.policy.snapshot();

    // Guided cost learning: the same learner, with the same defaults, as `costlearn train gcl` (a
    // shaped state-only cost, a per-transition discriminator and the fused sampling density).
    let config = LearnerConfig::for_task(&entry, 1);
    let mut gcl = GclLearner::new(&entry, config, demos.clone(), Device::Cpu)?;
    for _ in 0..gcl_iterations {
        gcl.step()?;
    }

    Ok(Scores {
        expert: mean_return(entry.expert()?.as_ref())?,
        random: mean_return(&UniformRandom::new(spec.action_space)?)?,
        bc: mean_return(&bc)?,
        gcl: gcl.generator_mut().evaluate(EVAL_SEED, EVAL_EPISODES)?.0,
    })
}

fn main() -> Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("double_integrator.npz"));
    let mean = record_demos(&out, 32)?;
    println!(
        "saved 32 expert episodes to {} (mean return {mean:.3})",
        out.display()
    );
    let scores = imitate(&demos::load(&out)?, 40)?;
    println!(
        "true return over {EVAL_EPISODES} fresh episodes: expert {:.3}, random {:.3}, \
         behavioral cloning {:.3}, guided cost learning {:.3}",
        scores.expert, scores.random, scores.bc, scores.gcl
    );
    Ok(())
}
