//! `costlearn bench`: runs a benchmark suite and writes its report (see [`crate::bench`]).

use crate::bench::{self, suite::Suite};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// Arguments of `costlearn bench`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Built-in suite (`quick`, `standard`, `transfer`, `ablation`) or a suite file (`.toml`).
    #[arg(long, default_value = "quick")]
    suite: String,
    /// Output folder (default: `bench-out/<suite name>`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Runs at once; the cores are split between them. Results do not depend on it.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Continue the bench in a non-empty output folder, skipping its finished runs.
    #[arg(long)]
    resume: bool,
}

/// Runs the suite's unfinished runs, then writes the report of all of them.
pub fn run(args: Args) -> Result<()> {
    let suite = Suite::load(&args.suite)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("bench-out").join(&suite.name));
    let command = format!(
        "cargo run --release -- bench --suite {} --out {}",
        args.suite,
        out.display()
    );
    bench::run(&suite, &out, args.jobs, args.resume, &command)
}
