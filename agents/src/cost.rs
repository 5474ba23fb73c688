//! Per-step costs `c(x, u)` and where an RL learner takes its rewards from.
//!
//! A [`Cost`] scores a batch of `(x, u)` pairs. A cost learned by inverse RL and a hand-written one
//! (for example the negated true reward of a task) plug into reinforcement learning the same way,
//! through a [`RewardSource`]:
//!
//! - [`RewardSource::Env`]: the reward the environment reports, `r_t = r_env(x_t, u_t)`;
//! - [`RewardSource::Cost`]: the negated cost, `r_t = −c(x_t, u_t)`.
//!
//! The maximum-entropy learner adds `−α log π(u_t | x_t)` to either (see [`crate::ppo`]).
//!
//! The true cost of recorded steps is `−reward` ([`true_costs`]); a learned cost agrees with it in
//! scale only by coincidence.

use crate::nn::{NnError, Result};
use costlearn_envs::Trajectories;
use ndarray::{s, Array1, Array2, ArrayView1, ArrayView2, ArrayView3, Axis};
use std::fmt;
use std::sync::Arc;

/// A batched per-step cost `c(x, u)`: `[N, obs_dim] × [N, act_dim] → [N]`.
///
/// `Send + Sync`, so one cost serves every worker thread. Implementations return an error (never
/// panic) on batches of the wrong shape.
pub trait Cost: Send + Sync {
    /// Floats per observation.
    fn obs_dim(&self) -> usize;

    /// Floats per action.
    fn act_dim(&self) -> usize;

    /// `c(x_i, u_i)` for each row `i`.
    fn cost(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Result<Array1<f32>>;

    /// The cost of every step of whole episodes of a fixed horizon `T`, `[N, T]`, from their
    /// observations `obs` `[N, T + 1, obs_dim]` (or `[N, T, obs_dim]`) and actions `acts`
    /// `[N, T, act_dim]`.
    ///
    /// The default scores each step `(x_t, u_t)` with [`Cost::cost`]; a cost that reads more of
    /// the episode than one step (a shaped cost reads the next state) overrides it.
    fn episode_costs(
        &self,
        obs: ArrayView3<'_, f32>,
        acts: ArrayView3<'_, f32>,
    ) -> Result<Array2<f32>> {
        let (n, t, ad) = acts.dim();
        let od = obs.len_of(Axis(2));
        if obs.len_of(Axis(0)) != n || !(obs.len_of(Axis(1)) == t || obs.len_of(Axis(1)) == t + 1) {
            return Err(NnError::ShapeMismatch {
                op: "episode observations",
                left: (obs.len_of(Axis(0)), obs.len_of(Axis(1))),
                right: (n, t + 1),
            });
        }
        let steps = obs
            .slice(s![.., ..t, ..])
            .to_shape((n * t, od))
            .map_err(|e| NnError::Backend(e.to_string()))?
            .to_owned();
        let acts = acts
            .to_shape((n * t, ad))
            .map_err(|e| NnError::Backend(e.to_string()))?
            .to_owned();
        let c = self.cost(steps.view(), acts.view())?;
        c.into_shape_with_order((n, t))
            .map_err(|e| NnError::Backend(e.to_string()))
    }
}

/// Checks that `obs` and `acts` are `[N, obs_dim]` and `[N, act_dim]` with the same `N`.
pub fn check_cost_batch(
    cost: &dyn Cost,
    obs: ArrayView2<'_, f32>,
    acts: ArrayView2<'_, f32>,
) -> Result<()> {
    if obs.ncols() != cost.obs_dim() {
        return Err(NnError::ShapeMismatch {
            op: "cost observations",
            left: obs.dim(),
            right: (obs.nrows(), cost.obs_dim()),
        });
    }
    if acts.ncols() != cost.act_dim() || acts.nrows() != obs.nrows() {
        return Err(NnError::ShapeMismatch {
            op: "cost actions",
            left: acts.dim(),
            right: (obs.nrows(), cost.act_dim()),
        });
    }
    Ok(())
}

/// The function type behind an [`FnCost`]: one observation row and one action row to a cost.
type StepCost = dyn Fn(ArrayView1<'_, f32>, ArrayView1<'_, f32>) -> f32 + Send + Sync;

/// A cost written as a closure over one step, e.g. a task's known cost for tests and baselines.
#[derive(Clone)]
pub struct FnCost {
    obs_dim: usize,
    act_dim: usize,
    f: Arc<StepCost>,
}

impl fmt::Debug for FnCost {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FnCost")
            .field("obs_dim", &self.obs_dim)
            .field("act_dim", &self.act_dim)
            .finish_non_exhaustive()
    }
}

impl FnCost {
    /// A cost of `obs_dim` observations and `act_dim` actions computing `f(x, u)` row by row.
    pub fn new(
        obs_dim: usize,
        act_dim: usize,
        f: impl Fn(ArrayView1<'_, f32>, ArrayView1<'_, f32>) -> f32 + Send + Sync + 'static,
    ) -> Self {
        Self {
            obs_dim,
            act_dim,
            f: Arc::new(f),
        }
    }
}

impl Cost for FnCost {
    fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    fn act_dim(&self) -> usize {
        self.act_dim
    }

    fn cost(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Result<Array1<f32>> {
        check_cost_batch(self, obs, acts)?;
        Ok(obs
            .rows()
            .into_iter()
            .zip(acts.rows())
            .map(|(x, u)| (self.f)(x, u))
            .collect())
    }
}

/// Where the reinforcement learner takes the reward of each step from.
#[derive(Clone, Default)]
pub enum RewardSource {
    /// The environment's true reward.
    #[default]
    Env,
    /// The negated cost `−c(x_t, u_t)`.
    Cost(Arc<dyn Cost>),
}

impl fmt::Debug for RewardSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RewardSource::Env => f.write_str("Env"),
            RewardSource::Cost(c) => write!(
                f,
                "Cost(obs_dim = {}, act_dim = {})",
                c.obs_dim(),
                c.act_dim()
            ),
        }
    }
}

impl RewardSource {
    /// The reward of a learned or known cost.
    pub fn cost(cost: impl Cost + 'static) -> Self {
        RewardSource::Cost(Arc::new(cost))
    }

    /// The cost, when rewards come from one.
    pub fn as_cost(&self) -> Option<&dyn Cost> {
        match self {
            RewardSource::Env => None,
            RewardSource::Cost(c) => Some(c.as_ref()),
        }
    }
}

/// The true cost of every recorded step, `c_t = −r_t`, `[N, T]`.
pub fn true_costs(trajs: &Trajectories) -> Array2<f32> {
    trajs.rews.mapv(|r| -r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn fn_cost_is_applied_row_by_row_and_checks_shapes() {
        let c = FnCost::new(2, 1, |x, u| x[0] * x[0] + x[1] + u[0].abs());
        let obs = array![[1.0f32, 2.0], [3.0, -1.0]];
        let acts = array![[-0.5f32], [0.0]];
        assert_eq!(
            c.cost(obs.view(), acts.view()).unwrap(),
            array![3.5f32, 8.0]
        );
        assert!(c.cost(obs.view(), array![[1.0f32, 2.0]].view()).is_err());
        assert!(c.cost(acts.view(), acts.view()).is_err());
        let source = RewardSource::cost(c);
        assert_eq!(source.as_cost().unwrap().obs_dim(), 2);
        assert!(RewardSource::Env.as_cost().is_none());
    }
}
