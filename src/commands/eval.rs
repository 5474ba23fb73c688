//! `costlearn eval DIR`: rebuilds the policy of a run directory and measures its true return over
//! fresh episodes, with the normalised score `(R − R_random) / (R_expert − R_random)`.
//!
//! The run's `config.json` names its method; [`load_policy`] has one match arm per method.

use crate::anchors;
use crate::commands::train::{bc, maxent_irl, rl};
use crate::correlation::{pearson, spearman};
use crate::run_dir::{RunDir, CONFIG_FILE};
use anyhow::{bail, Context, Result};
use costlearn_agents::gcl::TabularGenerator;
use costlearn_envs::rollout::Rollout;
use costlearn_envs::{registry, Policy};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Name of a run's evaluation summary.
pub const EVAL_FILE: &str = "eval.json";
/// Seed of the evaluation episodes by default: the seed of the shipped demonstrations.
pub const SEED: u64 = 0;
/// Episodes of an evaluation by default.
pub const DEFAULT_EPISODES: usize = 64;
/// Environments stepped side by side during an evaluation.
const PARALLEL_ENVS: usize = 8;

/// Arguments of `costlearn eval`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A run directory written by `costlearn train`.
    dir: PathBuf,
    /// Fresh episodes to run.
    #[arg(long, default_value_t = DEFAULT_EPISODES)]
    episodes: usize,
    /// Seed of the episodes (episode `i` starts as episode `i` of `costlearn record --seed S`).
    #[arg(long, default_value_t = SEED)]
    seed: u64,
    /// Print one JSON object instead of text.
    #[arg(long)]
    json: bool,
}

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
    /// Pearson correlation of the learned per-state cost with the true cost `−r`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cost_pearson: Option<f64>,
    /// Spearman correlation of the learned per-state cost with the true cost `−r`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub cost_spearman: Option<f64>,
}

impl Evaluation {
    /// An evaluation of a known return on `env`, normalised with its anchors.
    pub fn new(env: &str, episodes: usize, seed: u64, mean: f64, std: Option<f64>) -> Result<Self> {
        let normalized_score = anchors::for_env(env)?.and_then(|a| a.normalize(mean));
        Ok(Self {
            env: env.to_string(),
            episodes,
            seed,
            return_mean: mean,
            return_std: std,
            normalized_score,
            cost_pearson: None,
            cost_spearman: None,
        })
    }

    /// Runs `episodes` fresh episodes of `policy` on `env` from `seed`.
    pub fn of_policy(env: &str, policy: &dyn Policy, seed: u64, episodes: usize) -> Result<Self> {
        if episodes == 0 {
            bail!("the number of evaluation episodes must be at least 1");
        }
        let entry = registry::lookup(env)?;
        let mut envs = entry.make_vec(PARALLEL_ENVS.min(episodes));
        let trajs = Rollout::new(seed)
            .episodes(episodes)
            .collect(envs.as_mut(), policy)
            .with_context(|| format!("evaluation episodes on `{env}` failed"))?;
        let (mean, std) = trajs.return_stats();
        Self::new(env, episodes, seed, f64::from(mean), Some(f64::from(std)))
    }

    /// An exact expected return (no episodes, no spread).
    pub fn exact(env: &str, expected_return: f64) -> Result<Self> {
        Self::new(env, 0, 0, expected_return, None)
    }

    /// Records the correlations of a learned per-state cost with the true one.
    pub fn set_cost_quality(&mut self, learned: &[f64], truth: &[f64]) {
        self.cost_pearson = pearson(learned, truth);
        self.cost_spearman = spearman(learned, truth);
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
            None => format!(
                "no normalised score (demos/manifest.toml has no anchors for `{}`)",
                self.env
            ),
        };
        let spread = self
            .return_std
            .map(|s| format!(" ± {s:.2}"))
            .unwrap_or_default();
        let mut text = format!(
            "{} ({how}): return {:.2}{spread}, {score}",
            self.env, self.return_mean
        );
        if let (Some(p), Some(s)) = (self.cost_pearson, self.cost_spearman) {
            text.push_str(&format!(
                "\nlearned vs true cost: Pearson {p:.3}, Spearman {s:.3}"
            ));
        }
        text
    }
}

/// The parts of `config.json` every method shares.
#[derive(Deserialize)]
struct Header {
    command: String,
    #[serde(default)]
    method: Option<String>,
}

/// Rebuilds and evaluates the policy of a run directory.
pub fn run(args: Args) -> Result<()> {
    let config = read_config(&args.dir)?;
    let evaluation = evaluate_run(&args.dir, &config, args.seed, args.episodes)?;
    if args.json {
        println!("{}", serde_json::to_string(&evaluation)?);
    } else {
        println!("{}", evaluation.summary());
    }
    Ok(())
}

/// The parsed `config.json` of a run directory.
fn read_config(dir: &Path) -> Result<serde_json::Value> {
    let path = dir.join(CONFIG_FILE);
    if !path.is_file() {
        bail!(
            "{} is not a run directory (it has no {CONFIG_FILE})",
            dir.display()
        );
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not valid JSON", path.display()))
}

/// The method of a run: its `method` field, or its `command` without `train `.
fn method_of(config: &serde_json::Value) -> Result<String> {
    let header: Header = serde_json::from_value(config.clone())
        .context("config.json does not say which command wrote the run")?;
    Ok(header.method.unwrap_or_else(|| {
        header
            .command
            .strip_prefix("train ")
            .unwrap_or(&header.command)
            .to_string()
    }))
}

/// The parts of a `train gcl` run's `config.json` that rebuild its policy (its policy weights are
/// stored as a `train rl` run's are).
#[derive(serde::Deserialize)]
struct GclSavedConfig {
    env: String,
    learner: costlearn_agents::gcl::LearnerConfig,
}

/// Evaluates a run directory whose configuration is `config`: one match arm per method.
fn evaluate_run(
    dir: &Path,
    config: &serde_json::Value,
    seed: u64,
    episodes: usize,
) -> Result<Evaluation> {
    let parse = |what: &str| {
        format!(
            "{} is not a valid `{what}` configuration",
            dir.join(CONFIG_FILE).display()
        )
    };
    match method_of(config)?.as_str() {
        "bc" => {
            let config: bc::RunConfig =
                serde_json::from_value(config.clone()).with_context(|| parse("train bc"))?;
            let policy = bc::load_policy(dir, &config)?;
            Evaluation::of_policy(&config.env, policy.as_ref(), seed, episodes)
        }
        "rl" => {
            let config: rl::SavedConfig =
                serde_json::from_value(config.clone()).with_context(|| parse("train rl"))?;
            let policy = rl::load_policy(dir, &config)?;
            Evaluation::of_policy(&config.env, policy.as_ref(), seed, episodes)
        }
        "gcl" => {
            let config: GclSavedConfig =
                serde_json::from_value(config.clone()).with_context(|| parse("train gcl"))?;
            let entry = registry::lookup(&config.env)?;
            if let Some(mdp) = entry.make().tabular().cloned() {
                // The exact MaxEnt generator: its policy table and learned state cost.
                let mut generator = TabularGenerator::new(
                    &entry,
                    std::sync::Arc::new(mdp),
                    config.learner.tabular.clone(),
                    f64::from(config.learner.gcl.alpha),
                )?;
                let path = dir.join(rl::WEIGHTS_FILE);
                generator
                    .load(&path)
                    .with_context(|| format!("cannot load {}", path.display()))?;
                let mut evaluation =
                    Evaluation::of_policy(&config.env, generator.policy(), seed, episodes)?;
                let truth = maxent_irl::true_state_cost(generator.mdp());
                evaluation
                    .set_cost_quality(generator.state_cost().as_slice().unwrap_or(&[]), &truth);
                return Ok(evaluation);
            }
            let rebuild = rl::SavedConfig {
                env: config.env,
                ppo: config.learner.ppo,
            };
            let policy = rl::load_policy(dir, &rebuild)?;
            Evaluation::of_policy(&rebuild.env, policy.as_ref(), seed, episodes)
        }
        "maxent-irl" => {
            let config: maxent_irl::RunConfig = serde_json::from_value(config.clone())
                .with_context(|| parse("train maxent-irl"))?;
            let cost = maxent_irl::load_cost(dir, &config)?;
            let mdp = maxent_irl::tabular_mdp(&config.env)?;
            let policy = maxent_irl::maxent_policy(&mdp, &cost.state_cost)?;
            let mut evaluation = Evaluation::of_policy(&config.env, &policy, seed, episodes)?;
            evaluation.set_cost_quality(&cost.state_cost, &maxent_irl::true_state_cost(&mdp));
            Ok(evaluation)
        }
        other => bail!(
            "{} was written by an unknown method `{other}`",
            dir.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_without_anchors_is_reported_not_scored() {
        let evaluation = Evaluation::new("hopper", 4, 0, 12.5, Some(1.0)).unwrap();
        assert_eq!(evaluation.normalized_score, None);
        let text = evaluation.summary();
        assert!(text.contains("no anchors for `hopper`"), "{text}");
        let json = serde_json::to_value(&evaluation).unwrap();
        assert!(json["normalized_score"].is_null());
        assert!(json.get("cost_pearson").is_none());
    }

    #[test]
    fn scores_and_cost_quality_are_filled_in() {
        let mut evaluation = Evaluation::exact("gridworld", 21.0938).unwrap();
        assert!((evaluation.normalized_score.unwrap() - 1.0).abs() < 1e-6);
        assert_eq!(evaluation.return_std, None);
        evaluation.set_cost_quality(&[1.0, 2.0, 3.0], &[2.0, 4.0, 7.0]);
        assert!((evaluation.cost_spearman.unwrap() - 1.0).abs() < 1e-12);
        assert!(evaluation.summary().contains("Pearson"));
    }

    #[test]
    fn the_method_comes_from_the_config() {
        let rl = serde_json::json!({"command": "train rl"});
        let bc = serde_json::json!({"command": "train bc", "method": "bc"});
        assert_eq!(method_of(&rl).unwrap(), "rl");
        assert_eq!(method_of(&bc).unwrap(), "bc");
        assert!(method_of(&serde_json::json!({"env": "x"})).is_err());
    }
}
