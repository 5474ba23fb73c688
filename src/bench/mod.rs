//! Benchmarks: a suite of runs (algorithms × tasks × demonstration counts × seeds) on the shipped
//! demonstrations, each a normal run directory, and the report that compares them.
//!
//! Layout of a bench's folder: `suite.toml` (the suite it runs), `runs/<task>/<algorithm>/demos-<n>/seed-<s>/`
//! (one run directory each, ending with [`runner::RESULT_FILE`]), `results.csv`, `report.md`,
//! `report.html` and `plots/`.

pub mod aggregate;
pub mod report;
pub mod runner;
pub mod suite;
