//! Exports the final policy of a `costlearn train rl` run as a standalone expert controller: its
//! mean network with the observation normaliser baked in, in the format of
//! `costlearn_envs::control::mlp_expert`.
//!
//! ```text
//! cargo run --release --example export_expert -- RUN_DIR OUT_FILE
//! cargo run --release --example export_expert -- /tmp/hopper-rl envs/src/control/hopper_expert.safetensors
//! ```

use anyhow::{bail, Context, Result};
use costlearn_agents::cost::RewardSource;
use costlearn_agents::nn::Device;
use costlearn_agents::ppo::{Ppo, PpoConfig};
use costlearn_envs::registry;
use serde::Deserialize;
use std::path::PathBuf;

/// The parts of a `train rl` run's `config.json` that rebuild its learner.
#[derive(Deserialize)]
struct SavedConfig {
    env: String,
    ppo: PpoConfig,
}

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [run, out] = args.as_slice() else {
        bail!("usage: export_expert RUN_DIR OUT_FILE");
    };
    let run = PathBuf::from(run);
    let config_path = run.join("config.json");
    let text = std::fs::read_to_string(&config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    let config: SavedConfig = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a train rl config", config_path.display()))?;
    let entry = registry::lookup(&config.env)?;
    let mut ppo = Ppo::new(&entry, config.ppo, RewardSource::Env, Device::Cpu)?;
    let weights = run.join("weights.safetensors");
    ppo.load(&weights)
        .with_context(|| format!("cannot load {}", weights.display()))?;
    ppo.snapshot()
        .controller()?
        .save(out.as_ref())
        .with_context(|| format!("cannot write {out}"))?;
    println!("{} expert controller written to {out}", config.env);
    Ok(())
}
