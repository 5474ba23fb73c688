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
#![warn(missing_docs)]

pub mod bc;
pub mod cost;
pub mod fusion;
pub mod gcl;
pub mod maxent_irl;
pub mod nn;
pub mod policy;
pub mod ppo;
