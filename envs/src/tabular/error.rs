//! Errors of tabular model construction and planning.

use thiserror::Error;

/// What can go wrong when building a tabular task, checking an [`Mdp`](super::Mdp), or planning on it.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum TabularError {
    /// A builder or planner parameter outside its allowed range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong with its value.
        reason: String,
    },
    /// An array whose shape does not fit the model it is used with.
    #[error("{what} has shape {got:?}, expected {expected:?}")]
    Shape {
        /// The array.
        what: &'static str,
        /// Its shape.
        got: Vec<usize>,
        /// The shape it must have.
        expected: Vec<usize>,
    },
    /// An MDP that is not well formed (see [`Mdp::validate`](super::Mdp::validate)).
    #[error("invalid MDP: {0}")]
    InvalidMdp(String),
    /// A policy table that is not a distribution over actions.
    #[error("invalid policy: {0}")]
    InvalidPolicy(String),
}

/// Shorthand for [`TabularError::InvalidParameter`].
pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> TabularError {
    TabularError::InvalidParameter {
        name,
        reason: reason.into(),
    }
}
