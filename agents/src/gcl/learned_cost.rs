//! [`LearnedCost`]: a learned cost network `c_θ(x, u)` frozen on the CPU, as a [`Cost`] that
//! rewards a policy (during guided cost learning, or when a fresh policy is re-optimised on it).
//!
//! A shaped cost `g_θ + h_φ(x') − h_φ(x)` reads the next state, so its [`CostPart::Full`] scores
//! whole episodes ([`Cost::episode_costs`]) and refuses single steps; its [`CostPart::Task`] `g_θ`
//! scores either.

use super::config::GclConfig;
use super::cost_net::{CostPart, HostCostNet, StepBatch};
use super::learner::LearnerError;
use crate::cost::{check_cost_batch, Cost};
use crate::nn::{Device, NnError};
use costlearn_envs::episode_rng;
use ndarray::{s, Array1, Array2, ArrayView2, ArrayView3, Axis};
use std::path::Path;

/// The per-step cost of a cost network: `c_θ(x, u)`, or one part of a shaped cost.
#[derive(Clone, Debug)]
pub struct LearnedCost {
    net: HostCostNet,
    obs_dim: usize,
    act_dim: usize,
    part: CostPart,
}

impl LearnedCost {
    /// The whole cost of `net` on a task of `obs_dim` observations and `act_dim` actions.
    pub fn new(net: HostCostNet, obs_dim: usize, act_dim: usize) -> Self {
        Self {
            net,
            obs_dim,
            act_dim,
            part: CostPart::Full,
        }
    }

    /// The same network read as `part` (the task's part `g_θ` of a shaped cost, or the whole).
    pub fn part(mut self, part: CostPart) -> Self {
        self.part = part;
        self
    }

    /// Which part of the network this cost reads.
    pub fn which_part(&self) -> CostPart {
        self.part
    }

    /// Whether the network has the shaped form `g_θ + h_φ(x') − h_φ(x)`.
    pub fn is_shaped(&self) -> bool {
        self.net.is_shaped()
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
        if self.net.is_shaped() && self.part == CostPart::Full {
            return Err(NnError::Backend(
                "a shaped cost reads the next state: score whole episodes, or its task part alone"
                    .to_string(),
            ));
        }
        let n = obs.nrows();
        // Each (x, u) pair is a one-step trajectory.
        let obs3 = obs.to_shape((n, 1, self.obs_dim)).map_err(shape_error)?;
        let acts3 = acts.to_shape((n, 1, self.act_dim)).map_err(shape_error)?;
        Ok(self.score(obs3.view(), acts3.view())?.column(0).to_owned())
    }

    fn episode_costs(
        &self,
        obs: ArrayView3<'_, f32>,
        acts: ArrayView3<'_, f32>,
    ) -> crate::nn::Result<Array2<f32>> {
        let t = acts.len_of(Axis(1));
        if obs.len_of(Axis(1)) < t {
            return Err(NnError::ShapeMismatch {
                op: "episode observations",
                left: (obs.len_of(Axis(0)), obs.len_of(Axis(1))),
                right: (acts.len_of(Axis(0)), t + 1),
            });
        }
        self.score(obs.slice_move(s![.., ..t, ..]), acts)
    }
}

impl LearnedCost {
    /// Per-step costs `[N, T]` of whole trajectories of states `obs` and actions `acts`.
    fn score(
        &self,
        obs: ArrayView3<'_, f32>,
        acts: ArrayView3<'_, f32>,
    ) -> crate::nn::Result<Array2<f32>> {
        let backend = |e: super::GclError| NnError::Backend(e.to_string());
        let batch = StepBatch::new(obs.view(), acts.view()).map_err(backend)?;
        self.net.step_costs_of(&batch, self.part).map_err(backend)
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
        let config = GclConfig::new().cost(super::super::CostNetBuilder::new());
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

    /// The default shaped cost keeps both its parts in the file, and both score as saved.
    #[test]
    fn a_shaped_cost_file_keeps_the_potential() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cost.safetensors");
        let config = GclConfig::new();
        let disc = config
            .discriminator(Device::Cpu, 3, 1, &mut episode_rng(5, 1))
            .unwrap();
        let names = disc.params().names();
        assert!(
            names.iter().any(|n| n.starts_with("cost.potential.")),
            "{names:?}"
        );
        disc.params().save(&path).unwrap();
        let saved = LearnedCost::new(disc.host_cost(), 3, 1);
        let loaded = LearnedCost::load(&config, 3, 1, &path).unwrap();
        assert!(loaded.is_shaped());
        let obs =
            ndarray::Array3::from_shape_fn((2, 5, 3), |(i, t, j)| (i + t) as f32 * 0.1 - j as f32);
        let acts = ndarray::Array3::from_shape_fn((2, 4, 1), |(i, t, _)| (i * t) as f32 * 0.1);
        let full = saved.episode_costs(obs.view(), acts.view()).unwrap();
        assert_eq!(loaded.episode_costs(obs.view(), acts.view()).unwrap(), full);
        let task = loaded.clone().part(CostPart::Task);
        assert_eq!(task.which_part(), CostPart::Task);
        let g = task.episode_costs(obs.view(), acts.view()).unwrap();
        assert_ne!(g, full, "the shaping terms are part of the full cost only");
    }
}
