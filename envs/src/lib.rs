//! # costlearn-envs
//!
//! The world side of costlearn, with no learning code: the [`Env`] and [`Policy`] traits, observation
//! and action [`Space`]s, deterministic parallel rollouts, tabular MDPs with known dynamics, and
//! demonstration files in numpy's `.npz` format.
//!
//! Everything is reproducible: an episode's randomness comes from `(seed, episode index)` alone
//! ([`seeding::episode_rng`]), so results do not depend on the number of threads.
#![warn(missing_docs)]

pub mod atomic;
pub mod control;
pub mod demos;
pub mod env;
pub mod error;
pub mod policy;
pub mod registry;
pub mod rollout;
pub mod seeding;
pub mod space;
pub mod spec;
pub mod tabular;
pub mod trajectory;
pub mod vec_env;

pub use env::{Env, VecEnv};
pub use error::EnvError;
pub use policy::{Policy, UniformRandom};
pub use registry::EnvEntry;
pub use seeding::{episode_rng, Rng};
pub use space::Space;
pub use spec::EnvSpec;
pub use trajectory::{Trajectories, Trajectory};
pub use vec_env::ParallelEnvs;
