//! Benchmarks: a suite of runs (algorithms × tasks × demonstration counts × seeds) on the shipped
//! demonstrations, each a normal run directory, and the report that compares them.
//!
//! Layout of a bench's folder: `suite.toml` (the suite it runs), `runs/<task>/<algorithm>/demos-<n>/seed-<s>/`
//! (one run directory each, ending with [`runner::RESULT_FILE`]), `results.csv`, `report.md`,
//! `report.html` and `plots/`.

pub mod across_tasks;
pub mod aggregate;
pub mod report;
pub mod robust_aggregates;
pub mod runner;
pub mod suite;
pub mod variant;

use anyhow::{bail, Context, Result};
use costlearn_envs::atomic::write_atomically;
use report::Provenance;
use std::io::Write;
use std::path::Path;
use suite::Suite;

/// Name of the copy of the suite kept in a bench's folder.
const SUITE_FILE: &str = "suite.toml";

/// Runs the unfinished runs of `suite` into `out` (`jobs` at once; with `resume`, a folder that
/// holds an earlier bench of the same suite), then writes the report of all of them, naming
/// `command` as the one that reproduces it.
pub fn run(suite: &Suite, out: &Path, jobs: usize, resume: bool, command: &str) -> Result<()> {
    check_out(out, suite, resume)?;
    runner::check(suite)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let saved = out.join(SUITE_FILE);
    write_atomically(&saved, |f| f.write_all(suite.text.as_bytes()))
        .with_context(|| format!("cannot write {}", saved.display()))?;
    println!(
        "bench `{}`: {} runs into {}",
        suite.name,
        suite.runs.len(),
        out.display()
    );
    let results = runner::run_suite(suite, out, jobs)?;
    report::write(out, suite, &results, &Provenance::here(command.to_string()))?;
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
