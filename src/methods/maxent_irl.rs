//! `costlearn train maxent-irl`: exact maximum-entropy IRL of a linear cost on a tabular task, the
//! reference a learned cost is judged against.

use super::{demonstrations, Method, RunCost, RunOptions};
use crate::evaluation::Evaluation;
use crate::progress::Progress;
use crate::run_dir::{CsvRow, RunDir};
use anyhow::{bail, Context, Result};
use costlearn_agents::maxent_irl::MaxEntIrl;
use costlearn_envs::tabular::{
    expected_return, gridworld, objectworld, soft_value_iteration, state_action_visitation, Mdp,
    TabularPolicy,
};
use costlearn_envs::{registry, Policy};
use ndarray::Array2;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Name of the learned cost (weights and per-state cost).
pub const COST_FILE: &str = "cost.json";
/// Adam steps of an MLP cost's fit.
const MLP_STEPS: usize = 300;
/// Temperature of the MaxEnt policy (the one the fit uses).
const ALPHA: f64 = 1.0;

/// Settings of one `train maxent-irl` run.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Tabular task: `gridworld` or `objectworld`.
    pub env: String,
    /// Demonstration file (`.npz`).
    pub demos: PathBuf,
    /// Fit the first N episodes of the file (`None`: all of them).
    pub num_demos: Option<usize>,
    /// Weight λ of the Gaussian prior −(λ/2)‖w‖² on the cost weights.
    pub l2: f64,
    /// The cost over the features.
    pub cost: CostKind,
    /// Seed of an MLP cost's initial weights.
    pub seed: u64,
}

impl Settings {
    /// A linear cost with no prior.
    pub fn new(env: &str, demos: impl Into<PathBuf>) -> Self {
        Self {
            env: env.to_string(),
            demos: demos.into(),
            num_demos: None,
            l2: 0.0,
            cost: CostKind::Linear,
            seed: 0,
        }
    }

    /// The same settings with every seed set to `seed`.
    pub fn reseed(&mut self, seed: u64) {
        self.seed = seed;
    }
}

/// Exact maximum-entropy IRL of a cost over a tabular task's features.
pub struct MaxEnt;

/// The form of the learned cost.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostKind {
    /// `c(s) = w·φ(s)`, fitted exactly.
    Linear,
    /// `c(s) = f_θ(φ(s))`, an MLP fitted by Adam on the same objective.
    Mlp,
}

/// What `config.json` holds.
#[derive(Debug, Serialize, Deserialize)]
pub struct RunConfig {
    /// `train maxent-irl`.
    pub command: String,
    /// `maxent-irl`.
    pub method: String,
    /// The task.
    pub env: String,
    /// The demonstration file.
    pub demos: PathBuf,
    /// Episodes fitted.
    pub num_demos: usize,
    /// Weight of the prior on the cost weights.
    pub l2: f64,
    /// The form of the learned cost.
    #[serde(default = "linear")]
    pub cost_kind: CostKind,
    /// Temperature of the MaxEnt policy.
    pub alpha: f64,
    /// The learned cost, relative to the run directory.
    pub cost: String,
    /// The settings the run was trained with (absent in runs of earlier versions).
    #[serde(default)]
    pub settings: Option<Settings>,
}

fn linear() -> CostKind {
    CostKind::Linear
}

/// What `cost.json` holds: `c(s) = w·φ(s)`, or the state costs of an MLP.
#[derive(Debug, Serialize, Deserialize)]
pub struct LearnedCost {
    /// Cost weights `w`, one per feature (empty for an MLP cost).
    pub weights: Vec<f64>,
    /// The cost of every state, in state order (row-major over the grid).
    pub state_cost: Vec<f64>,
}

/// One line of `metrics.csv`.
struct Row {
    iteration: usize,
    objective: f64,
}

impl CsvRow for Row {
    fn header() -> Vec<&'static str> {
        vec!["iteration", "dual_objective"]
    }

    fn cells(&self) -> Vec<String> {
        vec![self.iteration.to_string(), self.objective.to_string()]
    }
}

/// The model of a tabular task, or a one-line refusal for any other task.
pub fn tabular_mdp(env: &str) -> Result<Arc<Mdp>> {
    match env {
        "gridworld" => Ok(gridworld::default_mdp()),
        "objectworld" => Ok(objectworld::default_mdp()),
        other => {
            registry::lookup(other)?;
            bail!("maxent-irl needs a tabular task (gridworld or objectworld), and `{other}` is not one")
        }
    }
}

/// The true cost `−r(s)` of every state (the reward averaged over actions).
pub fn true_state_cost(mdp: &Mdp) -> Vec<f64> {
    mdp.reward
        .rows()
        .into_iter()
        .map(|r| -r.iter().map(|&v| f64::from(v)).sum::<f64>() / r.len() as f64)
        .collect()
}

/// The MaxEnt policy of a per-state cost on `mdp`.
pub fn maxent_policy(mdp: &Mdp, state_cost: &[f64]) -> Result<TabularPolicy> {
    if state_cost.len() != mdp.num_states() {
        bail!(
            "the cost has {} states, the task {}",
            state_cost.len(),
            mdp.num_states()
        );
    }
    let reward = Array2::from_shape_fn((mdp.num_states(), mdp.num_actions()), |(s, _)| {
        -state_cost[s]
    });
    let values = soft_value_iteration(mdp, reward.view(), ALPHA)?;
    Ok(values.policy(mdp)?)
}

/// Fits, then writes `config.json`, `metrics.csv` (one row per accepted ascent step), `cost.json`
/// and `eval.json` (exact expected true return of the MaxEnt policy, cost correlations).
fn train_maxent_irl(settings: &Settings, options: &RunOptions, progress: &Progress) -> Result<()> {
    RunDir::check(&options.out, options.force)?;
    let mdp = tabular_mdp(&settings.env)?;
    let demos = demonstrations::load(&settings.env, &settings.demos, settings.num_demos, progress)?;
    let num_demos = demos.len();
    if !(settings.l2.is_finite() && settings.l2 >= 0.0) {
        bail!("--l2 must be a finite number ≥ 0");
    }
    let irl = MaxEntIrl::new().l2(settings.l2);
    let (weights, state_cost, log_pi, objective, gap) = match settings.cost {
        CostKind::Linear => {
            let fit = irl
                .fit_linear(&settings.env, &mdp, &demos)
                .context("MaxEnt IRL failed")?;
            let gap = format!("feature gap {:.2e}", fit.feature_gap);
            let state_cost = fit.state_cost(&mdp).to_vec();
            (
                fit.weights.to_vec(),
                state_cost,
                fit.values.log_pi,
                fit.objective,
                gap,
            )
        }
        CostKind::Mlp => {
            let fit = irl
                .max_iterations(MLP_STEPS)
                .fit_mlp(&settings.env, &mdp, &demos, &[32, 32], 1e-2, settings.seed)
                .context("MaxEnt IRL failed")?;
            let gap = "MLP cost".to_string();
            (
                Vec::new(),
                fit.state_cost.to_vec(),
                fit.values.log_pi,
                fit.objective,
                gap,
            )
        }
    };
    if state_cost.iter().any(|c| !c.is_finite()) {
        bail!("MaxEnt IRL diverged: the learned cost is not finite");
    }
    // The imitating policy on the task's own start distribution.
    let visitation = state_action_visitation(&mdp, log_pi.view())?;
    let exact = expected_return(mdp.reward.view(), visitation.view())?;

    let run = RunDir::create(&options.out, options.force)?;
    let mut log = run.metrics::<Row>();
    for (iteration, &objective) in objective.iter().enumerate() {
        log.append(Row {
            iteration,
            objective,
        })?;
    }
    run.write_json(
        COST_FILE,
        &LearnedCost {
            weights,
            state_cost: state_cost.clone(),
        },
    )?;
    let mut evaluation = Evaluation::exact(&settings.env, Some(&settings.demos), exact)?;
    evaluation.set_cost_quality(&state_cost, &true_state_cost(&mdp));
    evaluation.write(&run)?;
    run.write_config(&RunConfig {
        command: "train maxent-irl".into(),
        method: "maxent-irl".into(),
        env: settings.env.clone(),
        demos: settings.demos.clone(),
        num_demos,
        l2: settings.l2,
        cost_kind: settings.cost,
        alpha: ALPHA,
        cost: COST_FILE.into(),
        settings: Some(settings.clone()),
    })?;
    progress.summary(format_args!(
        "fitted a {:?} cost to {num_demos} episodes of {} in {} steps ({gap}); run in {}",
        settings.cost,
        settings.env,
        objective.len().saturating_sub(1),
        run.path().display()
    ));
    progress.summary(evaluation.summary());
    Ok(())
}

impl Method for MaxEnt {
    const NAME: &'static str = "maxent-irl";
    type Settings = Settings;
    type Saved = RunConfig;

    fn train(settings: &Settings, run: &RunOptions, progress: &Progress) -> Result<()> {
        train_maxent_irl(settings, run, progress)
    }

    fn env(saved: &RunConfig) -> &str {
        &saved.env
    }

    fn demos(saved: &RunConfig) -> Option<&Path> {
        Some(&saved.demos)
    }

    fn policy(dir: &Path, saved: &RunConfig) -> Result<Box<dyn Policy>> {
        let cost = load_cost(dir, saved)?;
        let mdp = tabular_mdp(&saved.env)?;
        Ok(Box::new(maxent_policy(&mdp, &cost.state_cost)?))
    }

    fn cost(dir: &Path, saved: &RunConfig) -> Result<Option<RunCost>> {
        Ok(Some(RunCost::States {
            mdp: tabular_mdp(&saved.env)?,
            state_cost: load_cost(dir, saved)?.state_cost,
        }))
    }
}

/// The learned cost of a `train maxent-irl` run directory.
fn load_cost(dir: &Path, config: &RunConfig) -> Result<LearnedCost> {
    let path = dir.join(&config.cost);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a learned cost", path.display()))
}
