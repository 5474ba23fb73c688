//! [`StepBatch`]: the steps `x_t` (and `u_t`) of a batch of trajectories, as a cost network reads
//! them.

use super::error::{GclError, Result};
use costlearn_envs::Trajectories;
use ndarray::{s, ArrayView3, Axis};

/// The steps `x_t` (and `u_t`) of `N` trajectories of `T` steps each.
#[derive(Clone, Copy, Debug)]
pub struct StepBatch<'a> {
    obs: ArrayView3<'a, f32>,
    acts: Option<ArrayView3<'a, f32>>,
}

impl<'a> StepBatch<'a> {
    /// Steps with states `obs` `[N, T, obs_dim]` and actions `acts` `[N, T, act_dim]`.
    pub fn new(obs: ArrayView3<'a, f32>, acts: ArrayView3<'a, f32>) -> Result<Self> {
        let (n, t, _) = obs.dim();
        let (na, ta, _) = acts.dim();
        if (n, t) != (na, ta) {
            return Err(GclError::Shape {
                what: "actions",
                expected: format!("[{n}, {t}, _] like the states"),
                found: format!("{:?}", acts.dim()),
            });
        }
        Self::checked(obs, Some(acts))
    }

    /// Steps with states `obs` `[N, T, obs_dim]` and no actions (for a state-only cost).
    pub fn states(obs: ArrayView3<'a, f32>) -> Result<Self> {
        Self::checked(obs, None)
    }

    /// The steps of recorded trajectories: observations `0..T` with their actions.
    pub fn from_trajectories(trajs: &'a Trajectories) -> Result<Self> {
        let t = trajs.horizon();
        if trajs.obs.len_of(Axis(1)) != t + 1 {
            return Err(GclError::Shape {
                what: "trajectory observations",
                expected: format!("{} rows per episode", t + 1),
                found: format!("{}", trajs.obs.len_of(Axis(1))),
            });
        }
        Self::new(trajs.obs.slice(s![.., ..t, ..]), trajs.acts.view())
    }

    fn checked(obs: ArrayView3<'a, f32>, acts: Option<ArrayView3<'a, f32>>) -> Result<Self> {
        if obs.len_of(Axis(0)) == 0 {
            return Err(GclError::Empty("the batch of trajectories"));
        }
        if obs.len_of(Axis(1)) == 0 {
            return Err(GclError::Empty("each trajectory"));
        }
        Ok(Self { obs, acts })
    }

    /// Number of trajectories `N`.
    pub fn len(&self) -> usize {
        self.obs.len_of(Axis(0))
    }

    /// Always false: a batch holds at least one trajectory.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Steps per trajectory `T`.
    pub fn horizon(&self) -> usize {
        self.obs.len_of(Axis(1))
    }

    /// Total number of steps `N·T`.
    pub fn steps(&self) -> usize {
        self.len() * self.horizon()
    }

    /// The states `[N, T, obs_dim]`.
    pub fn obs(&self) -> ArrayView3<'a, f32> {
        self.obs
    }

    /// The actions `[N, T, act_dim]`, if any.
    pub fn acts(&self) -> Option<ArrayView3<'a, f32>> {
        self.acts
    }
}
