//! Errors of guided cost learning.

use crate::fusion::FusionError;
use crate::nn::NnError;
use thiserror::Error;

/// What can go wrong when building a cost or discriminator, or evaluating its losses.
#[derive(Debug, Error)]
pub enum GclError {
    /// The network layer failed (shapes, devices, configuration).
    #[error(transparent)]
    Nn(#[from] NnError),
    /// The fusion density could not be computed.
    #[error(transparent)]
    Fusion(#[from] FusionError),
    /// Arrays whose sizes do not fit together.
    #[error("{what}: expected {expected}, got {found}")]
    Shape {
        /// Which input was wrong.
        what: &'static str,
        /// What was expected.
        expected: String,
        /// What was given.
        found: String,
    },
    /// A batch with no trajectory or no step.
    #[error("{0} is empty")]
    Empty(&'static str),
    /// An input or a computed value that is NaN or infinite.
    #[error("{what} holds a non-finite value {value} at index {index}")]
    NonFinite {
        /// Which input or value.
        what: &'static str,
        /// Position of the first offending entry.
        index: usize,
        /// The entry.
        value: f64,
    },
    /// A configuration value that makes no sense.
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
}

/// Result type of guided cost learning.
pub type Result<T, E = GclError> = std::result::Result<T, E>;

/// Errors unless every value is finite.
pub(crate) fn check_finite(what: &'static str, values: &[f64]) -> Result<()> {
    match values.iter().position(|v| !v.is_finite()) {
        Some(index) => Err(GclError::NonFinite {
            what,
            index,
            value: values[index],
        }),
        None => Ok(()),
    }
}

/// Errors unless `values` has `expected` entries.
pub(crate) fn check_len(what: &'static str, expected: usize, found: usize) -> Result<()> {
    if expected == found {
        Ok(())
    } else {
        Err(GclError::Shape {
            what,
            expected: format!("{expected} values"),
            found: format!("{found}"),
        })
    }
}
