//! [`PpoSnapshot`]: PPO's policy frozen for acting on raw observations, and its export as a
//! standalone controller.

use super::{PpoError, Result, RunningMeanStd};
use crate::nn::Activation;
use crate::policy::GaussianSnapshot;
use costlearn_envs::control::mlp_expert::{Layer, MlpController};
use costlearn_envs::{Policy, Rng};
use ndarray::{Array1, Array2, ArrayView2};

/// The policy frozen for acting: observation normaliser and Gaussian snapshot. Implements
/// [`Policy`] on raw observations, so rollouts and the fusion density use it directly.
#[derive(Clone, Debug)]
pub struct PpoSnapshot {
    pub(super) obs_norm: Option<(RunningMeanStd, f32)>,
    pub(super) policy: GaussianSnapshot,
}

impl PpoSnapshot {
    /// The observations as the policy network sees them.
    pub fn normalize(&self, obs: ArrayView2<'_, f32>) -> Array2<f32> {
        match &self.obs_norm {
            Some((stats, clip)) => stats.normalize(obs, *clip),
            None => obs.to_owned(),
        }
    }

    /// The policy network's snapshot (on normalised observations).
    pub fn gaussian(&self) -> &GaussianSnapshot {
        &self.policy
    }

    /// The deterministic action (the mean) of each raw observation.
    pub fn mean_action(&self, obs: ArrayView2<'_, f32>) -> crate::nn::Result<Array2<f32>> {
        self.policy.mean_action(self.normalize(obs).view())
    }

    /// The deterministic action as a standalone [`MlpController`] (normaliser included), the form
    /// in which a trained policy ships as a task's expert. Errors unless the policy is an
    /// unsquashed tanh network with a linear output.
    pub fn controller(&self) -> Result<MlpController> {
        let net = self.policy.mean_net();
        if self.policy.is_squashed()
            || net.activations() != (Activation::Tanh, Activation::Identity)
        {
            return Err(PpoError::Config(
                "only an unsquashed tanh policy with a linear output exports as a controller"
                    .into(),
            ));
        }
        let dim = net.input_dim();
        let (mean, scale, clip) = match &self.obs_norm {
            // The same arithmetic as `RunningMeanStd::normalize`.
            Some((stats, clip)) => (
                stats.mean().mapv(|m| m as f32),
                stats.var().mapv(|v| (1.0 / (v + 1e-8).sqrt()) as f32),
                *clip,
            ),
            None => (Array1::zeros(dim), Array1::ones(dim), f32::MAX),
        };
        let layers = net
            .layers()
            .iter()
            .map(|(weight, bias)| Layer {
                weight: weight.clone(),
                bias: bias.row(0).to_owned(),
            })
            .collect();
        MlpController::new(mean, scale, clip, layers).map_err(|e| PpoError::Config(e.to_string()))
    }
}

impl Policy for PpoSnapshot {
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        self.policy.act(self.normalize(obs).view(), rngs)
    }

    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        self.policy.log_prob(self.normalize(obs).view(), acts)
    }

    fn mode(&self, obs: ArrayView2<'_, f32>) -> Option<Array2<f32>> {
        self.policy.mode(self.normalize(obs).view())
    }
}
