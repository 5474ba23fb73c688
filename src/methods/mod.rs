//! The training methods, one module each, behind one seam: [`Method`] trains from its settings
//! into a run folder, and rebuilds a run folder's policy and learned cost. Evaluation
//! ([`crate::evaluate`]), re-optimisation and benchmarks ([`crate::bench`]) are written once
//! over it.

pub mod bc;
pub mod checkpoint;
pub mod demonstrations;
pub mod gcl;
pub mod maxent_irl;
pub mod rl;

use crate::plot::{line_chart_svg, Chart, Series};
use crate::progress::Progress;
use crate::run_dir::RunDir;
use crate::run_dir::CONFIG_FILE;
use anyhow::{bail, Context, Result};
use costlearn_agents::gcl::LearnedCost;
use costlearn_agents::nn::Device;
use costlearn_agents::ppo::PpoConfig;
use costlearn_envs::tabular::Mdp;
use costlearn_envs::Policy;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Name of every run's learning-curve plot.
const CURVE_FILE: &str = "learning_curve.svg";

/// One training method.
pub trait Method {
    /// The method's name: `train <NAME>` trains it, and `config.json` names it.
    const NAME: &'static str;
    /// Everything one training run needs besides where it goes.
    type Settings;
    /// The parts of a run's `config.json` that rebuild its policy and cost.
    type Saved: DeserializeOwned;

    /// Trains from `settings` into the run folder of `run`, reporting to `progress`.
    fn train(settings: &Self::Settings, run: &RunOptions, progress: &Progress) -> Result<()>;

    /// The task a saved run trained on.
    fn env(saved: &Self::Saved) -> &str;

    /// The demonstration file a saved run learned from (`None` for a method that reads none).
    fn demos(saved: &Self::Saved) -> Option<&Path>;

    /// Rebuilds the final policy of the run folder `dir` (on the CPU).
    fn policy(dir: &Path, saved: &Self::Saved) -> Result<Box<dyn Policy>>;

    /// Rebuilds the learned cost of the run folder `dir`; `None` for a method that learns none.
    fn cost(dir: &Path, saved: &Self::Saved) -> Result<Option<RunCost>>;
}

/// A learned cost rebuilt from a run folder, with what re-optimising on it needs.
pub enum RunCost {
    /// A cost per state of a tabular task: re-optimising on it is its exact MaxEnt policy.
    States {
        /// The task's model.
        mdp: Arc<Mdp>,
        /// The cost of every state, in state order.
        state_cost: Vec<f64>,
    },
    /// A network cost of a continuous task: re-optimising on it trains a fresh PPO policy.
    Network(Box<NetworkCost>),
}

/// A network cost of a continuous task and what its run trained with.
pub struct NetworkCost {
    /// The cost, both parts of a shaped one.
    pub cost: LearnedCost,
    /// The run's demonstration file.
    pub demos: PathBuf,
    /// Demonstrations the run trained on (the first ones of the file; the rest are held out).
    pub num_demos: usize,
    /// The policy settings of the run, with the entropy weight its generator trained under.
    pub ppo: PpoConfig,
    /// The run's iterations, the re-optimisation's by default.
    pub iterations: usize,
}

/// Where and how a run trains, whatever its method.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// The run folder.
    pub out: PathBuf,
    /// Write into a non-empty folder, replacing its files.
    pub force: bool,
    /// Continue the run in `out` from its last checkpoint (the methods that keep one).
    pub resume: bool,
    /// Training device.
    pub device: Device,
    /// Worker threads (`None`: one per core).
    pub threads: Option<usize>,
}

impl RunOptions {
    /// A new run in `out` on the CPU with one thread per core.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        Self {
            out: out.into(),
            force: false,
            resume: false,
            device: Device::Cpu,
            threads: None,
        }
    }

    /// A thread pool of [`RunOptions::threads`] workers.
    pub fn thread_pool(&self) -> Result<rayon::ThreadPool> {
        if self.threads == Some(0) {
            anyhow::bail!("--threads must be at least 1");
        }
        rayon::ThreadPoolBuilder::new()
            .num_threads(self.threads.unwrap_or(0))
            .build()
            .context("could not start the worker threads")
    }
}

/// Draws `series` on one chart and writes it as the run's learning curve.
fn write_curve(run: &RunDir, chart: &Chart<'_>, series: &[Series]) -> Result<()> {
    let svg = line_chart_svg(chart, series)?;
    run.write(CURVE_FILE, svg.as_bytes())
}

/// A run folder rebuilt through its method's seam.
pub struct Rebuilt {
    /// The method that wrote it (`config.json` names it).
    pub method: &'static str,
    /// The task.
    pub env: String,
    /// The demonstration file it learned from, if any.
    pub demos: Option<PathBuf>,
    /// Its final policy, on the CPU.
    pub policy: Box<dyn Policy>,
    /// Its learned cost, if it learns one.
    pub cost: Option<RunCost>,
}

/// Rebuilds the run in `dir` with the method its `config.json` names.
pub fn rebuild(dir: &Path) -> Result<Rebuilt> {
    let config = read_config(dir)?;
    match method_of(&config)?.as_str() {
        rl::Rl::NAME => rebuild_with::<rl::Rl>(dir, &config),
        bc::Bc::NAME => rebuild_with::<bc::Bc>(dir, &config),
        gcl::Gcl::NAME => rebuild_with::<gcl::Gcl>(dir, &config),
        maxent_irl::MaxEnt::NAME => rebuild_with::<maxent_irl::MaxEnt>(dir, &config),
        other => bail!(
            "{} was written by an unknown method `{other}`",
            dir.display()
        ),
    }
}

/// Rebuilds a run of method `M` whose configuration is `config`.
fn rebuild_with<M: Method>(dir: &Path, config: &serde_json::Value) -> Result<Rebuilt> {
    let saved: M::Saved = serde_json::from_value(config.clone()).with_context(|| {
        format!(
            "{} is not a valid `train {}` configuration",
            dir.join(CONFIG_FILE).display(),
            M::NAME
        )
    })?;
    Ok(Rebuilt {
        method: M::NAME,
        env: M::env(&saved).to_string(),
        demos: M::demos(&saved).map(Path::to_path_buf),
        policy: M::policy(dir, &saved)?,
        cost: M::cost(dir, &saved)?,
    })
}

/// The parts of `config.json` every method shares.
#[derive(serde::Deserialize)]
struct Header {
    command: String,
    #[serde(default)]
    method: Option<String>,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_method_comes_from_the_config() {
        let rl = serde_json::json!({"command": "train rl"});
        let bc = serde_json::json!({"command": "train bc", "method": "bc"});
        assert_eq!(method_of(&rl).unwrap(), "rl");
        assert_eq!(method_of(&bc).unwrap(), "bc");
        assert!(method_of(&serde_json::json!({"env": "x"})).is_err());
    }
}
