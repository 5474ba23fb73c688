//! Judging a learned cost: its correlation with the true cost (drawn in `cost_vs_true.svg`) and,
//! when asked, the true return of a fresh policy re-optimised on it.

use super::held_out::{self, Group};
use super::{reopt, Reopt};
use crate::cost_plot::{self, Field, COST_PLOT_FILE};
use crate::evaluation::{episodes_of, Evaluation};
use crate::methods::{maxent_irl, NetworkCost, RunCost};
use crate::run_dir::RunDir;
use anyhow::{bail, Context, Result};
use costlearn_agents::cost::Cost;
use costlearn_agents::gcl::{CostPart, LearnedCost};
use costlearn_envs::control::navigation;
use costlearn_envs::tabular::Mdp;
use costlearn_envs::{demos, registry, Policy, UniformRandom};
use ndarray::Array2;
use std::sync::Arc;

/// Judges the learned `cost` of `run`, whose policy is `policy`, into `evaluation`.
pub fn judge_cost(
    run: &RunDir,
    cost: RunCost,
    policy: &dyn Policy,
    evaluation: &mut Evaluation,
    reopt: Option<&Reopt>,
) -> Result<()> {
    match cost {
        RunCost::States { mdp, state_cost } => {
            judge_state_cost(run, &mdp, &state_cost, evaluation, reopt)
        }
        RunCost::Network(network) => judge_network_cost(run, *network, policy, evaluation, reopt),
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

/// Judges a learned per-state cost of a tabular task (and re-optimises on it with `reopt`): its
/// correlation with the true cost, the heat maps of both in `cost_vs_true.svg`, and the return of
/// the exact MaxEnt policy of the cost (soft value iteration), which is its re-optimisation.
fn judge_state_cost(
    run: &RunDir,
    mdp: &Mdp,
    state_cost: &[f64],
    evaluation: &mut Evaluation,
    reopt: Option<&Reopt>,
) -> Result<()> {
    let env = evaluation.env.clone();
    if let Some(changed) = reopt.and_then(|r| r.changed.as_deref()) {
        bail!("--changed {changed}: `{env}` has no changed task to re-optimise on");
    }
    let truth = maxent_irl::true_state_cost(mdp);
    evaluation.set_cost_quality(state_cost, &truth);
    if reopt.is_some() {
        let policy = maxent_irl::maxent_policy(mdp, state_cost)?;
        let episodes = episodes_of(&env, &policy, evaluation.seed, evaluation.episodes.max(1))?;
        evaluation.set_reopt(None, f64::from(episodes.return_stats().0))?;
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

/// A network cost of a continuous task: against the true cost on held-out steps (the unused
/// demonstrations, a uniform random policy's episodes and the run's own), and (with `reopt`) fresh
/// PPO policies re-optimised on it, on the run's task and on a changed one.
fn judge_network_cost(
    run: &RunDir,
    trained: NetworkCost,
    policy: &dyn Policy,
    evaluation: &mut Evaluation,
    reopt: Option<&Reopt>,
) -> Result<()> {
    let env = evaluation.env.clone();
    let (seed, episodes) = (evaluation.seed, evaluation.episodes);
    let changed = match reopt {
        Some(r) => r
            .changed
            .clone()
            .or_else(|| reopt::default_changed(&env).map(String::from)),
        None => None,
    };
    if let Some(changed) = &changed {
        reopt::check_changed(&env, changed)?;
    }
    // A shaped cost is judged by its task part g_θ unless asked otherwise: the shaping
    // h_φ(x') − h_φ(x) is what the discriminator needs, not what a new learner should optimise.
    let cost = trained.cost;
    let part = if cost.is_shaped() && !reopt.is_some_and(|r| r.full_cost) {
        CostPart::Task
    } else {
        CostPart::Full
    };
    let cost = cost.part(part);
    evaluation.cost_part = Some(part);
    let spec = registry::lookup(&env)?.make().spec().clone();
    let all_demos = demos::load_for(&trained.demos, &spec).with_context(|| {
        format!(
            "cannot read the run's demonstrations {}",
            trained.demos.display()
        )
    })?;
    let mut groups = Vec::new();
    let unused = all_demos.skip(trained.num_demos);
    if !unused.is_empty() {
        groups.push(Group::score("held-out demos", &cost, &unused)?);
    }
    let random = UniformRandom::new(spec.action_space.clone())?;
    let n = HELD_OUT_EPISODES.min(episodes);
    groups.push(Group::score(
        "uniform random policy",
        &cost,
        &episodes_of(&env, &random, seed, n)?,
    )?);
    groups.push(Group::score(
        "the run's policy",
        &cost,
        &episodes_of(&env, policy, seed, n)?,
    )?);
    let (learned, truth) = held_out::pooled(&groups);
    evaluation.set_cost_quality(&learned, &truth);
    let svg = if env == "navigation" {
        navigation_fields(&cost.clone().part(CostPart::Task), evaluation)?
    } else {
        cost_plot::scatter_svg(
            &format!(
                "{env}: learned vs true cost ({})",
                correlations(evaluation, "held-out steps")
            ),
            &groups,
        )?
    };
    run.write(COST_PLOT_FILE, svg.as_bytes())?;

    if let Some(reopt) = reopt {
        let iterations = reopt.iterations.unwrap_or(trained.iterations);
        // A fresh policy on the cost alone: no behavioral-cloning term, no warm start.
        let mut ppo = trained.ppo.clone().bc_coef(0.0);
        if let Some(alpha) = reopt.alpha {
            ppo.alpha = alpha;
        }
        let cost: Arc<dyn Cost> = Arc::new(cost);
        let same = reopt::reoptimise(&env, &ppo, cost.clone(), iterations, seed, episodes)?;
        evaluation.set_reopt(None, same)?;
        if let Some(changed) = &changed {
            let r = reopt::reoptimise(changed, &ppo, cost, iterations, seed, episodes)?;
            evaluation.set_reopt(Some(changed), r)?;
        }
    }
    Ok(())
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
