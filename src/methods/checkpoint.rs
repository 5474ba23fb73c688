//! Checkpoints of `train rl` and `train gcl`, and `--resume`.
//!
//! The learner's whole state (its networks, optimisers, normalisers, counters and, for GCL, the
//! fusion buffer) goes into the run's `checkpoint/` folder after the first iteration that ends
//! [`EVERY_S`] seconds after the last checkpoint, after the last iteration, and when the run is
//! interrupted (Ctrl-C). The folder is written beside the old one as `checkpoint.tmp/` and then
//! put in its place, so a run stopped at any moment (Ctrl-C, a crash, a full disk) leaves one
//! whole checkpoint. `--resume` continues from it and takes exactly the steps the uninterrupted
//! run would have taken: a crash costs at most the iterations of the last `EVERY_S` seconds, and
//! when checkpoints are written does not change what a run computes.

use super::RunOptions;
use crate::interrupt;
use crate::run_dir::{CsvRow, MetricsLog, RunDir, CONFIG_FILE};
use anyhow::{bail, Context, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The checkpoint folder of a run directory.
pub const CHECKPOINT_DIR: &str = "checkpoint";
/// Where the next checkpoint is written before it replaces the previous one.
const PENDING_DIR: &str = "checkpoint.tmp";
/// Written last into a checkpoint folder: the folder is whole.
const COMPLETE_FILE: &str = "complete";
/// Settings that may change when a run is resumed: they do not change its results.
const FREE_SETTINGS: [&str; 4] = ["iterations", "threads", "device", "eval_episodes"];

/// Seconds of training between two checkpoints.
pub const EVERY_S: f64 = 10.0;

/// When the next checkpoint is due: [`EVERY_S`] seconds after the last one, at the last iteration,
/// or when the run is interrupted.
pub struct Schedule {
    last: Instant,
}

impl Schedule {
    /// A schedule whose clock starts now.
    pub fn new() -> Self {
        Self {
            last: Instant::now(),
        }
    }

    /// Whether to write a checkpoint after an iteration (`last`: the run's last one); restarts
    /// the clock when it says yes.
    pub fn due(&mut self, last: bool) -> bool {
        let due = last || interrupt::requested() || self.last.elapsed().as_secs_f64() >= EVERY_S;
        if due {
            self.last = Instant::now();
        }
        due
    }
}

impl Default for Schedule {
    fn default() -> Self {
        Self::new()
    }
}

/// Writes a checkpoint of the run with `save` and puts it in place of the previous one.
pub fn save(run: &RunDir, save: impl FnOnce(&Path) -> Result<()>) -> Result<()> {
    let pending = run.file(PENDING_DIR);
    if pending.exists() {
        std::fs::remove_dir_all(&pending)
            .with_context(|| format!("cannot clear {}", pending.display()))?;
    }
    std::fs::create_dir_all(&pending)
        .with_context(|| format!("cannot create {}", pending.display()))?;
    save(&pending)?;
    std::fs::write(pending.join(COMPLETE_FILE), b"")
        .with_context(|| format!("cannot write {}", pending.display()))?;
    let current = run.file(CHECKPOINT_DIR);
    if current.exists() {
        std::fs::remove_dir_all(&current)
            .with_context(|| format!("cannot replace {}", current.display()))?;
    }
    std::fs::rename(&pending, &current)
        .with_context(|| format!("cannot move the checkpoint into {}", current.display()))
}

/// The run directory `out` to resume and its last whole checkpoint. The run's `config.json` must
/// match `config` in everything but the number of iterations, threads and the device; the
/// message names the first setting that differs.
fn open(out: &Path, config: &impl Serialize) -> Result<(RunDir, PathBuf)> {
    let saved_path = out.join(CONFIG_FILE);
    let text = std::fs::read_to_string(&saved_path).with_context(|| {
        format!(
            "--resume: {} holds no run to resume (no {CONFIG_FILE})",
            out.display()
        )
    })?;
    let saved: serde_json::Value = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", saved_path.display()))?;
    // Compared as written to the file (an `f32` reads back from its text as another `f64`).
    let wanted: serde_json::Value = serde_json::to_string(config)
        .and_then(|text| serde_json::from_str(&text))
        .context("cannot serialise the configuration")?;
    if let Some(key) = first_difference(&saved, &wanted, "") {
        bail!(
            "--resume: the run in {} was started with another `{key}`; resume it with the same \
             settings, or start a new run",
            out.display()
        );
    }
    // If the process stopped between removing the old checkpoint and renaming the new one into
    // place, the new one is whole in the pending folder.
    let checkpoint = [CHECKPOINT_DIR, PENDING_DIR]
        .into_iter()
        .map(|name| out.join(name))
        .find(|dir| dir.join(COMPLETE_FILE).is_file())
        .with_context(|| format!("--resume: {} has no checkpoint", out.display()))?;
    Ok((RunDir::open(out)?, checkpoint))
}

/// The run directory and metrics log a training method writes to: a new run in `run.out`, or with
/// `run.resume` the run there, continued from its last checkpoint by `restore` (which loads it into the
/// learner and returns the iterations it has done). `config` is the run's configuration, written
/// to `config.json` either way.
pub fn start<R: CsvRow>(
    run: &RunOptions,
    config: &impl Serialize,
    iterations: usize,
    restore: impl FnOnce(&Path) -> Result<usize>,
) -> Result<(RunDir, MetricsLog<R>)> {
    let (dir, log) = if run.resume {
        let (dir, saved) = open(&run.out, config)?;
        let done = restore(&saved)
            .with_context(|| format!("--resume: cannot load {}", saved.display()))?;
        if done >= iterations {
            bail!(
                "--resume: the run in {} has done {done} iterations already (ask for more with \
                 --iterations)",
                dir.path().display()
            );
        }
        let log = dir.metrics_resumed::<R>(done)?;
        (dir, log)
    } else {
        let dir = RunDir::create(&run.out, run.force)?;
        let log = dir.metrics::<R>();
        (dir, log)
    };
    dir.write_config(config)?;
    Ok((dir, log))
}

/// The path of the first setting whose value differs between `saved` and `wanted` (ignoring the
/// free settings at the top level and in `settings`), e.g. `learner.gcl.granularity`.
fn first_difference(
    saved: &serde_json::Value,
    wanted: &serde_json::Value,
    at: &str,
) -> Option<String> {
    use serde_json::Value;
    match (saved, wanted) {
        (Value::Object(a), Value::Object(b)) => {
            let keys = a.keys().chain(b.keys().filter(|k| !a.contains_key(*k)));
            for key in keys {
                let top = at.is_empty() || at == crate::settings::SETTINGS_KEY;
                if top && FREE_SETTINGS.contains(&key.as_str()) {
                    continue;
                }
                let path = if at.is_empty() {
                    key.clone()
                } else {
                    format!("{at}.{key}")
                };
                match (a.get(key), b.get(key)) {
                    (Some(x), Some(y)) => {
                        if let Some(found) = first_difference(x, y, &path) {
                            return Some(found);
                        }
                    }
                    _ => return Some(path),
                }
            }
            None
        }
        (a, b) if a == b => None,
        _ => Some(at.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_differing_setting_is_named_and_free_ones_are_ignored() {
        let saved =
            json!({"env": "pendulum", "iterations": 4, "learner": {"gcl": {"mode": "traj"}}});
        let same =
            json!({"env": "pendulum", "iterations": 9, "learner": {"gcl": {"mode": "traj"}}});
        let other =
            json!({"env": "pendulum", "iterations": 4, "learner": {"gcl": {"mode": "transition"}}});
        assert_eq!(first_difference(&saved, &same, ""), None);
        assert_eq!(
            first_difference(&saved, &other, "").as_deref(),
            Some("learner.gcl.mode")
        );
        assert_eq!(
            first_difference(&saved, &json!({"iterations": 4}), "").as_deref(),
            Some("env")
        );
    }
}
