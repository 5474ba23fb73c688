//! Normalisation anchors: the expert's and a uniform random policy's return on a task, and the
//! normalised score `(R − R_random) / (R_expert − R_random)` they define.
//!
//! The anchors of a task trained on a demonstration file are looked up in this order:
//!
//! 1. the file beside the demonstrations, `X.anchors.json` for `X.npz`, which `costlearn record`
//!    writes;
//! 2. the manifest of the shipped demonstrations, `demos/manifest.toml` (built into the binary);
//! 3. measured: the expert's return is the mean return of the demonstrations themselves (or of
//!    [`EPISODES`] episodes of the task's expert when there is no demonstration file), the random
//!    one that of as many episodes (at least [`EPISODES`]) of a uniform random policy from seed
//!    [`SEED`]. Measured
//!    anchors are written beside the demonstrations, so they are measured once.
//!
//! A task with none of these (no expert, no demonstrations, or actions a uniform policy cannot
//! draw) has no score, and [`resolve`] says why.

use anyhow::{bail, Context, Result};
use costlearn_envs::atomic::write_atomically;
use costlearn_envs::rollout::Rollout;
use costlearn_envs::{demos, registry, Policy, Trajectories, UniformRandom};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// The manifest of the shipped demonstrations.
const MANIFEST: &str = include_str!("../../demos/manifest.toml");
/// Episodes of each measured anchor.
pub const EPISODES: usize = 64;
/// Seed of the episodes of each measured anchor.
pub const SEED: u64 = 0;
/// Environments stepped side by side while measuring.
const PARALLEL_ENVS: usize = 8;

/// The returns that a normalised score of 1 (expert) and 0 (random) stand for.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
pub struct Anchors {
    /// Mean return of the expert's demonstrations.
    pub expert_return_mean: f64,
    /// Mean return of a uniform random policy.
    pub random_return_mean: f64,
}

impl Anchors {
    /// `(R − R_random) / (R_expert − R_random)`, or `None` when the anchors coincide.
    pub fn normalize(&self, ret: f64) -> Option<f64> {
        let span = self.expert_return_mean - self.random_return_mean;
        (span.abs() > f64::EPSILON).then(|| (ret - self.random_return_mean) / span)
    }
}

/// What the file beside a demonstration file holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AnchorFile {
    /// The task.
    pub env: String,
    /// Episodes of the demonstrations.
    pub episodes: usize,
    /// Episodes of the uniform random policy (as many, and at least [`EPISODES`]).
    pub random_episodes: usize,
    /// Seed of the random policy's episodes (and of the recording).
    pub seed: u64,
    /// Mean return of the demonstrations.
    pub expert_return_mean: f64,
    /// Its standard deviation.
    pub expert_return_std: f64,
    /// Mean return of a uniform random policy.
    pub random_return_mean: f64,
    /// Its standard deviation.
    pub random_return_std: f64,
}

impl AnchorFile {
    /// The anchors it holds.
    pub fn anchors(&self) -> Anchors {
        Anchors {
            expert_return_mean: self.expert_return_mean,
            random_return_mean: self.random_return_mean,
        }
    }

    /// The anchors of the demonstrations `trajs` of `env`: their own mean return, and that of a
    /// uniform random policy over as many episodes from `seed` (at least [`EPISODES`]).
    pub fn measure(env: &str, trajs: &Trajectories, seed: u64) -> Result<Self> {
        let random = random_episodes(env, trajs.len().max(EPISODES), seed)?;
        let (expert_mean, expert_std) = trajs.return_stats();
        let (random_mean, random_std) = random.return_stats();
        Ok(Self {
            env: env.to_string(),
            episodes: trajs.len(),
            random_episodes: random.len(),
            seed,
            expert_return_mean: f64::from(expert_mean),
            expert_return_std: f64::from(expert_std),
            random_return_mean: f64::from(random_mean),
            random_return_std: f64::from(random_std),
        })
    }

    /// Writes it beside the demonstration file `demos` (see [`sidecar`]).
    pub fn write_beside(&self, demos: &Path) -> Result<PathBuf> {
        let path = sidecar(demos);
        let json = serde_json::to_string_pretty(self)?;
        write_atomically(&path, |f| f.write_all(json.as_bytes()))
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }
}

/// The anchors file beside the demonstration file `demos`: `X.anchors.json` for `X.npz`.
pub fn sidecar(demos: &Path) -> PathBuf {
    demos.with_extension("anchors.json")
}

/// Anchors found for a task, and where.
#[derive(Clone, Debug, PartialEq)]
pub struct Found {
    /// The anchors.
    pub anchors: Anchors,
    /// Where they came from, for a reader: a file, or the shipped manifest.
    pub source: String,
}

/// The anchors of `env` for a run on the demonstration file `demos` (if it has one), in the order
/// of the module documentation, measuring and writing them when neither file has them. `Ok(Err)`
/// says why there are none.
pub fn resolve(env: &str, demos: Option<&Path>) -> Result<Result<Found, String>> {
    if let Some(found) = lookup(env, demos)? {
        return Ok(Ok(found));
    }
    match demos {
        Some(path) => {
            let entry = registry::lookup(env)?;
            let trajs = demos::load_for(path, entry.make().spec())?;
            let file = match AnchorFile::measure(env, &trajs, SEED) {
                Ok(file) => file,
                Err(why) => return Ok(Err(format!("{why:#}"))),
            };
            let source = match file.write_beside(path) {
                Ok(written) => written.display().to_string(),
                Err(err) => {
                    eprintln!(
                        "warning: {err:#}; the anchors of `{env}` are measured again next time"
                    );
                    format!("measured from {}", path.display())
                }
            };
            Ok(Ok(Found {
                anchors: file.anchors(),
                source,
            }))
        }
        None => {
            let entry = registry::lookup(env)?;
            if !entry.has_expert() {
                return Ok(Err(format!(
                    "`{env}` has no expert and the run names no demonstrations to measure the \
                     expert's return from"
                )));
            }
            let expert = episodes_of(env, entry.expert()?.as_ref(), EPISODES, SEED)?;
            match AnchorFile::measure(env, &expert, SEED) {
                Ok(file) => Ok(Ok(Found {
                    anchors: file.anchors(),
                    source: format!("measured ({EPISODES} episodes of the expert and of a uniform random policy, seed {SEED})"),
                })),
                Err(why) => Ok(Err(format!("{why:#}"))),
            }
        }
    }
}

/// The anchors of `env` that are written down (beside `demos`, or in the shipped manifest),
/// without measuring any.
pub fn lookup(env: &str, demos: Option<&Path>) -> Result<Option<Found>> {
    if let Some(path) = demos.map(sidecar).filter(|p| p.is_file()) {
        let text = std::fs::read_to_string(&path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let file: AnchorFile = serde_json::from_str(&text)
            .with_context(|| format!("{} is not an anchors file", path.display()))?;
        if file.env != env {
            bail!(
                "{} holds the anchors of `{}`, not of `{env}`",
                path.display(),
                file.env
            );
        }
        return Ok(Some(Found {
            anchors: file.anchors(),
            source: path.display().to_string(),
        }));
    }
    Ok(shipped(env)?.map(|anchors| Found {
        anchors,
        source: "demos/manifest.toml".into(),
    }))
}

/// The anchors of `env` in the shipped manifest, or `None` when it has none for it.
pub fn shipped(env: &str) -> Result<Option<Anchors>> {
    let table: BTreeMap<String, toml::Value> =
        toml::from_str(MANIFEST).context("demos/manifest.toml is not valid TOML")?;
    match table.get(env) {
        None => Ok(None),
        Some(entry) => {
            let anchors: Anchors = entry
                .clone()
                .try_into()
                .with_context(|| format!("demos/manifest.toml: bad anchors for `{env}`"))?;
            Ok(Some(anchors))
        }
    }
}

/// `episodes` episodes of a uniform random policy on `env` from `seed`.
fn random_episodes(env: &str, episodes: usize, seed: u64) -> Result<Trajectories> {
    let entry = registry::lookup(env)?;
    let space = entry.make().spec().action_space.clone();
    let random = UniformRandom::new(space)?;
    episodes_of(env, &random, episodes, seed)
}

/// `episodes` episodes of `policy` on `env` from `seed`.
fn episodes_of(env: &str, policy: &dyn Policy, episodes: usize, seed: u64) -> Result<Trajectories> {
    let entry = registry::lookup(env)?;
    let mut envs = entry.make_vec(PARALLEL_ENVS.min(episodes));
    Rollout::new(seed)
        .episodes(episodes)
        .collect(envs.as_mut(), policy)
        .with_context(|| format!("cannot measure the anchors of `{env}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_task_has_anchors_and_unknown_ones_do_not() {
        for entry in costlearn_envs::registry::entries() {
            if !entry.has_expert() {
                continue;
            }
            let env = entry.name();
            let a = shipped(env).unwrap().unwrap_or_else(|| panic!("{env}"));
            assert_eq!(a.normalize(a.expert_return_mean), Some(1.0));
            assert_eq!(a.normalize(a.random_return_mean), Some(0.0));
        }
        assert!(shipped("no-such-task").unwrap().is_none());
    }

    #[test]
    fn anchors_beside_the_demos_come_first_and_are_measured_once() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pendulum.npz");
        let expert = registry::lookup("pendulum").unwrap().expert().unwrap();
        let trajs = episodes_of("pendulum", expert.as_ref(), 4, 3).unwrap();
        demos::save(&path, &trajs).unwrap();
        // Without a file beside the demos, the shipped manifest answers.
        let shipped_found = resolve("pendulum", Some(&path)).unwrap().unwrap();
        assert_eq!(shipped_found.source, "demos/manifest.toml");
        // With one, it answers first, and it names itself.
        let file = AnchorFile::measure("pendulum", &trajs, 3).unwrap();
        assert_eq!((file.episodes, file.random_episodes), (4, EPISODES));
        let (mean, _) = trajs.return_stats();
        assert_eq!(file.expert_return_mean, f64::from(mean));
        assert!(file.random_return_mean < file.expert_return_mean);
        let written = file.write_beside(&path).unwrap();
        assert_eq!(written, dir.path().join("pendulum.anchors.json"));
        let found = resolve("pendulum", Some(&path)).unwrap().unwrap();
        assert_eq!(found.anchors, file.anchors());
        assert_eq!(found.source, written.display().to_string());
        // Anchors of another task beside these demos are refused.
        assert!(lookup("reacher", Some(&path)).is_err());
    }
}
