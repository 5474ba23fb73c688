//! [`LearnedCost`]: a learned cost network `c_θ(x, u)` frozen on the CPU, as a [`Cost`] that
//! rewards a policy (during guided cost learning, or when a fresh policy is re-optimised on it).

use super::config::GclConfig;
use super::cost_net::{HostCostNet, StepBatch};
use super::learner::LearnerError;
use crate::cost::{check_cost_batch, Cost};
use crate::nn::{Device, NnError};
use costlearn_envs::episode_rng;
use ndarray::{Array1, ArrayView2};
use std::path::Path;

/// The per-step cost `c_θ(x, u)` of a cost network, scoring each `(x, u)` pair as a one-step
/// trajectory.
#[derive(Clone, Debug)]
pub struct LearnedCost {
    net: HostCostNet,
    obs_dim: usize,
    act_dim: usize,
}

impl LearnedCost {
    /// The cost of `net` on a task of `obs_dim` observations and `act_dim` actions.
    pub fn new(net: HostCostNet, obs_dim: usize, act_dim: usize) -> Self {
        Self {
            net,
            obs_dim,
            act_dim,
        }
    }

    /// The cost saved at `path` by [`GclLearner::save_cost`](super::GclLearner::save_cost) of a
    /// learner with discriminator settings `config` on a task of `obs_dim` observations and
    /// `act_dim` actions. Errors on invalid settings or a file that does not hold their weights.
    pub fn load(
        config: &GclConfig,
        obs_dim: usize,
        act_dim: usize,
        path: &Path,
    ) -> Result<Self, LearnerError> {
        // The initial weights are overwritten by the file's; any seed does.
        let mut disc = config
            .discriminator(Device::Cpu, obs_dim, act_dim, &mut episode_rng(0, 0))
            .map_err(|source| LearnerError::Gcl {
                iteration: 0,
                source,
            })?;
        disc.params_mut().load(path)?;
        Ok(Self::new(disc.host_cost(), obs_dim, act_dim))
    }
}

impl Cost for LearnedCost {
    fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    fn act_dim(&self) -> usize {
        self.act_dim
    }

    fn cost(
        &self,
        obs: ArrayView2<'_, f32>,
        acts: ArrayView2<'_, f32>,
    ) -> crate::nn::Result<Array1<f32>> {
        check_cost_batch(self, obs, acts)?;
        let n = obs.nrows();
        // Each (x, u) pair is a one-step trajectory.
        let obs3 = obs.to_shape((n, 1, self.obs_dim)).map_err(shape_error)?;
        let acts3 = acts.to_shape((n, 1, self.act_dim)).map_err(shape_error)?;
        let batch = StepBatch::new(obs3.view(), acts3.view())
            .map_err(|e| NnError::Backend(e.to_string()))?;
        let c = self
            .net
            .step_costs(&batch)
            .map_err(|e| NnError::Backend(e.to_string()))?;
        Ok(c.column(0).to_owned())
    }
}

fn shape_error(_: ndarray::ShapeError) -> NnError {
    NnError::Backend("cost batch is not contiguous".to_string())
}
