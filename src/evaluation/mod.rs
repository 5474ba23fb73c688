//! A policy's score on a task: its true return over fresh episodes, normalised by the task's
//! anchors to `(R − R_random) / (R_expert − R_random)`, and the quality of a learned cost where a
//! run has one. What every method writes into its run's `eval.json`.

pub mod anchors;
pub mod correlation;

use crate::run_dir::RunDir;
use anchors::Anchors;
use anyhow::{bail, Context, Result};
use correlation::{pearson, spearman};
use costlearn_agents::gcl::CostPart;
use costlearn_envs::rollout::Rollout;
use costlearn_envs::{registry, Policy, Trajectories};
use serde::{Deserialize, Serialize};
use std::path::Path;

/// Name of a run's evaluation summary.
pub const EVAL_FILE: &str = "eval.json";
/// Seed of the evaluation episodes by default: the seed of the shipped demonstrations.
pub const SEED: u64 = 0;
/// Episodes of an evaluation by default.
pub const DEFAULT_EPISODES: usize = 64;
/// Environments stepped side by side during an evaluation.
const PARALLEL_ENVS: usize = 8;

/// The true return of a policy, normalised by the task's anchors, and the quality of a learned
/// cost where the run has one.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Evaluation {
    /// The task.
    pub env: String,
    /// Episodes run (0 for an exact evaluation).
    pub episodes: usize,
    /// Seed of the episodes.
    pub seed: u64,
    /// Mean true return.
    pub return_mean: f64,
    /// Standard deviation of the true return (`null` for an exact expectation).
    pub return_std: Option<f64>,
    /// `(R − R_random) / (R_expert − R_random)`; `null` when the task has no anchors.
    pub normalized_score: Option<f64>,
    /// Where the anchors of the normalised score came from, or why there are none (see
    /// [`anchors::resolve`]).
    #[serde(default)]
    pub anchors: String,
    /// Pearson correlation of the learned per-state cost with the true cost `−r`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cost_pearson: Option<f64>,
    /// Spearman correlation of the learned per-state cost with the true cost `−r`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cost_spearman: Option<f64>,
    /// Which part of a learned network cost the correlations and re-optimisation read: `task`
    /// (the part `g_θ` of a shaped cost, without its shaping terms) or `full`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cost_part: Option<CostPart>,
    /// Mean true return of a fresh policy re-optimised on the learned cost.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reopt_return_mean: Option<f64>,
    /// Its normalised score.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reopt_normalized_score: Option<f64>,
    /// The changed task of the second re-optimisation.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reopt_changed_env: Option<String>,
    /// Mean true return of a fresh policy re-optimised on the learned cost on the changed task.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reopt_changed_return_mean: Option<f64>,
    /// Its normalised score, with the changed task's anchors.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub reopt_changed_normalized_score: Option<f64>,
    /// The anchors of the normalised score, if found.
    #[serde(skip)]
    found: Option<Anchors>,
}

impl Evaluation {
    /// An evaluation of a known return on `env`, normalised with its anchors (those of a run on
    /// the demonstrations `demos`, see [`anchors::resolve`]).
    pub fn new(
        env: &str,
        demos: Option<&Path>,
        episodes: usize,
        seed: u64,
        mean: f64,
        std: Option<f64>,
    ) -> Result<Self> {
        let (found, note) = match anchors::resolve(env, demos)? {
            Ok(found) => (Some(found.anchors), found.source),
            Err(why) => (None, why),
        };
        Ok(Self {
            env: env.to_string(),
            episodes,
            seed,
            return_mean: mean,
            return_std: std,
            normalized_score: found.and_then(|a| a.normalize(mean)),
            anchors: note,
            cost_pearson: None,
            cost_spearman: None,
            cost_part: None,
            reopt_return_mean: None,
            reopt_normalized_score: None,
            reopt_changed_env: None,
            reopt_changed_return_mean: None,
            reopt_changed_normalized_score: None,
            found,
        })
    }

    /// Runs `episodes` fresh episodes of `policy` on `env` from `seed` (a run on the
    /// demonstrations `demos`).
    pub fn of_policy(
        env: &str,
        demos: Option<&Path>,
        policy: &dyn Policy,
        seed: u64,
        episodes: usize,
    ) -> Result<Self> {
        let trajs = episodes_of(env, policy, seed, episodes)?;
        let (mean, std) = trajs.return_stats();
        Self::new(
            env,
            demos,
            trajs.len(),
            seed,
            f64::from(mean),
            Some(f64::from(std)),
        )
    }

    /// An exact expected return (no episodes, no spread).
    pub fn exact(env: &str, demos: Option<&Path>, expected_return: f64) -> Result<Self> {
        Self::new(env, demos, 0, 0, expected_return, None)
    }

    /// Records the correlations of a learned per-state cost with the true one.
    pub fn set_cost_quality(&mut self, learned: &[f64], truth: &[f64]) {
        self.cost_pearson = pearson(learned, truth);
        self.cost_spearman = spearman(learned, truth);
    }

    /// Records the mean true return of a policy re-optimised on the learned cost, on the run's
    /// task (`changed` = `None`) or on a changed task.
    pub fn set_reopt(&mut self, changed: Option<&str>, return_mean: f64) -> Result<()> {
        let anchors = match changed {
            None => self.found,
            Some(env) => anchors::resolve(env, None)?.ok().map(|found| found.anchors),
        };
        let score = anchors.and_then(|a| a.normalize(return_mean));
        match changed {
            None => {
                self.reopt_return_mean = Some(return_mean);
                self.reopt_normalized_score = score;
            }
            Some(env) => {
                self.reopt_changed_env = Some(env.to_string());
                self.reopt_changed_return_mean = Some(return_mean);
                self.reopt_changed_normalized_score = score;
            }
        }
        Ok(())
    }

    /// Writes the evaluation to the run's `eval.json`.
    pub fn write(&self, run: &RunDir) -> Result<()> {
        run.write_json(EVAL_FILE, self)
    }

    /// One human-readable line (two with a learned cost).
    pub fn summary(&self) -> String {
        let how = if self.episodes == 0 {
            "exact expectation".to_string()
        } else {
            format!("{} episodes, seed {}", self.episodes, self.seed)
        };
        let score = match self.normalized_score {
            Some(s) => format!("normalised score {s:.3}"),
            None => format!("no normalised score ({})", self.anchors),
        };
        let spread = self
            .return_std
            .map(|s| format!(" ± {s:.2}"))
            .unwrap_or_default();
        let mut text = format!(
            "{} ({how}): return {:.2}{spread}, {score}",
            self.env, self.return_mean
        );
        let which = match self.cost_part {
            Some(CostPart::Task) => "learned cost (task part g, shaping dropped)",
            _ => "learned cost",
        };
        if let (Some(p), Some(s)) = (self.cost_pearson, self.cost_spearman) {
            text.push_str(&format!(
                "\n{which} vs true cost: Pearson {p:.3}, Spearman {s:.3}"
            ));
        }
        let score = |s: Option<f64>| {
            s.map(|s| format!(", normalised score {s:.3}"))
                .unwrap_or_default()
        };
        if let Some(r) = self.reopt_return_mean {
            text.push_str(&format!(
                "\nre-optimised on the {which}: return {r:.2}{}",
                score(self.reopt_normalized_score)
            ));
        }
        if let (Some(env), Some(r)) = (&self.reopt_changed_env, self.reopt_changed_return_mean) {
            text.push_str(&format!(
                "\nre-optimised on the {which} on {env}: return {r:.2}{}",
                score(self.reopt_changed_normalized_score)
            ));
        }
        text
    }
}

/// `episodes` fresh episodes of `policy` on `env` from `seed`.
pub fn episodes_of(
    env: &str,
    policy: &dyn Policy,
    seed: u64,
    episodes: usize,
) -> Result<Trajectories> {
    if episodes == 0 {
        bail!("the number of evaluation episodes must be at least 1");
    }
    let entry = registry::lookup(env)?;
    let mut envs = entry.make_vec(PARALLEL_ENVS.min(episodes));
    Rollout::new(seed)
        .episodes(episodes)
        .collect(envs.as_mut(), policy)
        .with_context(|| format!("evaluation episodes on `{env}` failed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_without_anchors_is_reported_not_scored() {
        // A task with no expert, no demonstrations and no shipped anchors has no score, and the
        // evaluation says why.
        let name = "anchorless-task";
        let entry =
            registry::EnvEntry::new(name, "no expert", || registry::make("pendulum").unwrap());
        registry::register(entry).unwrap();
        let evaluation = Evaluation::new(name, None, 4, 0, 12.5, Some(1.0)).unwrap();
        assert_eq!(evaluation.normalized_score, None);
        let text = evaluation.summary();
        assert!(text.contains("`anchorless-task` has no expert"), "{text}");
        let json = serde_json::to_value(&evaluation).unwrap();
        assert!(json["normalized_score"].is_null());
        assert!(json["anchors"].as_str().unwrap().contains("no expert"));
        assert!(json.get("cost_pearson").is_none());
        // An unregistered task is an error, not a missing score.
        assert!(Evaluation::new("no-such-task", None, 4, 0, 12.5, None).is_err());
    }

    #[test]
    fn scores_and_cost_quality_are_filled_in() {
        let mut evaluation = Evaluation::exact("gridworld", None, 21.0938).unwrap();
        assert!((evaluation.normalized_score.unwrap() - 1.0).abs() < 1e-6);
        assert_eq!(evaluation.return_std, None);
        evaluation.set_cost_quality(&[1.0, 2.0, 3.0], &[2.0, 4.0, 7.0]);
        assert!((evaluation.cost_spearman.unwrap() - 1.0).abs() < 1e-12);
        assert!(evaluation.summary().contains("Pearson"));
    }
}
