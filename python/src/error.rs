//! costlearn's errors as one Python exception type, with the command line's one-line messages.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::PyErr;

create_exception!(
    _costlearn,
    CostlearnError,
    PyException,
    "An error of costlearn: a bad file, an unknown task, wrongly shaped arrays."
);

/// `error` and its causes on one line, each cause once, joined by `": "` (what the command line
/// prints after `error: `).
pub fn one_line(error: &(dyn std::error::Error + 'static)) -> String {
    let mut line = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        source = cause.source();
    }
    line
}

/// A [`CostlearnError`] carrying [`one_line`] of `error`.
pub fn to_py(error: impl std::error::Error + 'static) -> PyErr {
    CostlearnError::new_err(one_line(&error))
}

/// A [`CostlearnError`] with `message`.
pub fn invalid(message: impl Into<String>) -> PyErr {
    CostlearnError::new_err(message.into())
}
