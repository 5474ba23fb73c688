//! What the end-to-end tests share: running the `costlearn` binary and judging its errors.
//!
//! Each test file compiles this module on its own and uses part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the `costlearn` binary built for these tests with `args`.
pub fn costlearn(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_costlearn"))
        .args(args)
        .output()
        .expect("the costlearn binary runs")
}

/// The command's standard error as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A user's mistake: non-zero exit, one line on stderr that starts with `error:` and contains
/// `needle`, no panic or backtrace.
pub fn assert_clean_failure(out: &Output, needle: &str) {
    let err = stderr(out);
    assert!(
        !out.status.success(),
        "expected failure, got success: {err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "one line expected: {err}"
    );
    assert!(err.starts_with("error:"), "{err}");
    assert!(err.contains(needle), "`{needle}` not in: {err}");
}

/// A demonstration file shipped in `demos/`.
pub fn shipped(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("demos")
        .join(file)
}
