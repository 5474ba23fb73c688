//! Tabular behavioral cloning against the categorical MLP that `train bc` uses, on the two tabular
//! tasks: the normalised score `(R − R_random) / (R_expert − R_random)` of each, with the exact
//! expected return of the policy (soft visitation forward pass, no sampling) and the anchors of
//! `demos/manifest.toml`.
//!
//! ```text
//! cargo run --release --example bc_tabular              # 1, 4 and 16 demos
//! cargo run --release --example bc_tabular -- 2 8 64    # the given demo counts
//! ```
//!
//! The table is smoothed with each [`Prior`] at `λ = 0.1`; the MLP is trained as `train bc`
//! trains it (200 epochs, 20% held out), with seeds 0, 1 and 2 (mean ± standard deviation).

use anyhow::{Context, Result};
use costlearn_agents::bc::tabular::{Prior, TabularBcConfig};
use costlearn_agents::bc::BcConfig;
use costlearn_agents::policy::TrainablePolicy;
use costlearn_envs::tabular::{self, state_action_visitation, Mdp};
use costlearn_envs::{demos, registry, Policy};
use ndarray::{aview1, Array2};
use std::path::PathBuf;

/// `(expert mean, random mean)` of `task` in the manifest `demos/manifest.toml`.
fn anchors(manifest: &str, task: &str) -> Result<(f64, f64)> {
    let table: toml::Table = manifest
        .parse()
        .context("demos/manifest.toml is not valid TOML")?;
    let get = |key: &str| {
        table
            .get(task)
            .and_then(|t| t.get(key))
            .and_then(toml::Value::as_float)
    };
    get("expert_return_mean")
        .zip(get("random_return_mean"))
        .with_context(|| format!("manifest has no anchors for `{task}`"))
}

/// Exact expected return of `policy` on `mdp`.
fn exact_return(mdp: &Mdp, policy: &dyn Policy) -> Result<f64> {
    let (t_n, s_n, a_n) = (mdp.horizon, mdp.num_states(), mdp.num_actions());
    let rows = t_n * s_n * a_n;
    let mut obs = Array2::zeros((rows, 3));
    let mut acts = Array2::zeros((rows, 1));
    for (row, (t, s, a)) in (0..t_n)
        .flat_map(|t| (0..s_n).flat_map(move |s| (0..a_n).map(move |a| (t, s, a))))
        .enumerate()
    {
        obs.row_mut(row).assign(&aview1(&mdp.observation(s, t)));
        acts[[row, 0]] = a as f32;
    }
    let log_pi = policy
        .log_prob(obs.view(), acts.view())
        .mapv(f64::from)
        .into_shape_with_order((t_n, s_n, a_n))?;
    let d = state_action_visitation(mdp, log_pi.view())?;
    Ok(tabular::expected_return(mdp.reward.view(), d.view())?)
}

fn main() -> Result<()> {
    let counts: Vec<usize> = match std::env::args().skip(1).collect::<Vec<_>>() {
        args if args.is_empty() => vec![1, 4, 16],
        args => args
            .iter()
            .map(|c| c.parse().context("demo counts are integers"))
            .collect::<Result<_>>()?,
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("demos/manifest.toml"))?;
    println!(
        "| task | demos | table, uniform | table, pooled | table, hierarchical | MLP (seeds 0-2) |"
    );
    println!("|---|---:|---:|---:|---:|---:|");
    for (task, mdp) in [
        ("gridworld", tabular::gridworld::default_mdp()),
        ("objectworld", tabular::objectworld::default_mdp()),
    ] {
        let spec = registry::make(task)?.spec().clone();
        let all = demos::load_for(&root.join(format!("demos/{task}.npz")), &spec)?;
        let (expert, random) = anchors(&manifest, task)?;
        let score = |policy: &dyn Policy| -> Result<f64> {
            Ok((exact_return(&mdp, policy)? - random) / (expert - random))
        };
        for &n in &counts {
            let demos = all.first(n);
            let mut line = format!("| {task} | {n} |");
            for prior in [Prior::Uniform, Prior::Pooled, Prior::Hierarchical] {
                let table = TabularBcConfig::new().prior(prior).train(&demos)?;
                line += &format!(" {:.2} |", score(&table.policy)?);
            }
            let mlp: Vec<f64> = (0..3)
                .map(|seed| {
                    let trained = BcConfig::new().epochs(200).seed(seed).train(&demos)?;
                    score(&trained.policy.snapshot())
                })
                .collect::<Result<_>>()?;
            let mean = mlp.iter().sum::<f64>() / 3.0;
            let std = (mlp.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / 3.0).sqrt();
            println!("{line} {mean:.2} ± {std:.2} |");
        }
    }
    Ok(())
}
