//! `costlearn eval DIR`: rebuilds the policy of a run directory and measures its true return over
//! fresh episodes, with the normalised score `(R − R_random) / (R_expert − R_random)`; for a run
//! with a learned cost, the cost's correlation with the true cost (drawn in `cost_vs_true.svg`)
//! and, with `--reopt`, the score of a fresh policy re-optimised on it, on the same task and on a
//! changed one.
//!
//! The run's `config.json` names its method; [`evaluate_run`] has one match arm per method.

use crate::anchors;
use crate::commands::train::{bc, gcl, maxent_irl, rl};
use crate::correlation::{pearson, spearman};
use crate::cost_plot::{self, Field, COST_PLOT_FILE};
use crate::held_out::{self, Group};
use crate::reopt;
use crate::run_dir::{RunDir, CONFIG_FILE};
use anyhow::{bail, Context, Result};
use costlearn_agents::cost::Cost;
use costlearn_agents::gcl::{CostPart, LearnedCost, TabularGenerator};
use costlearn_envs::control::navigation;
use costlearn_envs::rollout::Rollout;
use costlearn_envs::tabular::Mdp;
use costlearn_envs::{demos, registry, Policy, Trajectories, UniformRandom};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    /// Also train a fresh policy from scratch on the run's learned cost and score it on the true
    /// reward, on the run's task and on a changed one.
    #[arg(long)]
    reopt: bool,
    /// PPO iterations of each re-optimisation (default: the run's own).
    #[arg(long, requires = "reopt")]
    reopt_iterations: Option<usize>,
    /// Which part of a shaped learned cost the correlations and the re-optimisation read: `task`
    /// (`g_θ`, the shaping dropped) or `full` (`g_θ + h_φ(x') − h_φ(x)`) [default: task].
    #[arg(long, value_enum, requires = "reopt")]
    cost_part: Option<PartArg>,
    /// Entropy weight α of each re-optimisation (default: the one the run's learner trained
    /// under).
    #[arg(long, requires = "reopt")]
    reopt_alpha: Option<f32>,
    /// Changed task of the re-optimisation (default: the registered variant of the run's task,
    /// `pendulum` → `pendulum-heavy`, `reacher` → `reacher-long`, `navigation` →
    /// `navigation-tall`); it must have the same spaces.
    #[arg(long, requires = "reopt")]
    changed: Option<String>,
}

/// Which part of a learned cost to judge.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum PartArg {
    /// The task's part `g_θ` of a shaped cost (the whole cost of an unshaped one).
    Task,
    /// The whole cost, shaping included.
    Full,
}

/// What `--reopt` asks for.
#[derive(Clone, Debug)]
pub struct ReoptArgs {
    /// PPO iterations of each re-optimisation (default: the run's own).
    pub iterations: Option<usize>,
    /// Entropy weight of each re-optimisation (default: the run's own).
    pub alpha: Option<f32>,
    /// Re-optimise on the whole of a shaped cost instead of its task part.
    pub full_cost: bool,
    /// Changed task (default: the registered variant of the run's task).
    pub changed: Option<String>,
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
            cost_part: None,
            reopt_return_mean: None,
            reopt_normalized_score: None,
            reopt_changed_env: None,
            reopt_changed_return_mean: None,
            reopt_changed_normalized_score: None,
        })
    }

    /// Runs `episodes` fresh episodes of `policy` on `env` from `seed`.
    pub fn of_policy(env: &str, policy: &dyn Policy, seed: u64, episodes: usize) -> Result<Self> {
        Self::of_episodes(env, seed, &episodes_of(env, policy, seed, episodes)?)
    }

    /// The returns of `trajs`, episodes of `env` from `seed`.
    fn of_episodes(env: &str, seed: u64, trajs: &Trajectories) -> Result<Self> {
        let (mean, std) = trajs.return_stats();
        Self::new(
            env,
            trajs.len(),
            seed,
            f64::from(mean),
            Some(f64::from(std)),
        )
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

    /// Records the mean true return of a policy re-optimised on the learned cost, on the run's
    /// task (`changed` = `None`) or on a changed task.
    pub fn set_reopt(&mut self, changed: Option<&str>, return_mean: f64) -> Result<()> {
        let env = changed.unwrap_or(&self.env);
        let score = anchors::for_env(env)?.and_then(|a| a.normalize(return_mean));
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

/// The parts of `config.json` every method shares.
#[derive(Deserialize)]
struct Header {
    command: String,
    #[serde(default)]
    method: Option<String>,
}

/// `episodes` fresh episodes of `policy` on `env` from `seed`.
fn episodes_of(env: &str, policy: &dyn Policy, seed: u64, episodes: usize) -> Result<Trajectories> {
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

/// Rebuilds and evaluates the policy of a run directory, writes the evaluation to its
/// `eval.json` and, for a run with a learned cost, draws `cost_vs_true.svg`.
pub fn run(args: Args) -> Result<()> {
    let reopt = args.reopt.then(|| ReoptArgs {
        iterations: args.reopt_iterations,
        alpha: args.reopt_alpha,
        full_cost: matches!(args.cost_part, Some(PartArg::Full)),
        changed: args.changed.clone(),
    });
    let evaluation = evaluate_dir(&args.dir, args.seed, args.episodes, reopt.as_ref())?;
    if args.json {
        println!("{}", serde_json::to_string(&evaluation)?);
    } else {
        println!("{}", evaluation.summary());
    }
    Ok(())
}

/// Evaluates the run in `dir` (and re-optimises on its learned cost when `reopt` is given), writes
/// the evaluation to its `eval.json` and, for a run with a learned cost, draws `cost_vs_true.svg`.
pub fn evaluate_dir(
    dir: &Path,
    seed: u64,
    episodes: usize,
    reopt: Option<&ReoptArgs>,
) -> Result<Evaluation> {
    let config = read_config(dir)?;
    let run = RunDir::open(dir)?;
    let evaluation = evaluate_run(&run, &config, seed, episodes, reopt)?;
    evaluation.write(&run)?;
    Ok(evaluation)
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
/// stored as a `train rl` run's are) and its learned cost.
#[derive(serde::Deserialize)]
struct GclSavedConfig {
    env: String,
    demos: PathBuf,
    num_demos: usize,
    iterations: usize,
    learner: costlearn_agents::gcl::LearnerConfig,
}

/// Evaluates a run directory whose configuration is `config`: one match arm per method.
fn evaluate_run(
    run: &RunDir,
    config: &serde_json::Value,
    seed: u64,
    episodes: usize,
    reopt: Option<&ReoptArgs>,
) -> Result<Evaluation> {
    let dir = run.path();
    let parse = |what: &str| {
        format!(
            "{} is not a valid `{what}` configuration",
            dir.join(CONFIG_FILE).display()
        )
    };
    let method = method_of(config)?;
    if reopt.is_some() && !matches!(method.as_str(), "gcl" | "maxent-irl") {
        bail!(
            "--reopt needs a learned cost, and {} was written by `train {method}`, which learns none",
            dir.display()
        );
    }
    match method.as_str() {
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
            evaluate_gcl(run, &config, seed, episodes, reopt)
        }
        "maxent-irl" => {
            let config: maxent_irl::RunConfig = serde_json::from_value(config.clone())
                .with_context(|| parse("train maxent-irl"))?;
            let cost = maxent_irl::load_cost(dir, &config)?;
            let mdp = maxent_irl::tabular_mdp(&config.env)?;
            let policy = maxent_irl::maxent_policy(&mdp, &cost.state_cost)?;
            let mut evaluation = Evaluation::of_policy(&config.env, &policy, seed, episodes)?;
            judge_state_cost(run, &mdp, &cost.state_cost, &mut evaluation, reopt)?;
            Ok(evaluation)
        }
        other => bail!(
            "{} was written by an unknown method `{other}`",
            dir.display()
        ),
    }
}

/// The correlations of a learned cost with the true one over `what`, for a plot's caption.
fn correlations(evaluation: &Evaluation, what: &str) -> String {
    let r = |v: Option<f64>| v.map_or("n/a".to_string(), |v| format!("{v:.3}"));
    format!(
        "Pearson {}, Spearman {} over the {what}",
        r(evaluation.cost_pearson),
        r(evaluation.cost_spearman)
    )
}

/// Episodes of a uniform random policy and of the run's own policy scored next to the held-out
/// demonstrations, at most this many of each.
const HELD_OUT_EPISODES: usize = 16;

/// A `train gcl` run: its policy's return, its learned cost against the true one on held-out
/// steps, and (with `reopt`) fresh policies re-optimised on that cost.
/// Judges a learned per-state cost of a tabular task (and re-optimises on it with `reopt`): its
/// correlation with the true cost, the heat maps of both in `cost_vs_true.svg`, and the return of
/// the exact MaxEnt policy of the cost (soft value iteration), which is its re-optimisation.
fn judge_state_cost(
    run: &RunDir,
    mdp: &Mdp,
    state_cost: &[f64],
    evaluation: &mut Evaluation,
    reopt: Option<&ReoptArgs>,
) -> Result<()> {
    let env = evaluation.env.clone();
    if let Some(changed) = reopt.and_then(|r| r.changed.as_deref()) {
        bail!("--changed {changed}: `{env}` has no changed task to re-optimise on");
    }
    let truth = maxent_irl::true_state_cost(mdp);
    evaluation.set_cost_quality(state_cost, &truth);
    if reopt.is_some() {
        let policy = maxent_irl::maxent_policy(mdp, state_cost)?;
        let reoptimised =
            Evaluation::of_policy(&env, &policy, evaluation.seed, evaluation.episodes.max(1))?;
        evaluation.set_reopt(None, reoptimised.return_mean)?;
    }
    let (rows, cols) = (mdp.height(), mdp.width);
    let field = |name: &str, values: Vec<f64>| Field {
        name: name.to_string(),
        rows,
        cols,
        values,
    };
    let svg = cost_plot::heat_maps_svg(
        &format!("{env}: learned vs true cost per state"),
        &format!(
            "{} (row 0 at the top; dark = low cost).",
            correlations(evaluation, "states")
        ),
        &[
            field("learned cost c(s)", state_cost.to_vec()),
            field("true cost −r(s)", truth),
        ],
    )?;
    run.write(COST_PLOT_FILE, svg.as_bytes())
}

fn evaluate_gcl(
    run: &RunDir,
    config: &GclSavedConfig,
    seed: u64,
    episodes: usize,
    reopt: Option<&ReoptArgs>,
) -> Result<Evaluation> {
    let env = config.env.as_str();
    let entry = registry::lookup(env)?;
    if let Some(mdp) = entry.make().tabular().cloned() {
        // The exact MaxEnt generator: its policy table and learned state cost.
        let mut generator = TabularGenerator::new(
            &entry,
            Arc::new(mdp),
            config.learner.tabular.clone(),
            f64::from(config.learner.gcl.alpha),
        )?;
        let path = run.file(rl::WEIGHTS_FILE);
        generator
            .load(&path)
            .with_context(|| format!("cannot load {}", path.display()))?;
        let mut evaluation = Evaluation::of_policy(env, generator.policy(), seed, episodes)?;
        let state_cost = generator.state_cost().to_vec();
        judge_state_cost(run, generator.mdp(), &state_cost, &mut evaluation, reopt)?;
        return Ok(evaluation);
    }
    let changed = match reopt {
        Some(r) => r
            .changed
            .clone()
            .or_else(|| reopt::default_changed(env).map(String::from)),
        None => None,
    };
    if let Some(changed) = &changed {
        reopt::check_changed(env, changed)?;
    }
    let dir = run.path();
    let rebuild = rl::SavedConfig {
        env: config.env.clone(),
        ppo: config.learner.ppo.clone(),
    };
    let policy = rl::load_policy(dir, &rebuild)?;
    let own = episodes_of(env, policy.as_ref(), seed, episodes)?;
    let mut evaluation = Evaluation::of_episodes(env, seed, &own)?;

    let spec = registry::lookup(env)?.make().spec().clone();
    let cost_file = dir.join(gcl::COST_FILE);
    let cost = LearnedCost::load(
        &config.learner.gcl,
        spec.obs_dim(),
        spec.act_dim(),
        &cost_file,
    )
    .with_context(|| format!("cannot load the learned cost {}", cost_file.display()))?;
    // A shaped cost is judged by its task part g_θ unless asked otherwise: the shaping
    // h_φ(x') − h_φ(x) is what the discriminator needs, not what a new learner should optimise.
    let part = if cost.is_shaped() && !reopt.is_some_and(|r| r.full_cost) {
        CostPart::Task
    } else {
        CostPart::Full
    };
    let cost = cost.part(part);
    evaluation.cost_part = Some(part);
    let all_demos = demos::load_for(&config.demos, &spec).with_context(|| {
        format!(
            "cannot read the run's demonstrations {}",
            config.demos.display()
        )
    })?;
    let mut groups = Vec::new();
    let unused = all_demos.skip(config.num_demos);
    if !unused.is_empty() {
        groups.push(Group::score("held-out demos", &cost, &unused)?);
    }
    let random = UniformRandom::new(spec.action_space.clone()).map_err(anyhow::Error::msg)?;
    let n = HELD_OUT_EPISODES.min(episodes);
    groups.push(Group::score(
        "uniform random policy",
        &cost,
        &episodes_of(env, &random, seed, n)?,
    )?);
    groups.push(Group::score("the run's policy", &cost, &own.first(n))?);
    let (learned, truth) = held_out::pooled(&groups);
    evaluation.set_cost_quality(&learned, &truth);
    let svg = if env == "navigation" {
        navigation_fields(&cost.clone().part(CostPart::Task), &evaluation)?
    } else {
        cost_plot::scatter_svg(
            &format!(
                "{env}: learned vs true cost ({})",
                correlations(&evaluation, "held-out steps")
            ),
            &groups,
        )?
    };
    run.write(COST_PLOT_FILE, svg.as_bytes())?;

    if let Some(reopt) = reopt {
        let iterations = reopt.iterations.unwrap_or(config.iterations);
        // The run's own policy settings, with the entropy weight its learner trained under.
        let mut ppo = config.learner.ppo.clone();
        ppo.alpha = reopt.alpha.unwrap_or(config.learner.gcl.alpha);
        let cost: Arc<dyn Cost> = Arc::new(cost);
        let same = reopt::reoptimise(env, &ppo, cost.clone(), iterations, seed, episodes)?;
        evaluation.set_reopt(None, same)?;
        if let Some(changed) = &changed {
            let r = reopt::reoptimise(changed, &ppo, cost, iterations, seed, episodes)?;
            evaluation.set_reopt(Some(changed), r)?;
        }
    }
    Ok(evaluation)
}

/// Cells of the navigation plane drawn per metre.
const PLANE_CELLS_PER_M: f64 = 25.0;

/// For `navigation`: the learned cost over the plane (at rest, goal `(0.8, 0)`, no force) next to
/// the true cost there, the distance to the goal.
fn navigation_fields(cost: &LearnedCost, evaluation: &Evaluation) -> Result<String> {
    let (x0, x1, y0, y1) = (-1.0, 1.0, -0.7, 0.7);
    let cols = ((x1 - x0) * PLANE_CELLS_PER_M) as usize;
    let rows = ((y1 - y0) * PLANE_CELLS_PER_M) as usize;
    let goal = [navigation::GOAL_X, 0.0];
    let centre = |r: usize, c: usize| {
        let x = x0 + (c as f64 + 0.5) / PLANE_CELLS_PER_M;
        let y = y1 - (r as f64 + 0.5) / PLANE_CELLS_PER_M;
        [x as f32, y as f32]
    };
    let obs = Array2::from_shape_fn((rows * cols, 6), |(i, j)| {
        let p = centre(i / cols, i % cols);
        [p[0], p[1], 0.0, 0.0, goal[0], goal[1]][j]
    });
    let learned = cost.cost(obs.view(), Array2::zeros((rows * cols, 2)).view())?;
    let truth = (0..rows * cols)
        .map(|i| {
            -f64::from(navigation::reward(
                centre(i / cols, i % cols),
                goal,
                [0.0, 0.0],
            ))
        })
        .collect();
    let field = |name: &str, values: Vec<f64>| Field {
        name: name.to_string(),
        rows,
        cols,
        values,
    };
    cost_plot::heat_maps_svg(
        "navigation: learned vs true cost over the plane (at rest, goal (0.8, 0), no force)",
        &format!(
            "x from {x0} to {x1} m, y from {y1} (top) to {y0} m, dark = low cost; {}.",
            correlations(evaluation, "held-out steps")
        ),
        &[
            field(
                "learned cost c(x, 0)",
                learned.iter().map(|&c| f64::from(c)).collect(),
            ),
            field("true cost ‖p − goal‖", truth),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_without_anchors_is_reported_not_scored() {
        // Every built-in task ships anchors; a task registered by a user has none.
        let evaluation = Evaluation::new("custom-task", 4, 0, 12.5, Some(1.0)).unwrap();
        assert_eq!(evaluation.normalized_score, None);
        let text = evaluation.summary();
        assert!(text.contains("no anchors for `custom-task`"), "{text}");
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
