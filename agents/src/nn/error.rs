//! Errors of the network layer.

use std::path::PathBuf;

/// What can go wrong when building, running, training, saving or loading a network.
#[derive(Debug, thiserror::Error)]
pub enum NnError {
    /// A device name other than `cpu`, `cuda` or `cuda:N`.
    #[error("unknown device `{0}` (expected `cpu`, `cuda` or `cuda:N`)")]
    UnknownDevice(String),
    /// CUDA was asked for but this build has no CUDA backend.
    #[error("device `{0}` needs CUDA, but costlearn-agents was built without the `cuda` feature")]
    CudaNotCompiled(String),
    /// The backend failed (allocation, kernel launch, driver).
    #[error("device error: {0}")]
    Backend(String),
    /// Two arrays whose shapes do not fit together.
    #[error("shape mismatch in {op}: {left:?} and {right:?}")]
    ShapeMismatch {
        /// The operation that was attempted.
        op: &'static str,
        /// Shape of the first operand (rows, columns).
        left: (usize, usize),
        /// Shape of the second operand (rows, columns).
        right: (usize, usize),
    },
    /// A row, column or class index outside its range.
    #[error("index {index} out of range 0..{len} in {op}")]
    IndexOutOfRange {
        /// The operation that was attempted.
        op: &'static str,
        /// The offending index.
        index: usize,
        /// Number of valid indices.
        len: usize,
    },
    /// A value that should encode an index (a state or a discrete action) is not a non-negative integer.
    #[error("{what} {value} is not a valid index")]
    BadIndex {
        /// What the value was meant to be.
        what: &'static str,
        /// The value found.
        value: f32,
    },
    /// Variables recorded on two different graphs were combined.
    #[error("variables from different graphs cannot be combined")]
    GraphMismatch,
    /// A graph or a parameter set lives on another device.
    #[error("device mismatch: {0} and {1}")]
    DeviceMismatch(String, String),
    /// `backward` was called on something other than a 1×1 variable.
    #[error("backward needs a 1x1 loss, got shape {0:?}")]
    NotScalar((usize, usize)),
    /// `backward` was called a second time on the same graph.
    #[error("the graph's recorded operations were already consumed by backward")]
    GraphConsumed,
    /// A parameter name used twice in one set.
    #[error("duplicate parameter name `{0}`")]
    DuplicateParam(String),
    /// A configuration value that makes no sense (zero sizes, negative rates, ...).
    #[error("invalid configuration: {0}")]
    InvalidConfig(String),
    /// Reading or writing a weights file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A weights file that is not valid safetensors, or does not match the network.
    #[error("{path}: {reason}")]
    BadWeights {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
}

/// Result type of the network layer.
pub type Result<T, E = NnError> = std::result::Result<T, E>;
