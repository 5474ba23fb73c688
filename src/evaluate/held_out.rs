//! Held-out steps `(x_t, u_t, r_t)` on which a learned cost `c_θ(x, u)` is compared with the true
//! cost `−r_t`: demonstrations not used for training, and fresh episodes of a uniform random policy
//! and of the run's own policy, so that the steps cover good and bad behaviour.

use anyhow::{Context, Result};
use costlearn_agents::cost::Cost;
use costlearn_envs::Trajectories;

/// The learned and true costs of every step of one source of episodes.
#[derive(Clone, Debug)]
pub struct Group {
    /// Where the episodes come from, e.g. `held-out demos`.
    pub name: String,
    /// `c_θ(x_t, u_t)` of each step.
    pub learned: Vec<f64>,
    /// `−r_t` of each step.
    pub truth: Vec<f64>,
}

impl Group {
    /// Scores every step of `trajs` with `cost`. Errors if the cost does not fit the episodes.
    pub fn score(name: &str, cost: &dyn Cost, trajs: &Trajectories) -> Result<Self> {
        let learned = cost
            .episode_costs(trajs.obs.view(), trajs.acts.view())
            .with_context(|| format!("cannot score the {name} with the learned cost"))?;
        Ok(Self {
            name: name.to_string(),
            learned: learned.iter().map(|&c| f64::from(c)).collect(),
            truth: trajs.rews.iter().map(|&r| -f64::from(r)).collect(),
        })
    }
}

/// Every step of every group, concatenated: `(learned, truth)`.
pub fn pooled(groups: &[Group]) -> (Vec<f64>, Vec<f64>) {
    let learned = groups.iter().flat_map(|g| g.learned.iter().copied());
    let truth = groups.iter().flat_map(|g| g.truth.iter().copied());
    (learned.collect(), truth.collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::correlation::{pearson, spearman};
    use costlearn_agents::cost::FnCost;
    use costlearn_envs::rollout::Rollout;
    use costlearn_envs::{registry, UniformRandom};

    /// On held-out steps of pendulum, the cost `−r(x, u)` written from the task's reward has
    /// correlation 1 with the true cost, and a cost that ignores the state has almost none.
    #[test]
    fn the_true_cost_correlates_perfectly_on_held_out_steps() {
        let entry = registry::lookup("pendulum").unwrap();
        let mut envs = entry.make_vec(4);
        let random = UniformRandom::new(envs.spec().action_space.clone()).unwrap();
        let trajs = Rollout::new(3)
            .episodes(4)
            .collect(envs.as_mut(), &random)
            .unwrap();
        // Pendulum-v1's cost θ² + 0.1 θ̇² + 0.001 u², θ from (cos θ, sin θ).
        let truth = FnCost::new(3, 1, |x, u| {
            let th = x[1].atan2(x[0]);
            let u = u[0].clamp(-2.0, 2.0);
            th * th + 0.1 * x[2] * x[2] + 0.001 * u * u
        });
        let torque_only = FnCost::new(3, 1, |_, u| u[0] * u[0]);
        let group = Group::score("random episodes", &truth, &trajs).unwrap();
        assert_eq!(group.learned.len(), 4 * 200);
        let (learned, true_cost) = pooled(&[group]);
        assert!(pearson(&learned, &true_cost).unwrap() > 1.0 - 1e-4);
        assert!(spearman(&learned, &true_cost).unwrap() > 1.0 - 1e-4);
        let other = Group::score("random episodes", &torque_only, &trajs).unwrap();
        assert!(pearson(&other.learned, &other.truth).unwrap().abs() < 0.3);
    }
}
