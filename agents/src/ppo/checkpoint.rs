//! Everything a [`Ppo`] iteration reads, saved to a folder and read back, so that a learner
//! resumed from a checkpoint takes exactly the steps the saved one would have taken.
//!
//! A checkpoint folder holds
//! - `policy.safetensors`, `value.safetensors`: the two networks' weights;
//! - `policy.adam.safetensors`, `value.adam.safetensors`: their optimisers' moments and step
//!   counts ([`Adam::save_state`](crate::nn::Adam::save_state));
//! - `ppo.json`: the iteration, environment-step and episode counters and both normalisers' running
//!   statistics (`f64`, written so that they read back bit for bit).
//!
//! No random state needs saving: episode `i` of a run is drawn from `episode_rng(seed, i)` and the
//! minibatch shuffles of iteration `k` from a generator seeded by `(seed, k)`.

use super::{Ppo, PpoError, PpoSnapshot, Result, RunningMeanStd};
use crate::nn::{NnError, ParamSet};
use crate::policy::TrainablePolicy;
use costlearn_envs::atomic::write_atomically;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;

const POLICY_FILE: &str = "policy.safetensors";
const POLICY_ADAM_FILE: &str = "policy.adam.safetensors";
const VALUE_FILE: &str = "value.safetensors";
const VALUE_ADAM_FILE: &str = "value.adam.safetensors";
const STATE_FILE: &str = "ppo.json";

/// Running statistics as saved in JSON.
#[derive(Serialize, Deserialize)]
struct SavedStats {
    count: f64,
    mean: Vec<f64>,
    var: Vec<f64>,
}

impl SavedStats {
    fn of(stats: &RunningMeanStd) -> Self {
        Self {
            count: stats.count(),
            mean: stats.mean().to_vec(),
            var: stats.var().to_vec(),
        }
    }

    /// The statistics, which must have `dim` features.
    fn restore(self, dim: usize, path: &Path, what: &str) -> Result<RunningMeanStd> {
        let stats = RunningMeanStd::from_parts(self.count, self.mean.into(), self.var.into())
            .map_err(|reason| bad(path, format!("{what}: {reason}")))?;
        if stats.dim() != dim {
            return Err(bad(
                path,
                format!("{what} has {} features, expected {dim}", stats.dim()),
            ));
        }
        Ok(stats)
    }
}

/// What `ppo.json` holds.
#[derive(Serialize, Deserialize)]
struct SavedState {
    iteration: usize,
    env_steps: u64,
    episodes: u64,
    obs_norm: SavedStats,
    return_norm: SavedStats,
}

/// The weights and observation statistics a [`PpoSnapshot`] is made of, in a form that can be
/// saved ([`SnapshotState::save`]) and turned back into the same snapshot
/// ([`Ppo::restore_snapshot`]).
#[derive(Clone, Debug)]
pub struct SnapshotState {
    policy: ParamSet,
    obs_norm: RunningMeanStd,
}

impl SnapshotState {
    /// Writes `{name}.safetensors` (the policy's weights) and `{name}.json` (the observation
    /// statistics) into `dir`, each atomically.
    pub fn save(&self, dir: &Path, name: &str) -> Result<()> {
        self.policy.save(dir.join(format!("{name}.safetensors")))?;
        write_json(
            &dir.join(format!("{name}.json")),
            &SavedStats::of(&self.obs_norm),
        )?;
        Ok(())
    }

    /// Reads a state written by [`SnapshotState::save`] for a policy of `ppo`'s architecture.
    pub fn load(ppo: &Ppo, dir: &Path, name: &str) -> Result<Self> {
        let mut policy = ppo.policy.params().clone();
        policy.load(dir.join(format!("{name}.safetensors")))?;
        let path = dir.join(format!("{name}.json"));
        let obs_norm = read_json::<SavedStats>(&path)?.restore(
            ppo.spec.obs_dim(),
            &path,
            "observation statistics",
        )?;
        Ok(Self { policy, obs_norm })
    }
}

impl Ppo {
    /// What the current [`Ppo::snapshot`] is made of.
    pub fn snapshot_state(&self) -> SnapshotState {
        SnapshotState {
            policy: self.policy.params().clone(),
            obs_norm: self.obs_norm.clone(),
        }
    }

    /// The snapshot made of `state`: the one [`Ppo::snapshot`] returned when
    /// [`Ppo::snapshot_state`] gave `state`.
    pub fn restore_snapshot(&self, state: &SnapshotState) -> PpoSnapshot {
        let mut policy = self.policy.clone();
        *policy.params_mut() = state.policy.clone();
        PpoSnapshot {
            obs_norm: self
                .config
                .normalize_obs
                .then(|| (state.obs_norm.clone(), self.config.obs_clip)),
            policy: policy.snapshot(),
        }
    }

    /// Writes everything the next iteration reads into the existing folder `dir`, each file
    /// atomically (see the [module documentation](self) for the files).
    pub fn save_checkpoint(&self, dir: &Path) -> Result<()> {
        self.policy.params().save(dir.join(POLICY_FILE))?;
        self.policy_opt
            .save_state(self.policy.params(), dir.join(POLICY_ADAM_FILE))?;
        self.value_params.save(dir.join(VALUE_FILE))?;
        self.value_opt
            .save_state(&self.value_params, dir.join(VALUE_ADAM_FILE))?;
        write_json(
            &dir.join(STATE_FILE),
            &SavedState {
                iteration: self.iteration,
                env_steps: self.env_steps,
                episodes: self.episodes,
                obs_norm: SavedStats::of(&self.obs_norm),
                return_norm: SavedStats::of(&self.return_norm),
            },
        )?;
        Ok(())
    }

    /// Continues from a checkpoint written by [`Ppo::save_checkpoint`] of a learner built with the
    /// same configuration: the next [`Ppo::step`] is the one the saved learner would have taken.
    /// On error nothing changes.
    pub fn resume(&mut self, dir: &Path) -> Result<()> {
        let mut policy = self.policy.params().clone();
        policy.load(dir.join(POLICY_FILE))?;
        let mut policy_opt = self.policy_opt.clone();
        policy_opt.load_state(&policy, dir.join(POLICY_ADAM_FILE))?;
        let mut value = self.value_params.clone();
        value.load(dir.join(VALUE_FILE))?;
        let mut value_opt = self.value_opt.clone();
        value_opt.load_state(&value, dir.join(VALUE_ADAM_FILE))?;
        let path = dir.join(STATE_FILE);
        let state: SavedState = read_json(&path)?;
        let obs_norm =
            state
                .obs_norm
                .restore(self.spec.obs_dim(), &path, "observation statistics")?;
        let return_norm = state.return_norm.restore(1, &path, "return statistics")?;
        *self.policy.params_mut() = policy;
        self.policy_opt = policy_opt;
        self.value_params = value;
        self.value_opt = value_opt;
        self.obs_norm = obs_norm;
        self.return_norm = return_norm;
        self.iteration = state.iteration;
        self.env_steps = state.env_steps;
        self.episodes = state.episodes;
        self.last_samples = None;
        Ok(())
    }
}

fn bad(path: &Path, reason: impl Into<String>) -> PpoError {
    PpoError::Nn(NnError::BadWeights {
        path: path.to_path_buf(),
        reason: reason.into(),
    })
}

/// Writes `value` as JSON to `path`, atomically.
pub(crate) fn write_json(path: &Path, value: &impl Serialize) -> crate::nn::Result<()> {
    let json = serde_json::to_vec_pretty(value).map_err(|e| NnError::BadWeights {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })?;
    write_atomically(path, |f| f.write_all(&json)).map_err(|source| NnError::Io {
        path: path.to_path_buf(),
        source,
    })
}

/// Reads JSON written by [`write_json`].
pub(crate) fn read_json<T: DeserializeOwned>(path: &Path) -> crate::nn::Result<T> {
    let bytes = std::fs::read(path).map_err(|source| NnError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_slice(&bytes).map_err(|e| NnError::BadWeights {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}
