//! Settings of guided cost learning's discriminator side.

use super::cost_net::{CostInput, CostNetBuilder};
use super::discriminator::{Discriminator, DiscriminatorBuilder, Granularity};
use super::error::{GclError, Result};
use crate::fusion::Fusion;
use crate::nn::Device;
use costlearn_envs::Rng;
use serde::{Deserialize, Serialize};

/// Settings of GAN-form guided cost learning, serialisable (e.g. into a run's config file).
///
/// Built with [`GclConfig::new`] and the chained setters (or read from a file);
/// [`GclConfig::validate`] checks the values.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GclConfig {
    /// Trajectories or transitions.
    pub granularity: Granularity,
    /// Which density scores samples and demonstrations.
    pub fusion: Fusion,
    /// Discriminator steps per round (`k`).
    pub disc_steps: usize,
    /// Demonstrations, and as many samples, per discriminator minibatch.
    pub batch_size: usize,
    /// Adam's learning rate for the cost and `log Z`.
    pub learning_rate: f32,
    /// Clip of the discriminator's global gradient norm (`None`: no clipping).
    pub max_grad_norm: Option<f32>,
    /// Entropy weight α of the generator's objective `E_q[c_θ] + α·E_q[log q]` (1 in the paper).
    pub alpha: f32,
    /// Initial value of the learned `log Z`.
    pub init_log_z: f32,
    /// The cost network.
    pub cost: CostNetBuilder,
}

impl Default for GclConfig {
    fn default() -> Self {
        Self {
            granularity: Granularity::Transition,
            fusion: Fusion::Mixture,
            disc_steps: 10,
            batch_size: 32,
            learning_rate: 1e-3,
            max_grad_norm: Some(10.0),
            alpha: 0.1,
            init_log_z: 0.0,
            cost: CostNetBuilder::new().input(CostInput::State).shaped(true),
        }
    }
}

impl GclConfig {
    /// The settings whose cost re-optimises best (see `docs/learned-cost.md`): a shaped
    /// state-only cost `g_θ(x) + h_φ(x') − h_φ(x)` trained per transition against the fused
    /// density of the kept policies, entropy weight α = 0.1; 10 discriminator steps of 32
    /// demonstrations and 32 samples at learning rate 1e-3. The paper's own setting is
    /// [`Granularity::Traj`] with α = 1 and a cost `c_θ(x, u)`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Trajectories or transitions.
    pub fn granularity(mut self, granularity: Granularity) -> Self {
        self.granularity = granularity;
        self
    }

    /// Which density scores samples and demonstrations.
    pub fn fusion(mut self, fusion: Fusion) -> Self {
        self.fusion = fusion;
        self
    }

    /// Discriminator steps per round (`k`).
    pub fn disc_steps(mut self, k: usize) -> Self {
        self.disc_steps = k;
        self
    }

    /// Demonstrations, and as many samples, per discriminator minibatch.
    pub fn batch_size(mut self, n: usize) -> Self {
        self.batch_size = n;
        self
    }

    /// Adam's learning rate for the cost and `log Z`.
    pub fn learning_rate(mut self, lr: f32) -> Self {
        self.learning_rate = lr;
        self
    }

    /// Clip the discriminator's global gradient norm (`None`: no clipping).
    pub fn max_grad_norm(mut self, norm: Option<f32>) -> Self {
        self.max_grad_norm = norm;
        self
    }

    /// Entropy weight α of the generator's objective `E_q[c_θ] + α·E_q[log q]` (1 in the paper).
    pub fn alpha(mut self, alpha: f32) -> Self {
        self.alpha = alpha;
        self
    }

    /// Initial value of the learned `log Z`.
    pub fn init_log_z(mut self, log_z: f32) -> Self {
        self.init_log_z = log_z;
        self
    }

    /// The cost network.
    pub fn cost(mut self, cost: CostNetBuilder) -> Self {
        self.cost = cost;
        self
    }

    /// Errors on a value that makes no sense.
    pub fn validate(&self) -> Result<()> {
        let bad = |msg: String| Err(GclError::InvalidConfig(msg));
        if self.disc_steps == 0 {
            return bad("disc_steps must be at least 1".into());
        }
        if self.batch_size == 0 {
            return bad("batch_size must be at least 1".into());
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return bad(format!(
                "learning_rate must be positive, got {}",
                self.learning_rate
            ));
        }
        if let Some(n) = self.max_grad_norm {
            if !(n.is_finite() && n > 0.0) {
                return bad(format!("max_grad_norm must be positive, got {n}"));
            }
        }
        if !(self.alpha.is_finite() && self.alpha >= 0.0) {
            return bad(format!("alpha must be non-negative, got {}", self.alpha));
        }
        if !self.init_log_z.is_finite() {
            return bad(format!(
                "init_log_z must be finite, got {}",
                self.init_log_z
            ));
        }
        Ok(())
    }

    /// A fresh discriminator with these settings.
    pub fn discriminator(
        &self,
        device: Device,
        obs_dim: usize,
        act_dim: usize,
        rng: &mut Rng,
    ) -> Result<Discriminator> {
        self.validate()?;
        DiscriminatorBuilder::new()
            .cost(self.cost.clone())
            .granularity(self.granularity)
            .init_log_z(self.init_log_z)
            .build(device, obs_dim, act_dim, rng)
    }
}
