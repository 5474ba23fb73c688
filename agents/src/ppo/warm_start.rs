//! A behavioral-cloning warm start of the PPO policy: before its first iteration the policy fits
//! the demonstrated actions by maximum likelihood ([`crate::bc`]), on the inputs it will act on.
//!
//! Guided cost learning needs it at the trajectory level: the logit
//! `ℓ(τ) = −c_θ(τ) − log Z − log q(τ)` of a demonstration and of a sample differ by
//! `log q(τ_sample) − log q(τ_demo)`, hundreds of nats over 200 steps for a fresh policy, so the
//! discriminator starts saturated and the cost gets no gradient. A policy that already imitates the
//! demonstrations gives them a density close to its own samples'.

use super::{Ppo, PpoError, Result};
use crate::bc::BcConfig;
use costlearn_envs::Trajectories;
use ndarray::s;

/// What a warm start did.
#[derive(Clone, Debug, PartialEq)]
pub struct WarmStart {
    /// Epochs of behavioral cloning run.
    pub epochs: usize,
    /// Mean negative log-likelihood of the demonstrated actions, per step, after the fit.
    pub final_nll: f64,
}

impl Ppo {
    /// Fits the policy to `demos` by behavioral cloning with `bc`'s settings (its standardiser
    /// and held-out split are not used: the policy keeps PPO's running observation normaliser,
    /// which first takes in the demonstrated states).
    ///
    /// Only before the first iteration; errors afterwards, on demonstrations of another task, or
    /// when the fit diverges (the policy is then left as it was).
    pub fn warm_start(&mut self, demos: &Trajectories, bc: &BcConfig) -> Result<WarmStart> {
        let config = |msg: String| PpoError::Config(format!("warm start: {msg}"));
        if self.iteration > 0 {
            return Err(config("the policy has already been trained".into()));
        }
        if demos.spec.obs_dim() != self.spec.obs_dim()
            || demos.spec.act_dim() != self.spec.act_dim()
        {
            return Err(config(format!(
                "demonstrations of `{}` do not fit task `{}`",
                demos.spec.name, self.spec.name
            )));
        }
        let t = demos.horizon();
        let states = demos
            .obs
            .slice(s![.., ..t, ..])
            .to_shape((demos.len() * t, self.spec.obs_dim()))
            .map_err(|e| config(e.to_string()))?
            .to_owned();
        let mut obs_norm = self.obs_norm.clone();
        if self.config.normalize_obs {
            obs_norm.update(states.view());
        }
        // The demonstrations as the policy network sees them.
        let mut seen = demos.clone();
        if self.config.normalize_obs {
            let normalized = obs_norm.normalize(states.view(), self.config.obs_clip);
            seen.obs.slice_mut(s![.., ..t, ..]).assign(
                &normalized
                    .to_shape((demos.len(), t, self.spec.obs_dim()))
                    .map_err(|e| config(e.to_string()))?,
            );
        }
        let trained = bc
            .clone()
            .standardize(false)
            .holdout(0.0)
            .train_policy(self.policy.clone(), &seen)
            .map_err(|e| config(e.to_string()))?;
        if let Some(why) = trained.diverged {
            return Err(config(format!("behavioral cloning diverged: {why}")));
        }
        let last = trained.history.last().map_or(f64::NAN, |e| e.train_nll);
        self.policy = trained.policy.into_parts().0;
        self.obs_norm = obs_norm;
        Ok(WarmStart {
            epochs: trained.history.len(),
            final_nll: last,
        })
    }
}
