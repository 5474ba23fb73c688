//! Guided cost learning in its GAN form (Finn, Christiano, Abbeel, Levine 2016, "A Connection
//! Between Generative Adversarial Networks, Inverse Reinforcement Learning, and Energy-Based
//! Models").
//!
//! - [`cost_net`]: the learned cost `c_θ(x, u)` (or `c_θ(x)`), its trajectory sum and its
//!   optional regularisers;
//! - [`discriminator`]: `D_θ(τ) = σ(−c_θ(τ) − log Z − log q(τ))` with a learned `log Z`, per
//!   trajectory or per transition;
//! - [`losses`]: `L_disc`, `L_cost` and `L_gen`, each written once with its equation;
//! - [`partition`]: the importance-sampling estimate of the partition function;
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

mod config;
pub mod cost_net;
pub mod discriminator;
mod error;
pub mod losses;
pub mod partition;
mod train;

pub use config::GclConfig;
pub use cost_net::{CostInput, CostNet, CostNetBuilder, HostCostNet, StepBatch};
pub use discriminator::{Discriminator, DiscriminatorBuilder, Granularity, Scored};
pub use error::{GclError, Result};
pub use partition::{log_mu_tilde, Scores};
pub use train::{DiscRound, DiscriminatorTrainer};

#[cfg(test)]
mod tests;
