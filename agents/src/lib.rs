//! # costlearn-agents
//!
//! The learning side of costlearn. Depends on `costlearn-envs` only.
//!
//! - [`nn`]: networks with sizes chosen at run time, a tape for gradients, Adam, safetensors files.
//!   Every type of the tensor backend stays inside this module.
//! - [`policy`]: Gaussian and categorical policies, trained through [`nn`] and exported as cheap CPU
//!   snapshots implementing [`costlearn_envs::Policy`].
//! - [`bc`]: behavioral cloning, the baseline every inverse-RL result is compared against.
//! - [`cost`]: per-step costs `c(x, u)` and the reward source of RL learners.
//! - [`ppo`]: PPO with GAE, the maximum-entropy RL learner for continuous control.
//! - [`fusion`]: the generator density fused over past policy snapshots.
//! - [`gcl`]: guided cost learning in its GAN form: cost network, discriminator, losses.
//! - [`maxent_irl`]: exact tabular MaxEnt IRL, the ground truth for sample-based learners.
//! - [`ebm`]: the same GAN training learning an energy-based model of points (the paper's §4).
//!
//! From demonstrations to a cloned policy and to a learned cost with its policy, each scored on
//! the true reward:
//!
//! ```
//! use costlearn_agents::prelude::*;
//!
//! let entry = registry::lookup("pendulum").unwrap();
//! let expert = entry.expert().unwrap();
//! let mut envs = entry.make_vec(4);
//! let demos = Rollout::new(0).episodes(4).collect(envs.as_mut(), expert.as_ref()).unwrap();
//!
//! // Behavioral cloning: maximum likelihood of the demonstrated actions.
//! let bc = BcConfig::new().epochs(2).seed(1).train(&demos).unwrap().policy.snapshot();
//! let cloned = Rollout::new(100).episodes(4).collect(envs.as_mut(), &bc).unwrap();
//! assert!(cloned.return_stats().0.is_finite());
//!
//! // Guided cost learning with the library's defaults for the task.
//! let config = LearnerConfig::for_task(&entry, 1);
//! let mut gcl = GclLearner::new(&entry, config, demos, Device::Cpu).unwrap();
//! let metrics = gcl.step().unwrap();
//! assert_eq!(metrics.iteration, 1);
//! let (mean_return, _) = gcl.generator_mut().evaluate(100, 4).unwrap();
//! assert!(mean_return.is_finite());
//! ```
#![warn(missing_docs)]

pub mod bc;
pub mod cost;
pub mod ebm;
pub mod fusion;
pub mod gcl;
pub mod maxent_irl;
pub mod nn;
pub mod policy;
pub mod ppo;

/// What a user of the crate needs in scope: the learners and their settings, the policy and cost
/// traits, the device, and everything of [`costlearn_envs::prelude`].
pub mod prelude {
    pub use crate::bc::BcConfig;
    pub use crate::cost::{Cost, RewardSource};
    pub use crate::gcl::{GclConfig, GclLearner, LearnedCost, LearnerConfig};
    pub use crate::nn::Device;
    pub use crate::policy::TrainablePolicy;
    pub use crate::ppo::{Ppo, PpoConfig};
    pub use costlearn_envs::prelude::*;
}
