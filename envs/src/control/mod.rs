//! Continuous control tasks simulated with Rapier 2D, each with a scripted expert.
//!
//! Every task has a fixed horizon, draws its initial state from the reset seed, clips actions to its
//! action space, and reports its true reward. [`rapier`] holds the shared machinery: one copy per world
//! ([`RapierEnv`]) for the [`Env`](crate::Env) interface, and several copies per world
//! ([`RapierVecEnv`]) for fast batched stepping.

pub mod cartpole;
pub mod expert;
pub mod hopper;
pub mod mlp_expert;
pub mod navigation;
pub mod pendulum;
pub mod rapier;
pub mod reacher;

pub use expert::GaussianExpert;
pub use mlp_expert::MlpController;
pub use rapier::{Model, RapierEnv, RapierVecEnv};
