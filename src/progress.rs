//! How long work shows how it goes: a progress bar over its iterations and, from the command
//! line, summary lines on stdout.

use indicatif::{ProgressBar, ProgressStyle};
use std::fmt::Display;

/// A progress bar over training iterations, drawn on stderr.
pub fn progress_bar(iterations: usize) -> ProgressBar {
    let bar = ProgressBar::new(iterations as u64);
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] iteration {pos}/{len}, {msg} (eta {eta})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// Where a training run shows how it goes: a progress bar over its iterations and, from the
/// command line, summary lines on stdout.
pub struct Progress {
    bar: ProgressBar,
    summaries: bool,
}

impl Progress {
    /// A bar on stderr and summary lines on stdout: what `costlearn train` shows.
    pub fn terminal() -> Self {
        Self {
            bar: progress_bar(0),
            summaries: true,
        }
    }

    /// `bar` (drawn by the caller, which styles it) and no summary lines.
    pub fn quiet(bar: ProgressBar) -> Self {
        Self {
            bar,
            summaries: false,
        }
    }

    /// Nothing drawn and nothing printed: for a program that calls the library itself.
    pub fn hidden() -> Self {
        Self::quiet(ProgressBar::hidden())
    }

    /// The bar, sized for `iterations`.
    pub fn bar(&self, iterations: usize) -> &ProgressBar {
        self.bar.set_length(iterations as u64);
        &self.bar
    }

    /// Prints one warning line on stderr, quiet or not.
    pub fn warn(&self, line: impl Display) {
        self.bar.suspend(|| eprintln!("warning: {line}"));
    }

    /// Prints one summary line unless quiet.
    pub fn summary(&self, line: impl Display) {
        if self.summaries {
            println!("{line}");
        }
    }
}
