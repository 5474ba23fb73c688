//! `costlearn train maxent-irl`: exact maximum-entropy IRL of a linear cost on a tabular task, the
//! reference a learned cost is judged against.

use super::{Progress, RunArgs};
use crate::commands::eval::Evaluation;
use crate::run_dir::{CsvRow, RunDir};
use anyhow::{bail, Context, Result};
use costlearn_agents::maxent_irl::MaxEntIrl;
use costlearn_envs::tabular::{
    expected_return, gridworld, objectworld, soft_value_iteration, state_action_visitation, Mdp,
    TabularPolicy,
};
use costlearn_envs::{demos, registry};
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

/// Arguments of `costlearn train maxent-irl`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Tabular task: `gridworld` or `objectworld`.
    #[arg(long)]
    pub env: String,
    /// Demonstration file (`.npz`, e.g. from `costlearn record`).
    #[arg(long)]
    pub demos: PathBuf,
    /// Fit the first N episodes of the file (default: all of them).
    #[arg(long)]
    pub num_demos: Option<usize>,
    /// Weight λ of the Gaussian prior −(λ/2)‖w‖² on the cost weights.
    #[arg(long, default_value_t = 0.0)]
    pub l2: f64,
    /// The cost over the features: linear, or an MLP with two hidden layers of 32 units.
    #[arg(long, value_enum, default_value_t = CostKind::Linear)]
    pub cost: CostKind,
    #[command(flatten)]
    pub run: RunArgs,
}

/// The form of the learned cost.
#[derive(clap::ValueEnum, Clone, Copy, Debug, Serialize, Deserialize)]
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
pub fn run(args: Args) -> Result<()> {
    train(args, &Progress::terminal())
}

/// [`run`], reporting to `progress`.
pub fn train(args: Args, progress: &Progress) -> Result<()> {
    RunDir::check(&args.run.out, args.run.force)?;
    let mdp = tabular_mdp(&args.env)?;
    let entry = registry::lookup(&args.env)?;
    let spec = entry.make().spec().clone();
    let all = demos::load_for(&args.demos, &spec)?;
    let num_demos = args.num_demos.unwrap_or(all.len());
    if num_demos == 0 || num_demos > all.len() {
        bail!(
            "--num-demos must be between 1 and {} (the episodes in {})",
            all.len(),
            args.demos.display()
        );
    }
    if !(args.l2.is_finite() && args.l2 >= 0.0) {
        bail!("--l2 must be a finite number ≥ 0");
    }
    let demos = all.first(num_demos);
    let irl = MaxEntIrl::new().l2(args.l2);
    let (weights, state_cost, log_pi, objective, gap) = match args.cost {
        CostKind::Linear => {
            let fit = irl
                .fit_linear(&args.env, &mdp, &demos)
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
                .fit_mlp(&args.env, &mdp, &demos, &[32, 32], 1e-2, args.run.seed)
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

    let run = RunDir::create(&args.run.out, args.run.force)?;
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
    let mut evaluation = Evaluation::exact(&args.env, exact)?;
    evaluation.set_cost_quality(&state_cost, &true_state_cost(&mdp));
    evaluation.write(&run)?;
    run.write_config(&RunConfig {
        command: "train maxent-irl".into(),
        method: "maxent-irl".into(),
        env: args.env.clone(),
        demos: args.demos.clone(),
        num_demos,
        l2: args.l2,
        cost_kind: args.cost,
        alpha: ALPHA,
        cost: COST_FILE.into(),
    })?;
    progress.summary(format_args!(
        "fitted a {:?} cost to {num_demos} episodes of {} in {} steps ({gap}); run in {}",
        args.cost,
        args.env,
        objective.len().saturating_sub(1),
        run.path().display()
    ));
    progress.summary(evaluation.summary());
    Ok(())
}

/// The learned cost of a `train maxent-irl` run directory.
pub fn load_cost(dir: &Path, config: &RunConfig) -> Result<LearnedCost> {
    let path = dir.join(&config.cost);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("{} is not a learned cost", path.display()))
}
