//! Behavioral cloning against the number of demonstrations: the normalised score
//! `(R − R_random) / (R_expert − R_random)` of BC on every task with shipped demonstrations, with
//! the anchors of `demos/manifest.toml`.
//!
//! ```text
//! cargo run --release --example bc_table                      # 1 and 16 demos, every task
//! cargo run --release --example bc_table -- pendulum 16 4 8   # one task, the given demo counts
//! ```
//!
//! Each policy is evaluated on 64 fresh episodes (seed 1000; exact expected return for the tabular
//! tasks would differ from these sampled anchors only by sampling noise).

use anyhow::{Context, Result};
use costlearn_agents::bc::BcConfig;
use costlearn_agents::policy::TrainablePolicy;
use costlearn_envs::rollout::Rollout;
use costlearn_envs::{demos, registry};
use std::path::PathBuf;
use std::time::Instant;

const TASKS: [&str; 6] = [
    "pendulum",
    "cartpole",
    "reacher",
    "navigation",
    "gridworld",
    "objectworld",
];
const EVAL_SEED: u64 = 1000;
const EVAL_EPISODES: usize = 64;

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

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (tasks, counts): (Vec<&str>, Vec<usize>) = match args.split_first() {
        None => (TASKS.to_vec(), vec![1, 16]),
        Some((task, counts)) => (
            vec![task.as_str()],
            counts
                .iter()
                .map(|c| c.parse().context("demo counts are integers"))
                .collect::<Result<_>>()?,
        ),
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let manifest = std::fs::read_to_string(root.join("demos/manifest.toml"))?;
    // The default settings (20% of the episodes held out for early stopping, at most 300 epochs),
    // and the same budget on every episode with no early stopping.
    let configs = [
        ("20% held out", BcConfig::new().seed(1)),
        ("none", BcConfig::new().seed(1).holdout(0.0)),
    ];
    println!("| task | demos | held out | epochs run | BC return | normalised score | seconds |");
    println!("|---|---:|---|---:|---:|---:|---:|");
    for task in tasks {
        let entry = registry::lookup(task)?;
        let spec = entry.make().spec().clone();
        let path = root.join("demos").join(format!("{task}.npz"));
        let all = demos::load_for(&path, &spec)?;
        let (expert, random) = anchors(&manifest, task)?;
        for &n in &counts {
            // With one episode nothing is held out, so both settings train the same way.
            let runs = if n > 1 { &configs[..] } else { &configs[1..] };
            for (holdout, config) in runs {
                let start = Instant::now();
                let trained = config.train(&all.first(n))?;
                let eval = Rollout::new(EVAL_SEED)
                    .episodes(EVAL_EPISODES)
                    .collect(&mut *entry.make_vec(16), &trained.policy.snapshot())?;
                let r = f64::from(eval.return_stats().0);
                println!(
                    "| {task} | {n} | {holdout} | {} | {r:.2} | {:.3} | {:.1} |",
                    trained.history.len(),
                    (r - random) / (expert - random),
                    start.elapsed().as_secs_f64()
                );
            }
        }
    }
    Ok(())
}
