//! The generator of guided cost learning: the maximum-entropy policy that learns on the current cost
//! `c_θ` and draws the samples the discriminator sees (Finn, Christiano, Abbeel, Levine 2016, §2.3).
//!
//! Each step the generator minimises `E_q[c_θ(τ)] + α·E_q[log q(τ)]` (the sampler loss of the
//! paper's Eq. 2 at α = 1), i.e. maximises the per-step reward `r_t = −c_θ(x_t,u_t) − α log π(u_t|x_t)`:
//!
//! - [`Generator::Ppo`]: continuous control, one PPO step with GAE on that reward;
//! - [`Generator::Tabular`]: discrete MDPs with known dynamics, where finite-horizon soft value
//!   iteration gives the exact MaxEnt policy of the current cost ([`TabularGenerator`]).
//!
//! Either way a step returns the CPU snapshot of the policy that drew the step's samples, so the
//! fusion density can score every sample and demonstration under it.

use super::cost_net::{CostInput, CostPart, HostCostNet, StepBatch};
use super::error::GclError;
use super::learned_cost::LearnedCost;
use crate::nn::{Device, NnError, ParamId, ParamSet};
use crate::ppo::{Ppo, PpoError};
use costlearn_envs::rollout::Rollout;
use costlearn_envs::tabular::{
    observation, soft_value_iteration, Mdp, TabularError, TabularPolicy,
};
use costlearn_envs::{EnvEntry, EnvError, EnvSpec, Policy, Trajectories, VecEnv};
use ndarray::{Array1, Array2, Array3, Axis};
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;
use thiserror::Error;

/// Errors of the generator side.
#[derive(Debug, Error)]
pub enum GeneratorError {
    /// The PPO learner failed.
    #[error(transparent)]
    Ppo(#[from] PpoError),
    /// Planning on the tabular model failed.
    #[error(transparent)]
    Tabular(#[from] TabularError),
    /// Sampling episodes failed.
    #[error(transparent)]
    Rollout(#[from] EnvError),
    /// The learned cost could not be evaluated.
    #[error(transparent)]
    Cost(#[from] GclError),
    /// Saving or loading the policy failed.
    #[error("policy file: {0}")]
    Weights(#[from] NnError),
    /// The settings do not fit the task.
    #[error("{0}")]
    Setup(String),
}

/// What one generator step did.
#[derive(Clone)]
pub struct GeneratorStep {
    /// The policy that drew `samples`, frozen for scoring.
    pub snapshot: Arc<dyn Policy>,
    /// The step's episodes, with `log π(u_t | x_t)`.
    pub samples: Trajectories,
    /// Environment steps sampled so far.
    pub env_steps: u64,
    /// Mean true (environment) return of `samples`.
    pub mean_return: f32,
    /// Mean learned cost of the sampled steps.
    pub mean_cost: f32,
    /// Mean `log π(u_t | x_t)` of the sampled actions.
    pub mean_log_prob: f32,
}

/// Settings of the tabular generator, serialisable.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TabularConfig {
    /// Episodes sampled per iteration.
    pub episodes: usize,
    /// Step `η ∈ (0, 1]` toward the exact MaxEnt policy `π*` of the current cost: the new policy is
    /// `log π_i ∝ (1 − η) log π_{i−1} + η log π*` (1: re-solve exactly each iteration). The default
    /// 0.2 damps the oscillation of the game: on objectworld, exact re-solving (η = 1) left the
    /// policy 0.1–0.3 nats/step from exact MaxEnt IRL's after 60 iterations, η = 0.2 about 0.035.
    pub step_size: f64,
    /// Environments stepped side by side while sampling.
    pub parallel_envs: usize,
    /// Seed of the sampled episodes.
    pub seed: u64,
}

impl Default for TabularConfig {
    fn default() -> Self {
        Self {
            episodes: 64,
            step_size: 0.2,
            parallel_envs: 8,
            seed: 0,
        }
    }
}

impl TabularConfig {
    /// Errors on a value that makes no sense.
    pub fn validate(&self) -> Result<(), GeneratorError> {
        let bad = |msg: String| Err(GeneratorError::Setup(msg));
        if self.episodes == 0 || self.parallel_envs == 0 {
            return bad(
                "the tabular generator needs at least one episode and one environment".into(),
            );
        }
        if !(self.step_size > 0.0 && self.step_size <= 1.0) {
            return bad(format!(
                "the tabular generator's step size must be in (0, 1], got {}",
                self.step_size
            ));
        }
        Ok(())
    }
}

/// The exact MaxEnt generator of a tabular task: soft value iteration on the known model for the
/// reward `r(s, a) = −g_θ(φ(s))` at temperature α, sampled with the rollout engine (`g_θ` is the
/// whole cost of an unshaped cost, the task part of a shaped one).
pub struct TabularGenerator {
    mdp: Arc<Mdp>,
    spec: EnvSpec,
    envs: Box<dyn VecEnv>,
    config: TabularConfig,
    alpha: f64,
    state_cost: Array1<f64>,
    policy: TabularPolicy,
    episodes_done: u64,
}

impl TabularGenerator {
    /// A generator on the tabular task of `entry` (its model is `mdp`) with entropy weight `alpha`,
    /// starting from the uniform policy and a zero cost.
    pub fn new(
        entry: &EnvEntry,
        mdp: Arc<Mdp>,
        config: TabularConfig,
        alpha: f64,
    ) -> Result<Self, GeneratorError> {
        config.validate()?;
        mdp.validate()?;
        if !(alpha.is_finite() && alpha > 0.0) {
            return Err(GeneratorError::Setup(format!(
                "soft value iteration needs an entropy weight α > 0, got {alpha}"
            )));
        }
        let envs = entry.make_vec(config.parallel_envs);
        let spec = envs.spec().clone();
        let policy =
            TabularPolicy::uniform(mdp.horizon, mdp.num_states(), mdp.num_actions(), mdp.width)?;
        Ok(Self {
            state_cost: Array1::zeros(mdp.num_states()),
            mdp,
            spec,
            envs,
            config,
            alpha,
            policy,
            episodes_done: 0,
        })
    }

    /// The tabular model.
    pub fn mdp(&self) -> &Arc<Mdp> {
        &self.mdp
    }

    /// The current policy.
    pub fn policy(&self) -> &TabularPolicy {
        &self.policy
    }

    /// The learned cost of every state (the task part `g_θ(s)` of a shaped cost), as last set.
    pub fn state_cost(&self) -> &Array1<f64> {
        &self.state_cost
    }

    /// The entropy weight α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Reads the cost of every state, the task part `g_θ` of a shaped cost, from a cost over state
    /// features.
    fn set_cost(&mut self, cost: &HostCostNet) -> Result<(), GeneratorError> {
        if cost.input() != CostInput::StateFeatures {
            return Err(GeneratorError::Setup(
                "the tabular generator needs a cost over state features".into(),
            ));
        }
        let (s_n, width) = (self.mdp.num_states(), self.mdp.width);
        // Each state as a one-step trajectory observed at t = 0 (the cost reads only φ(s)).
        let obs = Array3::from_shape_fn((s_n, 1, observation::OBS_DIM), |(s, _, j)| {
            observation::encode(s, 0, width)[j]
        });
        let c = cost.step_costs_of(&StepBatch::states(obs.view())?, CostPart::Task)?;
        self.state_cost = c.column(0).mapv(f64::from);
        Ok(())
    }

    /// The exact MaxEnt policy `π*` of the current cost (soft value iteration at temperature α).
    pub fn maxent_log_pi(&self) -> Result<Array3<f64>, GeneratorError> {
        let reward =
            Array2::from_shape_fn((self.mdp.num_states(), self.mdp.num_actions()), |(s, _)| {
                -self.state_cost[s]
            });
        Ok(soft_value_iteration(&self.mdp, reward.view(), self.alpha)?.log_pi)
    }

    /// Moves the policy toward the MaxEnt policy of the current cost, then samples its episodes.
    fn step(&mut self) -> Result<GeneratorStep, GeneratorError> {
        let target = self.maxent_log_pi()?;
        let eta = self.config.step_size;
        let log_pi = if eta >= 1.0 {
            target
        } else {
            // log π_i ∝ (1 − η) log π_{i−1} + η log π*
            normalized(&(self.policy.log_pi() * (1.0 - eta)) + &(target * eta))
        };
        self.policy = TabularPolicy::new(log_pi, self.mdp.width)?;
        let samples = Rollout::new(self.config.seed)
            .first_episode(self.episodes_done)
            .episodes(self.config.episodes)
            .log_probs(true)
            .collect(self.envs.as_mut(), &self.policy)?;
        self.episodes_done += self.config.episodes as u64;
        let (n, t) = (samples.len(), samples.horizon());
        let mut cost_sum = 0.0;
        for obs in samples.obs.outer_iter() {
            for row in obs.outer_iter().take(t) {
                let s = self.mdp.state_of(&row.to_vec()).ok_or_else(|| {
                    GeneratorError::Setup(format!("the task returned the observation {row}"))
                })?;
                cost_sum += self.state_cost[s];
            }
        }
        let mean_log_prob = samples
            .logp
            .as_ref()
            .map_or(f32::NAN, |l| l.mean().unwrap_or(f32::NAN));
        Ok(GeneratorStep {
            snapshot: Arc::new(self.policy.clone()),
            env_steps: self.episodes_done * t as u64,
            mean_return: samples.return_stats().0,
            mean_cost: (cost_sum / (n * t) as f64) as f32,
            mean_log_prob,
            samples,
        })
    }

    /// Saves the learned state cost `[S, 1]` and the policy table `[T·S, A]` as safetensors.
    pub fn save(&self, path: &Path) -> Result<(), GeneratorError> {
        let (mut params, cost, log_pi) = self.tables()?;
        params.set(
            cost,
            &self.state_cost.mapv(|c| c as f32).insert_axis(Axis(1)),
        )?;
        let (t, s, a) = self.policy.log_pi().dim();
        let table = self
            .policy
            .log_pi()
            .mapv(|l| l as f32)
            .into_shape_with_order((t * s, a))
            .map_err(|e| GeneratorError::Setup(e.to_string()))?;
        params.set(log_pi, &table)?;
        Ok(params.save(path)?)
    }

    /// Loads what [`TabularGenerator::save`] wrote.
    pub fn load(&mut self, path: &Path) -> Result<(), GeneratorError> {
        let (mut params, cost, log_pi) = self.tables()?;
        params.load(path)?;
        let (t, s, a) = (
            self.mdp.horizon,
            self.mdp.num_states(),
            self.mdp.num_actions(),
        );
        let table = params
            .get(log_pi)
            .mapv(f64::from)
            .into_shape_with_order((t, s, a))
            .map_err(|e| GeneratorError::Setup(e.to_string()))?;
        // Renormalised in f64 after the round trip through f32.
        self.policy = TabularPolicy::new(normalized(table), self.mdp.width)?;
        self.state_cost = params.get(cost).column(0).mapv(f64::from);
        Ok(())
    }

    /// An empty parameter set holding the state cost and the policy table.
    fn tables(&self) -> Result<(ParamSet, ParamId, ParamId), GeneratorError> {
        let (t, s, a) = (
            self.mdp.horizon,
            self.mdp.num_states(),
            self.mdp.num_actions(),
        );
        let mut params = ParamSet::new(Device::Cpu)?;
        let cost = params.add("state_cost", Array2::zeros((s, 1)))?;
        let log_pi = params.add("log_pi", Array2::zeros((t * s, a)))?;
        Ok((params, cost, log_pi))
    }

    fn evaluate(&mut self, seed: u64, episodes: usize) -> Result<(f32, f32), GeneratorError> {
        let trajs = Rollout::new(seed)
            .episodes(episodes)
            .collect(self.envs.as_mut(), &self.policy)?;
        Ok(trajs.return_stats())
    }
}

/// Log-probabilities `[T, S, A]` shifted so that the actions of each `(t, s)` sum to one.
fn normalized(mut log_pi: Array3<f64>) -> Array3<f64> {
    for mut row in log_pi.lanes_mut(Axis(2)) {
        let max = row.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let log_sum = max + row.mapv(|v| (v - max).exp()).sum().ln();
        row.mapv_inplace(|v| v - log_sum);
    }
    log_pi
}

/// The MaxEnt RL side of guided cost learning.
pub enum Generator {
    /// PPO on a continuous-control task.
    Ppo(Box<Ppo>),
    /// Exact soft value iteration on a tabular task.
    Tabular(Box<TabularGenerator>),
}

impl std::fmt::Debug for Generator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Ppo(ppo) => f.debug_tuple("Ppo").field(ppo).finish(),
            Self::Tabular(t) => f
                .debug_struct("Tabular")
                .field("config", &t.config)
                .field("alpha", &t.alpha)
                .finish_non_exhaustive(),
        }
    }
}

impl Generator {
    /// The task's spec.
    pub fn spec(&self) -> &EnvSpec {
        match self {
            Self::Ppo(ppo) => ppo.spec(),
            Self::Tabular(t) => &t.spec,
        }
    }

    /// Rewards the next steps with `r_t = −c_θ(x_t, u_t) − α log π(u_t | x_t)` for this cost.
    pub fn set_cost(&mut self, cost: HostCostNet) -> Result<(), GeneratorError> {
        match self {
            Self::Ppo(ppo) => {
                let (od, ad) = (ppo.spec().obs_dim(), ppo.spec().act_dim());
                let reward =
                    crate::cost::RewardSource::Cost(Arc::new(LearnedCost::new(cost, od, ad)));
                Ok(ppo.set_reward(reward)?)
            }
            Self::Tabular(t) => t.set_cost(&cost),
        }
    }

    /// One MaxEnt RL step on the current cost, with the snapshot that drew its samples.
    pub fn step(&mut self) -> Result<GeneratorStep, GeneratorError> {
        match self {
            Self::Ppo(ppo) => {
                let snapshot = Arc::new(ppo.snapshot());
                let m = ppo.step()?;
                let samples = ppo.last_samples().cloned().ok_or_else(|| {
                    GeneratorError::Setup("the policy step returned no samples".into())
                })?;
                Ok(GeneratorStep {
                    snapshot,
                    samples,
                    env_steps: m.env_steps,
                    mean_return: m.mean_return,
                    mean_cost: m.mean_cost.unwrap_or(f32::NAN),
                    mean_log_prob: m.mean_log_prob,
                })
            }
            Self::Tabular(t) => t.step(),
        }
    }

    /// The mean and standard deviation of the current policy's true return over `episodes`
    /// episodes of the run seeded with `seed` (without learning from them).
    pub fn evaluate(&mut self, seed: u64, episodes: usize) -> Result<(f32, f32), GeneratorError> {
        match self {
            Self::Ppo(ppo) => Ok(ppo.evaluate(seed, episodes)?),
            Self::Tabular(t) => t.evaluate(seed, episodes),
        }
    }

    /// Saves the policy as safetensors (PPO: its networks and normalisers; tabular: the learned
    /// state cost and the policy table), atomically.
    pub fn save(&self, path: &Path) -> Result<(), GeneratorError> {
        match self {
            Self::Ppo(ppo) => Ok(ppo.save(path)?),
            Self::Tabular(t) => t.save(path),
        }
    }

    /// Loads what [`Generator::save`] wrote from a generator of the same task and settings.
    pub fn load(&mut self, path: &Path) -> Result<(), GeneratorError> {
        match self {
            Self::Ppo(ppo) => Ok(ppo.load(path)?),
            Self::Tabular(t) => t.load(path),
        }
    }
}
