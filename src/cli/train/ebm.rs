//! `costlearn train ebm`: an energy-based model of a file of points (see [`crate::ebm`]).

use super::CommonArgs;
use crate::ebm::Settings;
use anyhow::Result;
use std::path::PathBuf;

/// Arguments of `costlearn train ebm`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The points: a `.npy` array `[n, d]` (e.g. `demos/eight_gaussians.npy`) [default: the
    /// --config file's].
    #[arg(long, required_unless_present = "config")]
    data: Option<PathBuf>,
    /// Iterations [default: 600].
    #[arg(long)]
    iterations: Option<usize>,
    /// Components of the Gaussian mixture generator [default: 16].
    #[arg(long)]
    components: Option<usize>,
    #[command(flatten)]
    pub common: CommonArgs,
}

impl Args {
    /// The settings: the defaults, the --config file, the flags, then --set.
    pub fn settings(&self) -> Result<Settings> {
        let given = &self.common.settings;
        let data: PathBuf = given.from_flag_or_file(self.data.clone(), "data")?;
        let seed = self.common.run.seed;
        given.resolve(Settings::new(&data, seed.unwrap_or(0)), |s| {
            s.data = data.clone();
            if let Some(seed) = seed {
                s.ebm.seed = seed;
            }
            if let Some(iterations) = self.iterations {
                s.iterations = iterations;
            }
            if let Some(components) = self.components {
                s.ebm.components = components;
            }
            Ok(())
        })
    }
}
