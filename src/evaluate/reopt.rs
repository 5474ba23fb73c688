//! Re-optimisation: a fresh policy trained from scratch on a frozen learned cost, then scored on the
//! true reward. A cost that captures the task teaches a new learner the task, also when the dynamics
//! change (the changed tasks, e.g. `pendulum-heavy`, `reacher-long`).

use crate::progress::progress_bar;
use anyhow::{bail, Context, Result};
use costlearn_agents::cost::{Cost, RewardSource};
use costlearn_agents::nn::Device;
use costlearn_agents::ppo::{Ppo, PpoConfig};
use costlearn_envs::registry;
use std::sync::Arc;

/// The registered changed task of `env` (same spaces, other dynamics), if it has one.
pub fn default_changed(env: &str) -> Option<&'static str> {
    match env {
        "pendulum" => Some("pendulum-heavy"),
        "reacher" => Some("reacher-long"),
        "navigation" => Some("navigation-tall"),
        _ => None,
    }
}

/// Checks that a cost learned on `base` can reward a policy on `changed`: both are registered and
/// have the same observation and action spaces.
pub fn check_changed(base: &str, changed: &str) -> Result<()> {
    let spec = |name: &str| -> Result<_> { Ok(registry::lookup(name)?.make().spec().clone()) };
    let (a, b) = (spec(base)?, spec(changed)?);
    if a.observation_space != b.observation_space || a.action_space != b.action_space {
        bail!(
            "--changed {changed}: its spaces differ from those of `{base}`, so a cost learned on \
             `{base}` cannot score it"
        );
    }
    Ok(())
}

/// Trains a fresh PPO learner with settings `config` on `env`, rewarded by `cost` alone, for
/// `iterations` iterations, then returns the mean true return of its policy over `episodes`
/// episodes from `seed`.
pub fn reoptimise(
    env: &str,
    config: &PpoConfig,
    cost: Arc<dyn Cost>,
    iterations: usize,
    seed: u64,
    episodes: usize,
) -> Result<f64> {
    if iterations == 0 {
        bail!("--reopt-iterations must be at least 1");
    }
    let entry = registry::lookup(env)?;
    let mut ppo = Ppo::new(
        &entry,
        config.clone(),
        RewardSource::Cost(cost),
        Device::Cpu,
    )
    .with_context(|| format!("cannot re-optimise on `{env}`"))?;
    let bar = progress_bar(iterations);
    bar.set_message(format!("re-optimising on {env}"));
    for _ in 0..iterations {
        let metrics = ppo
            .step()
            .with_context(|| format!("re-optimisation on `{env}` failed"))?;
        bar.set_message(format!(
            "re-optimising on {env}, true return {:.1}",
            metrics.mean_return
        ));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let (mean, _) = ppo
        .evaluate(seed, episodes)
        .with_context(|| format!("cannot evaluate the re-optimised policy on `{env}`"))?;
    Ok(f64::from(mean))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variants_share_their_base_spaces_and_others_are_refused() {
        for base in ["pendulum", "reacher"] {
            check_changed(base, default_changed(base).unwrap()).unwrap();
        }
        assert_eq!(default_changed("gridworld"), None);
        let err = check_changed("pendulum", "reacher-long").unwrap_err();
        assert!(err.to_string().contains("spaces differ"), "{err}");
        assert!(check_changed("pendulum", "no-such-task").is_err());
    }
}
