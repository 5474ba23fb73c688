//! Guided cost learning in its GAN form (Finn, Christiano, Abbeel, Levine 2016, "A Connection
//! Between Generative Adversarial Networks, Inverse Reinforcement Learning, and Energy-Based
//! Models").
//!
//! - [`cost_net`]: the learned cost `c_θ(x, u)` (or `c_θ(x)`), its trajectory sum and its
//!   optional regularisers;
//! - [`discriminator`]: `D_θ(τ) = σ(−c_θ(τ) − log Z − log q(τ))` with a learned `log Z`, per
//!   trajectory or per transition;
//! - [`losses`]: `L_disc`, `L_cost` and `L_gen`, each written once with its equation;
//! - [`learned_cost`]: a trained cost network frozen as a [`Cost`](crate::cost::Cost), loaded from
//!   its weights file;
//! - [`partition`]: the importance-sampling estimate of the partition function;
//! - [`generator`]: the MaxEnt RL side, PPO on continuous tasks or exact soft value iteration on
//!   tabular ones;
//! - [`GclConfig`] and [`DiscriminatorTrainer`]: the discriminator's side of a round, `k` Adam
//!   steps on balanced minibatches of demonstrations and samples scored by a [`FusionBuffer`].
//!
//! [`FusionBuffer`]: crate::fusion::FusionBuffer
//!
//! The losses see only costs and generator log-densities, never actions, so the same code trains
//! an energy `c_θ(x)` against any generator with a density (the paper's §4).
//!
//! The three facts of the paper's §3.2 hold for these losses and are checked by the tests: the
//! `log Z` minimising `L_disc` is the importance-sampling estimate `log E_μ[exp(−c_θ)/μ̃]`; at that
//! `Z`, `∇_θ L_disc = ∇_θ L_cost`; and `L_gen = log Z + E_q[c_θ] + E_q[log q]`.
//!
//! ```
//! use costlearn_agents::gcl::{CostInput, CostNetBuilder, DiscriminatorBuilder, Granularity, StepBatch};
//! use costlearn_agents::nn::{Adam, Device};
//! use costlearn_envs::episode_rng;
//! use ndarray::Array3;
//!
//! // An energy c_θ(x) over 2-D points: each "trajectory" is one step with no action.
//! let mut disc = DiscriminatorBuilder::new()
//!     .cost(CostNetBuilder::new().input(CostInput::State).hidden(&[16]))
//!     .granularity(Granularity::Transition)
//!     .build(Device::Cpu, 2, 0, &mut episode_rng(0, 0))
//!     .unwrap();
//! let data = Array3::from_shape_fn((4, 1, 2), |(i, _, j)| (i + j) as f32 * 0.1);
//! let generated = Array3::from_shape_fn((4, 1, 2), |(i, _, j)| 1.0 - (i * j) as f32 * 0.1);
//! // log q of each point under the generator (any density the generator can evaluate).
//! let (log_q_data, log_q_gen) = ([-2.0; 4], [-1.0; 4]);
//!
//! let graph = disc.params().graph();
//! let p = disc.score(&graph, &StepBatch::states(data.view()).unwrap(), &log_q_data).unwrap();
//! let q = disc.score(&graph, &StepBatch::states(generated.view()).unwrap(), &log_q_gen).unwrap();
//! let loss = disc.discriminator_loss(&p, &q).unwrap();
//! let grads = disc.params().grads(loss.backward().unwrap()).unwrap();
//! Adam::new(1e-3).step(disc.params_mut(), grads).unwrap();
//! ```

mod checkpoint;
mod config;
pub mod cost_net;
pub mod discriminator;
mod error;
mod features;
pub mod generator;
pub mod learned_cost;
pub mod learner;
pub mod losses;
pub mod partition;
mod step_batch;
mod train;

pub use config::GclConfig;
pub use cost_net::{
    CostInput, CostNet, CostNetBuilder, CostPart, FeatureMap, HostCostNet, StepBatch, StepCostVars,
};
pub use discriminator::{Discriminator, DiscriminatorBuilder, Granularity, Scored};
pub use error::{GclError, Result};
pub use generator::{Generator, GeneratorError, GeneratorStep, TabularConfig, TabularGenerator};
pub use learned_cost::LearnedCost;
pub use learner::{
    FewDemos, GclLearner, GclMetrics, LearnerConfig, LearnerError, FEW_DEMOS, FEW_DEMO_DISC_STEPS,
    HOPPER_BC_WEIGHT, HOPPER_POLICY_LR, HOPPER_WARM_START, LOCAL_CONSTANT_RATE, REACHER_SEGMENT,
};
pub use partition::{log_mu_tilde, Scores};
pub use train::{DiscRound, DiscriminatorTrainer, LogitStats};

#[cfg(test)]
mod tests;
