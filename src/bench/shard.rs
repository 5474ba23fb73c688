//! A suite split into disjoint shards that run apart (on the tasks of a Slurm job array, or on
//! several machines) into the usual run-folder layout, and the merge of their folders into one
//! report.
//!
//! The split is fixed: the runs are taken from the most to the least expensive by
//! [`expected_cost`] (suite order among equals), and each goes to the shard with the least
//! expected cost so far (the lowest-numbered among equals). Every shard records what it ran in
//! `shards/<I>-of-<N>.json`, which `bench merge` checks.

use super::runner::{read_result, RunResult};
use super::suite::{Algorithm, RunSpec, Suite};
use anyhow::{bail, Context, Result};
use costlearn_envs::registry;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// Where a bench folder keeps its shard records.
pub const SHARDS_DIR: &str = "shards";

/// The `index`-th of `count` shards, counted from 1.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 1 to `count`.
    pub index: usize,
    /// How many shards the suite is split into.
    pub count: usize,
}

impl Shard {
    /// The whole suite as one shard.
    pub const WHOLE: Self = Self { index: 1, count: 1 };

    /// The shard of a Slurm array task, from `SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_MIN` and
    /// `SLURM_ARRAY_TASK_COUNT` as `var` reads them; `None` outside a job array.
    pub fn from_slurm(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>> {
        let read = |name: &str| -> Result<Option<usize>> {
            var(name)
                .map(|v| {
                    v.trim()
                        .parse()
                        .with_context(|| format!("{name}={v} is not a count"))
                })
                .transpose()
        };
        let (Some(id), Some(count)) = (
            read("SLURM_ARRAY_TASK_ID")?,
            read("SLURM_ARRAY_TASK_COUNT")?,
        ) else {
            return Ok(None);
        };
        let min = read("SLURM_ARRAY_TASK_MIN")?.unwrap_or(0);
        if id < min || id - min >= count {
            bail!(
                "SLURM_ARRAY_TASK_ID={id} is outside the array {min}..{}",
                min + count
            );
        }
        Ok(Some(Self {
            index: id - min + 1,
            count,
        }))
    }

    /// The runs of `suite` that fall to this shard, in suite order.
    pub fn runs(self, suite: &Suite) -> Vec<RunSpec> {
        let owner = assign(&suite.runs, self.count);
        suite
            .runs
            .iter()
            .zip(owner)
            .filter(|(_, shard)| *shard + 1 == self.index)
            .map(|(spec, _)| spec.clone())
            .collect()
    }

    /// Its record's file in a bench folder.
    pub fn record_path(self, out: &Path) -> PathBuf {
        out.join(SHARDS_DIR)
            .join(format!("{}-of-{}.json", self.index, self.count))
    }
}

impl FromStr for Shard {
    type Err = anyhow::Error;

    fn from_str(text: &str) -> Result<Self> {
        let parsed = text
            .split_once('/')
            .and_then(|(i, n)| Some((i.trim().parse().ok()?, n.trim().parse().ok()?)));
        match parsed {
            Some((index, count)) if (1..=count).contains(&index) => Ok(Self { index, count }),
            _ => bail!("--shard {text}: write it I/N with 1 ≤ I ≤ N, e.g. 2/4"),
        }
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// A run's expected cost in environment steps: GCL's iterations of episodes (twice that with
/// re-optimisation), BC's epochs over the demonstrations (cheap), MaxEnt IRL's one horizon.
pub fn expected_cost(spec: &RunSpec, horizon: usize) -> f64 {
    let h = horizon as f64;
    match spec.algorithm {
        Algorithm::Bc => 0.01 * (spec.epochs * spec.demos) as f64 * h,
        Algorithm::MaxentIrl => h,
        _ => spec.iterations as f64 * h * if spec.reopt { 2.0 } else { 1.0 },
    }
}

/// The [`expected_cost`] of each run.
pub fn expected_costs(runs: &[RunSpec]) -> Vec<f64> {
    let mut horizons: BTreeMap<&str, usize> = BTreeMap::new();
    runs.iter()
        .map(|spec| {
            let h = *horizons
                .entry(&spec.task)
                .or_insert_with(|| registry::make(&spec.task).map_or(1, |env| env.spec().horizon));
            expected_cost(spec, h)
        })
        .collect()
}

/// The shard (from 0) of each run: the most expensive first, each to the least loaded shard.
fn assign(runs: &[RunSpec], count: usize) -> Vec<usize> {
    let costs = expected_costs(runs);
    let mut order: Vec<usize> = (0..runs.len()).collect();
    order.sort_by(|&a, &b| costs[b].total_cmp(&costs[a]).then(a.cmp(&b)));
    let mut load = vec![0.0_f64; count.max(1)];
    let mut owner = vec![0; runs.len()];
    for i in order {
        let lightest = (0..load.len())
            .min_by(|&a, &b| load[a].total_cmp(&load[b]).then(a.cmp(&b)))
            .unwrap_or(0);
        owner[i] = lightest;
        load[lightest] += costs[i];
    }
    owner
}

/// What a shard ran, written into `shards/` of its folder.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Record {
    /// The suite's name.
    pub suite: String,
    /// The costlearn version that ran it.
    pub version: String,
    /// Which shard, from 1.
    pub index: usize,
    /// Of how many.
    pub count: usize,
    /// The run folders it ran, relative to the bench folder.
    pub runs: Vec<String>,
}

impl Record {
    /// The record of `shard` of `suite`, run by this build.
    pub fn new(suite: &Suite, shard: Shard, runs: &[RunSpec]) -> Self {
        Self {
            suite: suite.name.clone(),
            version: env!("CARGO_PKG_VERSION").to_string(),
            index: shard.index,
            count: shard.count,
            runs: runs
                .iter()
                .map(|r| r.dir().to_string_lossy().replace('\\', "/"))
                .collect(),
        }
    }
}

/// What [`gather`] finds: the suite, each run found with its result and the folder it is in, and
/// the runs found nowhere.
pub type Gathered = (Suite, Vec<(RunSpec, RunResult, PathBuf)>, Vec<RunSpec>);

/// The bench folders `dirs` as one bench: the suite they all ran (refused, naming the folder, if
/// one ran another suite file or another costlearn version), and the result of every run found in
/// any of them with the folder it is in. The runs found in none are the third part.
pub fn gather(dirs: &[PathBuf]) -> Result<Gathered> {
    let Some(first) = dirs.first() else {
        bail!("bench merge: name at least one bench folder");
    };
    let text_of = |dir: &Path| {
        let path = dir.join(super::SUITE_FILE);
        std::fs::read_to_string(&path).with_context(|| {
            format!(
                "{} is not a bench folder (no {})",
                dir.display(),
                path.display()
            )
        })
    };
    let text = text_of(first)?;
    let mut version: Option<(String, PathBuf)> = None;
    for dir in dirs {
        if text_of(dir)? != text {
            bail!(
                "{} ran another suite than {}: their suite.toml files differ",
                dir.display(),
                first.display()
            );
        }
        for record in records(dir)? {
            match &version {
                Some((v, at)) if *v != record.version => bail!(
                    "{} was run by costlearn {} and {} by costlearn {v}: merge benches of one version",
                    dir.display(),
                    record.version,
                    at.display()
                ),
                Some(_) => {}
                None => version = Some((record.version, dir.clone())),
            }
        }
    }
    let suite = Suite::parse(&text, &first.join(super::SUITE_FILE).display().to_string())?;
    let (mut found, mut missing) = (Vec::new(), Vec::new());
    for spec in &suite.runs {
        let mut hit = None;
        for dir in dirs {
            if let Some(result) = read_result(&dir.join(spec.dir()))? {
                hit = Some((spec.clone(), result, dir.clone()));
                break;
            }
        }
        match hit {
            Some(h) => found.push(h),
            None => missing.push(spec.clone()),
        }
    }
    Ok((suite, found, missing))
}

/// The shard records of a bench folder.
fn records(dir: &Path) -> Result<Vec<Record>> {
    let shards = dir.join(SHARDS_DIR);
    if !shards.is_dir() {
        return Ok(Vec::new());
    }
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&shards)
        .with_context(|| format!("cannot read {}", shards.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .iter()
        .map(|p| {
            let text = std::fs::read_to_string(p)
                .with_context(|| format!("cannot read {}", p.display()))?;
            serde_json::from_str(&text)
                .with_context(|| format!("{} is not a shard record", p.display()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suite() -> Suite {
        let text =
            "name = \"s\"\nseeds = [0, 1, 2]\ndemos = [1, 4]\nalgorithms = [\"gcl\", \"bc\"]\n\
                    [[task]]\nname = \"pendulum\"\nreopt = true\n[[task]]\nname = \"cartpole\"\n\
                    iterations = 150\n[[task]]\nname = \"gridworld\"\n";
        Suite::parse(text, "s.toml").unwrap()
    }

    #[test]
    fn shards_are_disjoint_cover_the_suite_and_balance_the_cost() {
        let suite = suite();
        for count in [1, 2, 3, 7] {
            let shards: Vec<Vec<RunSpec>> = (1..=count)
                .map(|index| Shard { index, count }.runs(&suite))
                .collect();
            let mut all: Vec<PathBuf> = shards.iter().flatten().map(RunSpec::dir).collect();
            all.sort();
            let mut want: Vec<PathBuf> = suite.runs.iter().map(RunSpec::dir).collect();
            want.sort();
            assert_eq!(all, want, "{count} shards");
            // Greedy assignment: no shard exceeds the mean by more than the costliest run.
            let cost = |runs: &[RunSpec]| -> f64 {
                runs.iter()
                    .map(|r| expected_cost(r, registry::make(&r.task).unwrap().spec().horizon))
                    .sum()
            };
            let loads: Vec<f64> = shards.iter().map(|s| cost(s)).collect();
            let mean = loads.iter().sum::<f64>() / count as f64;
            let top = cost(&suite.runs[..1]).max(1.0);
            assert!(loads.iter().all(|l| *l <= mean + top * 2.0), "{loads:?}");
        }
        // The split is a fixed function of the suite.
        let two = Shard { index: 2, count: 2 };
        assert_eq!(two.runs(&suite), two.runs(&suite));
    }

    #[test]
    fn a_shard_is_written_i_of_n_or_read_from_slurm() {
        assert_eq!(
            "2/4".parse::<Shard>().unwrap(),
            Shard { index: 2, count: 4 }
        );
        for bad in ["0/4", "5/4", "2", "a/b", "1/0"] {
            let err = bad.parse::<Shard>().unwrap_err().to_string();
            assert!(err.contains("I/N"), "{err}");
        }
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        let array = env(&[
            ("SLURM_ARRAY_TASK_ID", "3"),
            ("SLURM_ARRAY_TASK_MIN", "1"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert_eq!(
            Shard::from_slurm(array).unwrap(),
            Some(Shard { index: 3, count: 4 })
        );
        assert_eq!(Shard::from_slurm(env(&[])).unwrap(), None);
        let outside = env(&[
            ("SLURM_ARRAY_TASK_ID", "9"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ]);
        assert!(Shard::from_slurm(outside).is_err());
    }
}
