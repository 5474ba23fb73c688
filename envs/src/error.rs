//! Errors of the environment side.

use thiserror::Error;

/// Errors from the registry, rollouts and environment construction.
#[derive(Debug, Error)]
pub enum EnvError {
    /// No task of that name is registered.
    #[error("unknown environment `{name}` (known: {known})")]
    UnknownEnv {
        /// The name asked for.
        name: String,
        /// The registered names, comma separated.
        known: String,
    },
    /// A task of that name is registered already.
    #[error("environment `{0}` is already registered")]
    AlreadyRegistered(String),
    /// The task has no expert to record demonstrations with.
    #[error("environment `{0}` has no expert policy registered")]
    NoExpert(String),
    /// A spec or configuration that cannot work.
    #[error("invalid environment `{name}`: {reason}")]
    Invalid {
        /// The task.
        name: String,
        /// What is wrong.
        reason: String,
    },
    /// No uniform random policy exists over the action space (an unbounded or invalid one).
    #[error("no uniform random policy over {space}: {reason}")]
    NoUniformPolicy {
        /// The action space.
        space: String,
        /// Why.
        reason: String,
    },
    /// An environment or policy produced a non-finite number, or a wrongly shaped array.
    #[error("rollout of `{env}` failed at episode {episode}, step {step}: {reason}")]
    Rollout {
        /// The task.
        env: String,
        /// Episode index within the run.
        episode: usize,
        /// Step within the episode.
        step: usize,
        /// What went wrong.
        reason: String,
    },
}
