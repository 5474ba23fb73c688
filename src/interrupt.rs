//! Ctrl-C during `train rl` and `train gcl`: the first one lets the iteration in flight finish and
//! its checkpoint be written, then the run stops with a line saying how to resume it; a second one
//! quits at once (the last checkpoint is still whole).

use anyhow::{Context, Result};
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
pub const EXIT_STATUS: u8 = 130;

static REQUESTED: AtomicBool = AtomicBool::new(false);
static INSTALLED: AtomicBool = AtomicBool::new(false);

/// Routes Ctrl-C to [`requested`] instead of ending the process (once per process; later calls
/// keep the handler).
pub fn install() -> Result<()> {
    if INSTALLED.swap(true, Ordering::SeqCst) {
        return Ok(());
    }
    ctrlc::set_handler(|| {
        if REQUESTED.swap(true, Ordering::SeqCst) {
            std::process::exit(i32::from(EXIT_STATUS));
        }
        eprintln!("\nstopping after the iteration in flight (Ctrl-C again quits at once)");
    })
    .context("cannot install the Ctrl-C handler")
}

/// Whether Ctrl-C has been pressed since [`install`] (or a stop [`request`]ed).
pub fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

/// Asks the run in flight to stop after its iteration, as a first Ctrl-C does: for a host that
/// handles the signal itself (the Python package watches for `KeyboardInterrupt`).
pub fn request() {
    REQUESTED.store(true, Ordering::SeqCst);
}

/// Forgets a stop request, before a host starts its next run.
pub fn clear() {
    REQUESTED.store(false, Ordering::SeqCst);
}

/// A training run stopped by Ctrl-C after a whole iteration and its checkpoint.
#[derive(Debug)]
pub struct Interrupted {
    /// Iterations done.
    pub iteration: usize,
}

impl fmt::Display for Interrupted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "interrupted after iteration {}; continue with: {}",
            self.iteration,
            resume_command()
        )
    }
}

impl std::error::Error for Interrupted {}

/// This process's command line without `--force` and with `--resume`.
fn resume_command() -> String {
    let mut words: Vec<String> = std::env::args()
        .enumerate()
        .map(|(i, arg)| if i == 0 { "costlearn".into() } else { arg })
        .filter(|arg| arg != "--force")
        .collect();
    if !words.iter().any(|arg| arg == "--resume") {
        words.push("--resume".into());
    }
    words
        .iter()
        .map(|w| {
            if w.is_empty() || w.contains(|c: char| c.is_whitespace() || c == '\'' || c == '"') {
                format!("'{}'", w.replace('\'', r"'\''"))
            } else {
                w.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}
