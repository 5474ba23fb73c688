//! # costlearn-envs
//!
//! The world side of costlearn, with no learning code: the [`Env`] and [`Policy`] traits, observation
//! and action [`Space`]s, deterministic parallel rollouts, tabular MDPs with known dynamics, and
//! demonstration files in numpy's `.npz` format.
//!
//! Everything is reproducible: an episode's randomness comes from `(seed, episode index)` alone
//! ([`seeding::episode_rng`]), so results do not depend on the number of threads.
//!
//! From a registered task to a demonstration file and back:
//!
//! ```
//! use costlearn_envs::prelude::*;
//!
//! let entry = registry::lookup("pendulum").unwrap();
//! let expert = entry.expert().unwrap();
//! let mut envs = entry.make_vec(4);
//! // Episode i starts from (seed 0, i) whatever the number of copies or threads.
//! let trajs = Rollout::new(0).episodes(8).collect(envs.as_mut(), expert.as_ref()).unwrap();
//! assert_eq!(trajs.obs.dim(), (8, 201, 3));
//!
//! let dir = std::env::temp_dir().join("costlearn-envs-doc");
//! std::fs::create_dir_all(&dir).unwrap();
//! let path = dir.join("pendulum.npz");
//! demos::save(&path, &trajs).unwrap();
//! let loaded = demos::load_for(&path, entry.make().spec()).unwrap();
//! assert_eq!(loaded, trajs);
//!
//! // A uniform random policy does far worse than the expert.
//! let random = UniformRandom::new(entry.make().spec().action_space.clone()).unwrap();
//! let worse = Rollout::new(0).episodes(8).collect(envs.as_mut(), &random).unwrap();
//! assert!(worse.return_stats().0 < trajs.return_stats().0);
//!
//! // Seeded randomness of one's own, with rand's traits from the prelude.
//! let mut rng = Rng::seed_from_u64(7);
//! let _noise: f32 = rng.gen_range(-1.0..1.0);
//! ```
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
/// The `rand` crate whose traits drive [`Rng`].
pub use rand;
pub use registry::EnvEntry;
pub use seeding::{episode_rng, Rng};
pub use space::Space;
pub use spec::EnvSpec;
pub use trajectory::{Trajectories, Trajectory};
pub use vec_env::ParallelEnvs;

/// What a user of the crate needs in scope: the traits and types of tasks, policies, rollouts and
/// demonstration files, and `rand`'s traits for [`Rng`].
pub mod prelude {
    pub use crate::rollout::Rollout;
    pub use crate::{
        demos, episode_rng, registry, Env, EnvEntry, EnvSpec, Policy, Rng, Space, Trajectories,
        UniformRandom, VecEnv,
    };
    pub use rand::{Rng as _, SeedableRng as _};
}
