//! `costlearn bench`: runs a benchmark suite and writes its report (see [`crate::bench`]).

use crate::bench::report::{self, Provenance};
use crate::bench::runner;
use crate::bench::suite::Suite;
use anyhow::{bail, Context, Result};
use costlearn_envs::atomic::write_atomically;
use std::io::Write;
use std::path::{Path, PathBuf};

/// Name of the copy of the suite kept in a bench's folder.
const SUITE_FILE: &str = "suite.toml";

/// Arguments of `costlearn bench`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Built-in suite (`quick`, `standard`) or a suite file (`.toml`).
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
    check_out(&out, &suite, args.resume)?;
    std::fs::create_dir_all(&out).with_context(|| format!("cannot create {}", out.display()))?;
    let saved = out.join(SUITE_FILE);
    write_atomically(&saved, |f| f.write_all(suite.text.as_bytes()))
        .with_context(|| format!("cannot write {}", saved.display()))?;
    println!(
        "bench `{}`: {} runs into {}",
        suite.name,
        suite.runs.len(),
        out.display()
    );
    let results = runner::run_suite(&suite, &out, args.jobs)?;
    let command = format!(
        "cargo run --release -- bench --suite {} --out {}",
        args.suite,
        out.display()
    );
    report::write(&out, &suite, &results, &Provenance::here(command))?;
    println!(
        "report in {} (report.html, report.md, results.csv)",
        out.display()
    );
    Ok(())
}

/// A new bench needs an empty (or absent) folder; `--resume` needs the same suite as before.
fn check_out(out: &Path, suite: &Suite, resume: bool) -> Result<()> {
    if out.exists() && !out.is_dir() {
        bail!("{} exists and is not a directory", out.display());
    }
    let non_empty = out.is_dir()
        && std::fs::read_dir(out)
            .with_context(|| format!("cannot read {}", out.display()))?
            .next()
            .is_some();
    if non_empty && !resume {
        bail!(
            "{} is not empty: pass --resume to finish that bench (finished runs are skipped) or --out to start another",
            out.display()
        );
    }
    let saved = out.join(SUITE_FILE);
    if resume && saved.is_file() {
        let before = std::fs::read_to_string(&saved)
            .with_context(|| format!("cannot read {}", saved.display()))?;
        if before != suite.text {
            bail!(
                "{} holds a bench of another suite (see its {SUITE_FILE}); choose another --out",
                out.display()
            );
        }
    }
    Ok(())
}
