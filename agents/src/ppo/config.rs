//! Hyperparameters of [`Ppo`](super::Ppo), with per-task defaults.

use crate::nn::Activation;
use serde::{Deserialize, Serialize};

/// Generates a chained setter for each listed field.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $ty:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, value: $ty) -> Self {
                self.$name = value;
                self
            }
        )*
    };
}

/// Everything that decides a PPO run, saved with it (serde) so it can be reproduced.
///
/// Build with [`PpoConfig::default`] or [`PpoConfig::for_task`] and the chained setters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PpoConfig {
    /// Seed of the initial weights, the episodes and the minibatch shuffles.
    pub seed: u64,
    /// Environment copies stepped in lock-step.
    pub num_envs: usize,
    /// Episodes sampled per iteration (each of the task's fixed horizon).
    pub episodes_per_iteration: usize,
    /// Discount `γ`.
    pub gamma: f32,
    /// GAE parameter `λ`.
    pub gae_lambda: f32,
    /// Clip range `ε` of the probability ratio.
    pub clip_range: f32,
    /// Passes over each iteration's samples.
    pub epochs: usize,
    /// Samples per gradient step.
    pub minibatch_size: usize,
    /// Adam learning rate of the policy.
    pub policy_lr: f32,
    /// Adam learning rate of the value function.
    pub value_lr: f32,
    /// Global gradient-norm clip of both networks.
    pub max_grad_norm: f32,
    /// Weight of the entropy bonus in the policy loss (0 turns it off).
    pub entropy_coef: f32,
    /// Temperature `α` of the maximum-entropy reward `r_t − α log π(u_t|x_t)`. 0 (plain RL) by
    /// default; guided cost learning uses 1.
    pub alpha: f32,
    /// Hidden widths of the policy's mean network.
    pub policy_hidden: Vec<usize>,
    /// Hidden widths of the value network.
    pub value_hidden: Vec<usize>,
    /// Hidden nonlinearity of both networks.
    pub activation: Activation,
    /// Initial log standard deviation of the Gaussian policy.
    pub init_log_std: f32,
    /// Normalise observations by their running mean and variance.
    pub normalize_obs: bool,
    /// Normalised observations are clipped to `[−obs_clip, obs_clip]`.
    pub obs_clip: f32,
    /// Standardise the advantages of each minibatch.
    pub normalize_advantages: bool,
    /// Divide rewards by the running standard deviation of the discounted return.
    pub scale_rewards: bool,
    /// Treat the horizon as a time limit and bootstrap `V(x_{T+1})` after the last step (the task
    /// itself is stationary); otherwise the return after the horizon is zero.
    pub bootstrap_at_horizon: bool,
    /// Stop an iteration's epochs early once the approximate KL exceeds this (none by default).
    pub target_kl: Option<f32>,
    /// Weight `λ` of the behavioral-cloning term `λ E_D[−log π(u|x)]` in the policy loss, on the
    /// demonstrations given to [`Ppo::set_demonstrations`](super::Ppo::set_demonstrations)
    /// (0, off, by default; see the `bc_term` module).
    pub bc_coef: f32,
}

impl Default for PpoConfig {
    /// CleanRL-like continuous-control defaults: γ = 0.99, λ = 0.95, ε = 0.2, 10 epochs of
    /// minibatches of 64, Adam 3e-4, gradients clipped to 0.5, 64×64 tanh networks, normalised
    /// observations, rewards and advantages, α = 0.
    fn default() -> Self {
        Self {
            seed: 0,
            num_envs: 16,
            episodes_per_iteration: 16,
            gamma: 0.99,
            gae_lambda: 0.95,
            clip_range: 0.2,
            epochs: 10,
            minibatch_size: 64,
            policy_lr: 3e-4,
            value_lr: 3e-4,
            max_grad_norm: 0.5,
            entropy_coef: 0.0,
            alpha: 0.0,
            policy_hidden: vec![64, 64],
            value_hidden: vec![64, 64],
            activation: Activation::Tanh,
            init_log_std: 0.0,
            normalize_obs: true,
            obs_clip: 10.0,
            normalize_advantages: true,
            scale_rewards: true,
            bootstrap_at_horizon: true,
            target_kl: None,
            bc_coef: 0.0,
        }
    }
}

impl PpoConfig {
    /// Defaults tuned for a built-in task (see the table in the crate's `ppo` module docs); the
    /// generic [`PpoConfig::default`] for any other name ([`PpoConfig::tuned_for`] tells which).
    pub fn for_task(name: &str) -> Self {
        Self::tuned_for(name).unwrap_or_default()
    }

    /// The settings tuned for the built-in task `name`, or `None` when it has none (then
    /// [`PpoConfig::for_task`] falls back to the generic [`PpoConfig::default`]).
    ///
    /// ```
    /// use costlearn_agents::ppo::PpoConfig;
    /// assert!(PpoConfig::tuned_for("pendulum").is_some());
    /// assert!(PpoConfig::tuned_for("my-task").is_none());
    /// assert_eq!(PpoConfig::for_task("my-task"), PpoConfig::default());
    /// ```
    pub fn tuned_for(name: &str) -> Option<Self> {
        let base = Self::default();
        Some(match name {
            "pendulum" => base
                .gamma(0.95)
                .episodes_per_iteration(20)
                .num_envs(20)
                .minibatch_size(500)
                .policy_lr(1e-3)
                .value_lr(1e-3),
            "cartpole" => base
                .episodes_per_iteration(20)
                .num_envs(20)
                .minibatch_size(250)
                .policy_lr(1e-3)
                .value_lr(1e-3)
                .gamma(0.98),
            "reacher" => base
                .episodes_per_iteration(64)
                .num_envs(32)
                .minibatch_size(400)
                .policy_lr(1e-3)
                .value_lr(1e-3)
                .init_log_std(-0.5),
            "hopper" => base
                .episodes_per_iteration(32)
                .num_envs(32)
                .minibatch_size(600)
                .policy_lr(3e-4)
                .value_lr(1e-3)
                .init_log_std(-0.5),
            _ => return None,
        })
    }

    /// Errors naming the first setting that cannot work.
    pub fn validate(&self) -> Result<(), String> {
        let checks: [(bool, &str); 13] = [
            (self.num_envs > 0, "num_envs must be at least 1"),
            (
                self.episodes_per_iteration > 0,
                "episodes_per_iteration must be at least 1",
            ),
            (
                (0.0..=1.0).contains(&self.gamma),
                "gamma must lie in [0, 1]",
            ),
            (
                (0.0..=1.0).contains(&self.gae_lambda),
                "gae_lambda must lie in [0, 1]",
            ),
            (
                self.clip_range.is_finite() && self.clip_range > 0.0,
                "clip_range must be positive",
            ),
            (self.epochs > 0, "epochs must be at least 1"),
            (self.minibatch_size > 0, "minibatch_size must be at least 1"),
            (
                self.policy_lr.is_finite()
                    && self.policy_lr > 0.0
                    && self.value_lr.is_finite()
                    && self.value_lr > 0.0,
                "learning rates must be positive",
            ),
            (
                self.max_grad_norm.is_finite() && self.max_grad_norm > 0.0,
                "max_grad_norm must be positive",
            ),
            (
                self.entropy_coef.is_finite() && self.alpha.is_finite() && self.alpha >= 0.0,
                "entropy_coef must be finite and alpha finite and non-negative",
            ),
            (
                self.obs_clip.is_finite() && self.obs_clip > 0.0,
                "obs_clip must be positive",
            ),
            (
                self.target_kl.map_or(true, |k| k.is_finite() && k > 0.0),
                "target_kl must be positive",
            ),
            (
                self.bc_coef.is_finite() && self.bc_coef >= 0.0,
                "bc_coef must be finite and non-negative",
            ),
        ];
        match checks.iter().find(|(ok, _)| !ok) {
            Some((_, reason)) => Err((*reason).to_string()),
            None => Ok(()),
        }
    }

    setters! {
        /// Sets [`PpoConfig::seed`].
        seed: u64;
        /// Sets [`PpoConfig::num_envs`].
        num_envs: usize;
        /// Sets [`PpoConfig::episodes_per_iteration`].
        episodes_per_iteration: usize;
        /// Sets [`PpoConfig::gamma`].
        gamma: f32;
        /// Sets [`PpoConfig::gae_lambda`].
        gae_lambda: f32;
        /// Sets [`PpoConfig::clip_range`].
        clip_range: f32;
        /// Sets [`PpoConfig::epochs`].
        epochs: usize;
        /// Sets [`PpoConfig::minibatch_size`].
        minibatch_size: usize;
        /// Sets [`PpoConfig::policy_lr`].
        policy_lr: f32;
        /// Sets [`PpoConfig::value_lr`].
        value_lr: f32;
        /// Sets [`PpoConfig::max_grad_norm`].
        max_grad_norm: f32;
        /// Sets [`PpoConfig::entropy_coef`].
        entropy_coef: f32;
        /// Sets [`PpoConfig::alpha`].
        alpha: f32;
        /// Sets [`PpoConfig::policy_hidden`].
        policy_hidden: Vec<usize>;
        /// Sets [`PpoConfig::value_hidden`].
        value_hidden: Vec<usize>;
        /// Sets [`PpoConfig::activation`].
        activation: Activation;
        /// Sets [`PpoConfig::init_log_std`].
        init_log_std: f32;
        /// Sets [`PpoConfig::normalize_obs`].
        normalize_obs: bool;
        /// Sets [`PpoConfig::obs_clip`].
        obs_clip: f32;
        /// Sets [`PpoConfig::normalize_advantages`].
        normalize_advantages: bool;
        /// Sets [`PpoConfig::scale_rewards`].
        scale_rewards: bool;
        /// Sets [`PpoConfig::bootstrap_at_horizon`].
        bootstrap_at_horizon: bool;
        /// Sets [`PpoConfig::target_kl`].
        target_kl: Option<f32>;
        /// Sets [`PpoConfig::bc_coef`].
        bc_coef: f32;
    }
}
