//! `costlearn train maxent-irl`: exact maximum-entropy IRL on a tabular task (see
//! [`crate::methods::maxent_irl`]).

use super::RunArgs;
use crate::methods::maxent_irl::{CostKind, Settings};
use crate::methods::RunOptions;
use anyhow::Result;
use std::path::PathBuf;

/// Arguments of `costlearn train maxent-irl`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Tabular task: `gridworld` or `objectworld`.
    #[arg(long)]
    env: String,
    /// Demonstration file (`.npz`, e.g. from `costlearn record`).
    #[arg(long)]
    demos: PathBuf,
    /// Fit the first N episodes of the file (default: all of them).
    #[arg(long)]
    num_demos: Option<usize>,
    /// Weight λ of the Gaussian prior −(λ/2)‖w‖² on the cost weights.
    #[arg(long, default_value_t = 0.0)]
    l2: f64,
    /// The cost over the features: linear, or an MLP with two hidden layers of 32 units.
    #[arg(long, value_enum, default_value_t = CostArg::Linear)]
    cost: CostArg,
    #[command(flatten)]
    run: RunArgs,
}

/// The form of the learned cost.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum CostArg {
    /// `c(s) = w·φ(s)`, fitted exactly.
    Linear,
    /// `c(s) = f_θ(φ(s))`, an MLP fitted by Adam on the same objective.
    Mlp,
}

impl Args {
    /// The method's settings and where the run goes.
    pub fn settings(&self) -> Result<(Settings, RunOptions)> {
        let mut settings = Settings::new(&self.env, &self.demos);
        settings.num_demos = self.num_demos;
        settings.l2 = self.l2;
        settings.seed = self.run.seed;
        settings.cost = match self.cost {
            CostArg::Linear => CostKind::Linear,
            CostArg::Mlp => CostKind::Mlp,
        };
        Ok((settings, self.run.options(false)?))
    }
}
