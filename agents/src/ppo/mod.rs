//! Proximal policy optimisation (Schulman et al. 2017) with GAE, the default maximum-entropy RL
//! learner for continuous control.
//!
//! The policy minimises `E[c] + α E[log π]`: each step's reward is
//! `r_t = −c(x_t, u_t) − α log π(u_t | x_t)` when rewards come from a [`Cost`](crate::cost::Cost),
//! or `r_t = r_env(x_t, u_t) − α log π(u_t | x_t)` on the task's true reward
//! ([`RewardSource`]). `α` is [`PpoConfig::alpha`], 0 by default.
//!
//! One [`Ppo::step`] is one iteration:
//! 1. freeze the observation normaliser and the policy into a [`PpoSnapshot`] and sample
//!    [`PpoConfig::episodes_per_iteration`] full episodes with it in lock-step;
//! 2. compute the rewards, the values `V(x_t)` and the GAE advantages;
//! 3. run [`PpoConfig::epochs`] passes of shuffled minibatches over the clipped surrogate and the
//!    value regression, each network with its own Adam and gradient clipping (plus a
//!    behavioral-cloning term on demonstrations when [`PpoConfig::bc_coef`] is positive, see
//!    [`Ppo::set_demonstrations`]);
//! 4. merge the batch's observations into the normaliser.
//!
//! Acting and learning see the same normalised inputs: the update uses the normaliser frozen into
//! the snapshot that sampled the batch. An iteration that meets a non-finite number stops with an
//! error naming it, and every weight goes back to where the iteration started.
//!
//! Per-task defaults ([`PpoConfig::for_task`]):
//!
//! | task | episodes / iteration | γ | minibatch | learning rates | initial log σ |
//! |---|---|---|---|---|---|
//! | `pendulum` | 20 (4000 steps) | 0.95 | 500 | 1e-3 | 0 |
//! | `reacher` | 64 (3200 steps) | 0.99 | 400 | 1e-3 | −0.5 |
//! | `hopper` | 32 (9600 steps) | 0.99 | 600 | 3e-4 (value 1e-3) | −0.5 |
//! | others | 16 | 0.99 | 64 | 3e-4 | 0 |

mod bc_term;
mod checkpoint;
mod config;
mod gae;
mod normalizer;
mod snapshot;
mod step;
mod warm_start;
mod weights;

use bc_term::{BcMinibatch, DemoSteps};
pub use checkpoint::SnapshotState;
pub(crate) use checkpoint::{read_json, write_json};
pub use config::PpoConfig;
pub use gae::gae;
pub use normalizer::RunningMeanStd;
pub use snapshot::PpoSnapshot;
pub use warm_start::WarmStart;

use crate::cost::RewardSource;
use crate::nn::{Adam, Device, Mlp, MlpBuilder, NnError, ParamSet};
use crate::policy::{GaussianMlpBuilder, GaussianMlpPolicy, TrainablePolicy};
use costlearn_envs::rollout::Rollout;
use costlearn_envs::{episode_rng, EnvEntry, EnvError, EnvSpec, Space, Trajectories, VecEnv};
use ndarray::{s, Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

const LN_2PI: f32 = 1.837_877;

/// What can stop PPO.
#[derive(Debug, thiserror::Error)]
pub enum PpoError {
    /// A configuration that cannot work, or a task PPO cannot handle.
    #[error("invalid PPO configuration: {0}")]
    Config(String),
    /// Building, saving or loading a network failed.
    #[error(transparent)]
    Nn(#[from] NnError),
    /// Sampling an iteration's episodes failed (e.g. a non-finite observation).
    #[error("iteration {iteration}: {source}")]
    Rollout {
        /// The iteration that failed.
        iteration: usize,
        /// What the rollout reported.
        source: EnvError,
    },
    /// The update of an iteration failed.
    #[error("iteration {iteration}: {source}")]
    Update {
        /// The iteration that failed.
        iteration: usize,
        /// What the network layer reported.
        source: NnError,
    },
    /// A reward, value or loss became NaN or infinite.
    #[error("training diverged at iteration {iteration}: {what} is {value}; the weights of the last good iteration are kept")]
    NonFinite {
        /// The iteration that failed.
        iteration: usize,
        /// The quantity that is not finite.
        what: String,
        /// Its value.
        value: f32,
    },
}

/// Result type of PPO.
pub type Result<T, E = PpoError> = std::result::Result<T, E>;

/// What one iteration did.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PpoMetrics {
    /// Iterations done, counting this one (1 after the first).
    pub iteration: usize,
    /// Environment steps sampled so far.
    pub env_steps: u64,
    /// Mean true return of this iteration's episodes.
    pub mean_return: f32,
    /// Mean per-step cost `c(x_t, u_t)` of this iteration's steps, when rewards come from a cost.
    pub mean_cost: Option<f32>,
    /// Mean `log π(u_t | x_t)` of the sampled actions.
    pub mean_log_prob: f32,
    /// Mean clipped-surrogate loss over the minibatches.
    pub policy_loss: f32,
    /// Mean value loss `½ (V − R)²` over the minibatches.
    pub value_loss: f32,
    /// Entropy of the policy after the update.
    pub entropy: f32,
    /// Mean approximate KL divergence `E[(ρ − 1) − ln ρ]` between the sampling and updated policy.
    pub approx_kl: f32,
    /// Fraction of samples whose ratio was clipped.
    pub clip_fraction: f32,
}

/// Weights and statistics that an iteration may change, kept to roll a failed one back.
struct Checkpoint {
    policy: ParamSet,
    value: ParamSet,
    obs_norm: RunningMeanStd,
    return_norm: RunningMeanStd,
    policy_opt: Adam,
    value_opt: Adam,
}

/// One iteration's samples, flattened to `N·T` rows.
struct Batch {
    obs: Array2<f32>,
    acts: Array2<f32>,
    old_log_prob: Array1<f32>,
    advantages: Array1<f32>,
    returns: Array1<f32>,
    /// The behavioral-cloning term's demonstrated steps, normalised as `obs` (when it is on).
    demos: Option<(Array2<f32>, Array2<f32>)>,
}

/// A PPO learner on one task, driven one iteration at a time with [`Ppo::step`].
pub struct Ppo {
    config: PpoConfig,
    spec: EnvSpec,
    envs: Box<dyn VecEnv>,
    reward: RewardSource,
    policy: GaussianMlpPolicy,
    policy_opt: Adam,
    value: Mlp,
    value_params: ParamSet,
    value_opt: Adam,
    obs_norm: RunningMeanStd,
    /// Running variance of the discounted return, for reward scaling.
    return_norm: RunningMeanStd,
    iteration: usize,
    env_steps: u64,
    episodes: u64,
    /// The episodes sampled by the last iteration, with their log-probabilities.
    last_samples: Option<Trajectories>,
    /// The demonstrations of the behavioral-cloning term ([`Ppo::set_demonstrations`]).
    demos: Option<DemoSteps>,
}

impl std::fmt::Debug for Ppo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ppo")
            .field("task", &self.spec.name)
            .field("config", &self.config)
            .field("reward", &self.reward)
            .field("iteration", &self.iteration)
            .field("env_steps", &self.env_steps)
            .finish_non_exhaustive()
    }
}

impl Ppo {
    /// A learner on the task of `entry` with fresh networks on `device`, rewarded by `reward`.
    /// Errors on an invalid configuration, a task without box actions, or a cost of the wrong
    /// dimensions.
    pub fn new(
        entry: &EnvEntry,
        config: PpoConfig,
        reward: RewardSource,
        device: Device,
    ) -> Result<Self> {
        config.validate().map_err(PpoError::Config)?;
        let envs = entry.make_vec(config.num_envs.min(config.episodes_per_iteration));
        let spec = envs.spec().clone();
        spec.validate()
            .map_err(|e| PpoError::Config(format!("task `{}`: {e}", spec.name)))?;
        if !matches!(spec.action_space, Space::Box { .. }) {
            return Err(PpoError::Config(format!(
                "task `{}` has discrete actions; PPO here trains Gaussian policies for box actions",
                spec.name
            )));
        }
        let (od, ad) = (spec.obs_dim(), spec.act_dim());
        check_reward(&reward, od, ad)?;
        let policy = GaussianMlpBuilder::new(od, ad)
            .hidden(&config.policy_hidden)
            .activation(config.activation)
            .init_log_std(config.init_log_std)
            .device(device)
            .seed(config.seed)
            .build()?;
        let mut value_params = ParamSet::new(device)?;
        let value = MlpBuilder::new(od, 1)
            .hidden(&config.value_hidden)
            .activation(config.activation)
            .build(&mut value_params, "value", &mut episode_rng(config.seed, 1))?;
        let adam = |lr| Adam::new(lr).eps(1e-5).max_grad_norm(config.max_grad_norm);
        Ok(Self {
            policy_opt: adam(config.policy_lr),
            value_opt: adam(config.value_lr),
            config,
            spec,
            envs,
            reward,
            policy,
            value,
            value_params,
            obs_norm: RunningMeanStd::new(od),
            return_norm: RunningMeanStd::new(1),
            iteration: 0,
            env_steps: 0,
            episodes: 0,
            last_samples: None,
            demos: None,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &PpoConfig {
        &self.config
    }

    /// The task's spec.
    pub fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    /// Iterations done.
    pub fn iteration(&self) -> usize {
        self.iteration
    }

    /// Environment steps sampled so far.
    pub fn env_steps(&self) -> u64 {
        self.env_steps
    }

    /// The policy being trained (on normalised observations).
    pub fn policy(&self) -> &GaussianMlpPolicy {
        &self.policy
    }

    /// The running observation statistics.
    pub fn obs_normalizer(&self) -> &RunningMeanStd {
        &self.obs_norm
    }

    /// Where rewards come from.
    pub fn reward(&self) -> &RewardSource {
        &self.reward
    }

    /// Changes where rewards come from (e.g. a cost updated by an IRL learner) from the next
    /// iteration on. Errors on a cost of the wrong dimensions.
    pub fn set_reward(&mut self, reward: RewardSource) -> Result<()> {
        check_reward(&reward, self.spec.obs_dim(), self.spec.act_dim())?;
        self.reward = reward;
        Ok(())
    }

    /// The current policy with the current normaliser, frozen for acting.
    pub fn snapshot(&self) -> PpoSnapshot {
        PpoSnapshot {
            obs_norm: self
                .config
                .normalize_obs
                .then(|| (self.obs_norm.clone(), self.config.obs_clip)),
            policy: self.policy.snapshot(),
        }
    }

    /// True returns of the current policy (sampling its actions) over `episodes` episodes of the
    /// run seeded with `seed`, without learning from them: their mean and standard deviation.
    /// Episode `i` starts as episode `i` of any rollout with that seed (e.g. a demo file recorded
    /// with it), so the figures compare directly with the file's.
    pub fn evaluate(&mut self, seed: u64, episodes: usize) -> Result<(f32, f32)> {
        let snapshot = self.snapshot();
        let trajs = Rollout::new(seed)
            .episodes(episodes)
            .collect(self.envs.as_mut(), &snapshot)
            .map_err(|source| PpoError::Rollout {
                iteration: self.iteration,
                source,
            })?;
        Ok(trajs.return_stats())
    }

    /// `V(x)` of raw observations, `[n]`.
    pub fn values(&self, obs: ArrayView2<'_, f32>) -> Result<Array1<f32>> {
        let x = self.snapshot().normalize(obs);
        Ok(self.value_on_normalized(x.view())?)
    }

    fn value_on_normalized(&self, x: ArrayView2<'_, f32>) -> crate::nn::Result<Array1<f32>> {
        Ok(self
            .value
            .to_host(&self.value_params)
            .forward(x)?
            .column(0)
            .to_owned())
    }

    /// The episodes sampled by the last successful [`Ppo::step`] (drawn by the snapshot taken just
    /// before it, with their `log π(u_t | x_t)`), or `None` before the first.
    pub fn last_samples(&self) -> Option<&Trajectories> {
        self.last_samples.as_ref()
    }

    /// Runs one iteration (sample, update) and returns its metrics. On error every weight and
    /// statistic is rolled back to where the iteration started, and the counters do not move.
    pub fn step(&mut self) -> Result<PpoMetrics> {
        let checkpoint = Checkpoint {
            policy: self.policy.params().clone(),
            value: self.value_params.clone(),
            obs_norm: self.obs_norm.clone(),
            return_norm: self.return_norm.clone(),
            policy_opt: self.policy_opt.clone(),
            value_opt: self.value_opt.clone(),
        };
        let result = self.iterate();
        if result.is_err() {
            *self.policy.params_mut() = checkpoint.policy;
            self.value_params = checkpoint.value;
            self.obs_norm = checkpoint.obs_norm;
            self.return_norm = checkpoint.return_norm;
            self.policy_opt = checkpoint.policy_opt;
            self.value_opt = checkpoint.value_opt;
        }
        result
    }

    fn iterate(&mut self) -> Result<PpoMetrics> {
        let it = self.iteration;
        let cfg = self.config.clone();
        let non_finite = |what: &str, value: f32| PpoError::NonFinite {
            iteration: it,
            what: what.to_string(),
            value,
        };

        if cfg.bc_coef > 0.0 && self.demos.is_none() {
            return Err(PpoError::Config(
                "bc_coef is positive but no demonstrations were given (Ppo::set_demonstrations)"
                    .into(),
            ));
        }

        // 1. Sample full episodes with the frozen policy and normaliser.
        let snapshot = self.snapshot();
        let trajs = Rollout::new(cfg.seed)
            .first_episode(self.episodes)
            .episodes(cfg.episodes_per_iteration)
            .log_probs(true)
            .collect(self.envs.as_mut(), &snapshot)
            .map_err(|source| PpoError::Rollout {
                iteration: it,
                source,
            })?;
        let (n, t_len) = (trajs.len(), trajs.horizon());
        let (od, ad) = (self.spec.obs_dim(), self.spec.act_dim());
        let log_prob = trajs
            .logp
            .clone()
            .expect("log-probabilities were requested");
        let steps_obs = trajs
            .obs
            .slice(s![.., ..t_len, ..])
            .to_shape((n * t_len, od))
            .expect("a standard-layout slice reshapes")
            .to_owned();
        let acts = trajs
            .acts
            .to_shape((n * t_len, ad))
            .expect("a standard-layout array reshapes")
            .to_owned();

        // 2. Rewards: r_t = −c(x_t, u_t) or r_env(x_t, u_t), minus α log π(u_t | x_t).
        let (mut rewards, mean_cost) = match self.reward.as_cost() {
            None => (trajs.rews.clone(), None),
            Some(cost) => {
                let c = cost
                    .episode_costs(trajs.obs.view(), trajs.acts.view())
                    .map_err(|source| PpoError::Update {
                        iteration: it,
                        source,
                    })?;
                if let Some(&v) = c.iter().find(|v| !v.is_finite()) {
                    return Err(non_finite("the cost of a sampled step", v));
                }
                let mean = c.mean().unwrap_or(0.0);
                (c.mapv(|v| -v), Some(mean))
            }
        };
        if cfg.alpha != 0.0 {
            rewards.scaled_add(-cfg.alpha, &log_prob);
        }
        if cfg.scale_rewards {
            // r_t / √Var[G_t], with G_t = γ G_{t−1} + r_t the running discounted return.
            let mut discounted = Array2::zeros((n * t_len, 1));
            for (i, ep) in rewards.rows().into_iter().enumerate() {
                let mut g = 0.0f32;
                for (t, &r) in ep.iter().enumerate() {
                    g = cfg.gamma * g + r;
                    discounted[[i * t_len + t, 0]] = g;
                }
            }
            self.return_norm.update(discounted.view());
            let scale = (1.0 / (self.return_norm.var()[0] + 1e-8).sqrt()) as f32;
            rewards.mapv_inplace(|r| r * scale);
        }

        // Values V(x_1) … V(x_{T+1}) of every episode, on the inputs the policy acted on.
        let all_obs = trajs
            .obs
            .to_shape((n * (t_len + 1), od))
            .expect("a standard-layout array reshapes")
            .to_owned();
        let values = self
            .value_on_normalized(snapshot.normalize(all_obs.view()).view())
            .map_err(|source| PpoError::Update {
                iteration: it,
                source,
            })?
            .into_shape_with_order((n, t_len + 1))
            .expect("N·(T+1) values");
        if let Some(&v) = values.iter().find(|v| !v.is_finite()) {
            return Err(non_finite("the value of a sampled state", v));
        }

        // GAE per episode: A_t = Σ_k (γλ)^k δ_{t+k}, R_t = A_t + V(x_t).
        let mut advantages = Array1::zeros(n * t_len);
        let mut returns = Array1::zeros(n * t_len);
        for i in 0..n {
            let (a, r) = gae(
                rewards.row(i),
                values.row(i),
                cfg.gamma,
                cfg.gae_lambda,
                cfg.bootstrap_at_horizon,
            );
            advantages
                .slice_mut(s![i * t_len..(i + 1) * t_len])
                .assign(&a);
            returns.slice_mut(s![i * t_len..(i + 1) * t_len]).assign(&r);
        }
        let batch = Batch {
            obs: snapshot.normalize(steps_obs.view()),
            acts,
            old_log_prob: log_prob
                .to_shape(n * t_len)
                .expect("a standard-layout array reshapes")
                .to_owned(),
            advantages,
            returns,
            demos: DemoSteps::normalized(self.demos.as_ref(), &cfg, |x| snapshot.normalize(x)),
        };

        // 3. Epochs of shuffled minibatches.
        let update = self.update(&batch, it)?;

        // 4. The normaliser learns this batch's observations for the next snapshot.
        if cfg.normalize_obs {
            self.obs_norm.update(steps_obs.view());
        }
        self.iteration += 1;
        self.episodes += n as u64;
        self.env_steps += (n * t_len) as u64;
        let mean_return = trajs.return_stats().0;
        self.last_samples = Some(trajs);
        Ok(PpoMetrics {
            iteration: self.iteration,
            env_steps: self.env_steps,
            mean_return,
            mean_cost,
            mean_log_prob: log_prob.mean().unwrap_or(f32::NAN),
            policy_loss: update.policy_loss,
            value_loss: update.value_loss,
            entropy: self.entropy(),
            approx_kl: update.approx_kl,
            clip_fraction: update.clip_fraction,
        })
    }

    /// Entropy of the diagonal Gaussian, `Σ_j ln σ_j + ½ d (1 + ln 2π)` (before any squashing).
    fn entropy(&self) -> f32 {
        let log_std = self.policy.log_std();
        log_std.sum() + 0.5 * log_std.len() as f32 * (1.0 + LN_2PI)
    }
}

fn check_reward(reward: &RewardSource, obs_dim: usize, act_dim: usize) -> Result<()> {
    if let Some(c) = reward.as_cost() {
        if (c.obs_dim(), c.act_dim()) != (obs_dim, act_dim) {
            return Err(PpoError::Config(format!(
                "the cost takes {} observations and {} actions, the task has {obs_dim} and {act_dim}",
                c.obs_dim(),
                c.act_dim()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
