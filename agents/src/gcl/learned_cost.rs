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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::Array2;

    /// A cost loaded from a saved discriminator scores as the discriminator's own cost network,
    /// and a file of other shapes is refused.
    #[test]
    fn a_loaded_cost_scores_as_the_saved_network() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cost.safetensors");
        let config = GclConfig::new();
        let disc = config
            .discriminator(Device::Cpu, 3, 1, &mut episode_rng(5, 1))
            .unwrap();
        disc.params().save(&path).unwrap();
        let saved = LearnedCost::new(disc.host_cost(), 3, 1);
        let loaded = LearnedCost::load(&config, 3, 1, &path).unwrap();
        let obs = Array2::from_shape_fn((6, 3), |(i, j)| (i as f32 - 2.0) * 0.3 + j as f32);
        let acts = Array2::from_shape_fn((6, 1), |(i, _)| i as f32 * 0.2 - 0.5);
        let want = saved.cost(obs.view(), acts.view()).unwrap();
        assert_eq!(loaded.cost(obs.view(), acts.view()).unwrap(), want);
        let fresh = config
            .discriminator(Device::Cpu, 3, 1, &mut episode_rng(0, 0))
            .unwrap();
        assert_ne!(
            LearnedCost::new(fresh.host_cost(), 3, 1)
                .cost(obs.view(), acts.view())
                .unwrap(),
            want,
            "the file's weights replace the initial ones"
        );
        assert!(LearnedCost::load(&config, 4, 1, &path).is_err());
    }
}
