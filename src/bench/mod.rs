//! Benchmarks: a suite of runs (algorithms × tasks × demonstration counts × seeds) on the shipped
//! demonstrations, each a normal run directory, and the report that compares them.
//!
//! Layout of a bench's folder: `suite.toml` (the suite it runs), `runs/<task>/<algorithm>/demos-<n>/seed-<s>/`
//! (one run directory each, ending with [`runner::RESULT_FILE`]), `shards/` (what each shard ran,
//! see [`shard`]), `results.csv`, `report.md`, `report.html` and `plots/`.

pub mod across_tasks;
pub mod aggregate;
pub mod document;
pub mod glance;
pub mod report;
pub mod robust_aggregates;
pub mod runner;
pub mod shard;
pub mod slurm;
pub mod suite;
pub mod variant;

use anyhow::{bail, Context, Result};
use costlearn_envs::atomic::write_atomically;
use report::Provenance;
use shard::{Record, Shard};
use std::io::Write;
use std::path::{Path, PathBuf};
use suite::Suite;

/// Name of the copy of the suite kept in a bench's folder.
pub(crate) const SUITE_FILE: &str = "suite.toml";

/// Runs the unfinished runs of `suite` (those of `shard`, or all of them) into `out` (`jobs` at
/// once; with `resume`, a folder that holds an earlier bench of the same suite), then writes the
/// report of all of them, naming `command` as the one that reproduces it. A shard of several
/// writes no report but its record (see [`shard`]); `bench merge` reports on the shards together.
pub fn run(
    suite: &Suite,
    out: &Path,
    jobs: usize,
    resume: bool,
    shard: Option<Shard>,
    command: &str,
) -> Result<()> {
    // Shards of one suite may share a folder.
    check_out(out, suite, resume || shard.is_some())?;
    runner::check(suite)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let saved = out.join(SUITE_FILE);
    write_atomically(&saved, |f| f.write_all(suite.text.as_bytes()))
        .with_context(|| format!("cannot write {}", saved.display()))?;
    let shard = shard.unwrap_or(Shard::WHOLE);
    let part = Suite {
        runs: shard.runs(suite),
        ..suite.clone()
    };
    if shard == Shard::WHOLE {
        println!(
            "bench `{}`: {} runs into {}",
            suite.name,
            suite.runs.len(),
            out.display()
        );
    } else {
        println!(
            "bench `{}`, shard {shard}: {} of its {} runs into {}",
            suite.name,
            part.runs.len(),
            suite.runs.len(),
            out.display()
        );
    }
    let results = runner::run_suite(&part, out, jobs)?;
    let record = shard.record_path(out);
    let json = serde_json::to_string_pretty(&Record::new(suite, shard, &part.runs))?;
    std::fs::create_dir_all(out.join(shard::SHARDS_DIR))
        .and_then(|()| write_atomically(&record, |f| f.write_all(json.as_bytes())))
        .with_context(|| format!("cannot write {}", record.display()))?;
    if shard == Shard::WHOLE {
        report::write(out, suite, &results, &Provenance::here(command.to_string()))?;
        println!(
            "report in {} (report.html, report.md, results.csv)",
            out.display()
        );
    } else {
        println!(
            "shard {shard} done; once every shard is, `costlearn bench merge FOLDER... --out DIR` \
             writes the report"
        );
    }
    Ok(())
}

/// Gathers the runs of the bench folders `dirs` (shards of one suite, run by one costlearn
/// version) into `out` and writes their report; errors after writing it if runs are missing,
/// naming them.
pub fn merge(dirs: &[PathBuf], out: &Path, command: &str) -> Result<()> {
    let (suite, found, missing) = shard::gather(dirs)?;
    let same = |a: &Path| -> bool {
        let canon = |p: &Path| std::fs::canonicalize(p).ok();
        canon(a).is_some() && canon(a) == canon(out)
    };
    if !dirs.iter().any(|d| same(d)) {
        check_out(out, &suite, true)?;
    }
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let saved = out.join(SUITE_FILE);
    write_atomically(&saved, |f| f.write_all(suite.text.as_bytes()))
        .with_context(|| format!("cannot write {}", saved.display()))?;
    let mut results = Vec::with_capacity(found.len());
    for (spec, result, dir) in found {
        if !same(&dir) {
            copy_dir(&dir.join(spec.dir()), &out.join(spec.dir()))?;
        }
        results.push(result);
    }
    report::write(
        out,
        &suite,
        &results,
        &Provenance::here(command.to_string()),
    )?;
    println!(
        "merged {} runs of `{}` from {} folders; report in {}",
        results.len(),
        suite.name,
        dirs.len(),
        out.display()
    );
    if !missing.is_empty() {
        let names: Vec<String> = missing.iter().map(|m| m.label()).collect();
        bail!(
            "{} of the suite's {} runs are in none of the folders: {}",
            missing.len(),
            suite.runs.len(),
            names.join("; ")
        );
    }
    Ok(())
}

/// Copies the folder `from` to `to`, replacing what `to` held.
fn copy_dir(from: &Path, to: &Path) -> Result<()> {
    if to.exists() {
        std::fs::remove_dir_all(to).with_context(|| format!("cannot clear {}", to.display()))?;
    }
    std::fs::create_dir_all(to).with_context(|| format!("cannot create {}", to.display()))?;
    for entry in
        std::fs::read_dir(from).with_context(|| format!("cannot read {}", from.display()))?
    {
        let entry = entry?;
        let target = to.join(entry.file_name());
        if entry.file_type()?.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else {
            std::fs::copy(entry.path(), &target)
                .with_context(|| format!("cannot copy {}", entry.path().display()))?;
        }
    }
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
