//! `costlearn train maxent-irl`: exact maximum-entropy IRL on a tabular task (see
//! [`crate::methods::maxent_irl`]).

use super::CommonArgs;
use crate::methods::maxent_irl::{CostKind, Settings};
use anyhow::Result;
use std::path::PathBuf;

/// Arguments of `costlearn train maxent-irl`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Tabular task: `gridworld` or `objectworld` [default: the --config file's].
    #[arg(long, required_unless_present = "config")]
    env: Option<String>,
    /// Demonstration file (`.npz`, e.g. from `costlearn record`) [default: the --config file's].
    #[arg(long, required_unless_present = "config")]
    demos: Option<PathBuf>,
    /// Fit the first N episodes of the file (default: all of them).
    #[arg(long)]
    num_demos: Option<usize>,
    /// Weight λ of the Gaussian prior −(λ/2)‖w‖² on the cost weights [default: 0].
    #[arg(long)]
    l2: Option<f64>,
    /// The cost over the features: linear, or an MLP with two hidden layers of 32 units
    /// [default: linear].
    #[arg(long, value_enum)]
    cost: Option<CostArg>,
    #[command(flatten)]
    pub common: CommonArgs,
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
    /// The method's settings: the defaults, the --config file, the flags, then --set.
    pub fn settings(&self) -> Result<Settings> {
        let given = &self.common.settings;
        let env: String = given.from_flag_or_file(self.env.clone(), "env")?;
        let demos: PathBuf = given.from_flag_or_file(self.demos.clone(), "demos")?;
        let seed = self.common.run.seed;
        given.resolve(Settings::new(&env, &demos), |s| {
            (s.env, s.demos) = (env.clone(), demos.clone());
            if let Some(seed) = seed {
                s.reseed(seed);
            }
            if self.num_demos.is_some() {
                s.num_demos = self.num_demos;
            }
            if let Some(l2) = self.l2 {
                s.l2 = l2;
            }
            if let Some(cost) = self.cost {
                s.cost = match cost {
                    CostArg::Linear => CostKind::Linear,
                    CostArg::Mlp => CostKind::Mlp,
                };
            }
            Ok(())
        })
    }
}
