//! `costlearn train <method>`: every training command writes a run directory (see
//! [`crate::run_dir`]). Each method is one variant of [`Method`] and one module.

pub mod bc;
pub mod checkpoint;
pub mod gcl;
pub mod maxent_irl;
pub mod rl;

use crate::plot::{line_chart_svg, Chart, Series};
use crate::run_dir::RunDir;
use anyhow::{Context, Result};
use costlearn_agents::nn::Device;
use indicatif::{ProgressBar, ProgressStyle};
use std::fmt::Display;
use std::path::PathBuf;

/// Name of every run's learning-curve plot.
const CURVE_FILE: &str = "learning_curve.svg";

/// A progress bar over training iterations, drawn on stderr.
pub(crate) fn progress_bar(iterations: usize) -> ProgressBar {
    let bar = ProgressBar::new(iterations as u64);
    let style = ProgressStyle::with_template(
        "{elapsed_precise} [{bar:30}] iteration {pos}/{len}, {msg} (eta {eta})",
    )
    .unwrap_or_else(|_| ProgressStyle::default_bar())
    .progress_chars("=> ");
    bar.set_style(style);
    bar
}

/// Where a training run shows how it goes: a progress bar over its iterations and, from the
/// command line, summary lines on stdout.
pub struct Progress {
    bar: ProgressBar,
    summaries: bool,
}

impl Progress {
    /// A bar on stderr and summary lines on stdout: what `costlearn train` shows.
    pub fn terminal() -> Self {
        Self {
            bar: progress_bar(0),
            summaries: true,
        }
    }

    /// `bar` (drawn by the caller, which styles it) and no summary lines.
    pub fn quiet(bar: ProgressBar) -> Self {
        Self {
            bar,
            summaries: false,
        }
    }

    /// The bar, sized for `iterations`.
    fn bar(&self, iterations: usize) -> &ProgressBar {
        self.bar.set_length(iterations as u64);
        &self.bar
    }

    /// Prints one summary line unless quiet.
    fn summary(&self, line: impl Display) {
        if self.summaries {
            println!("{line}");
        }
    }
}

/// Draws `series` on one chart and writes it as the run's learning curve.
fn write_curve(run: &RunDir, chart: &Chart<'_>, series: &[Series]) -> Result<()> {
    let svg = line_chart_svg(chart, series)?;
    run.write(CURVE_FILE, svg.as_bytes())
}

/// Arguments of `costlearn train`.
#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    method: Method,
}

/// The training methods.
#[derive(clap::Subcommand)]
enum Method {
    /// Reinforcement learning (PPO) on the task's true reward.
    Rl(rl::Args),
    /// Behavioral cloning: maximum likelihood of the demonstrated actions.
    Bc(bc::Args),
    /// Exact maximum-entropy IRL of a linear cost on a tabular task.
    MaxentIrl(maxent_irl::Args),
    /// Guided cost learning (GAN form) from demonstrations: a learned cost and its policy.
    Gcl(gcl::Args),
}

/// Runs the chosen method.
pub fn run(args: Args) -> Result<()> {
    match args.method {
        Method::Rl(args) => {
            crate::interrupt::install()?;
            rl::run(args)
        }
        Method::Bc(args) => bc::run(args),
        Method::MaxentIrl(args) => maxent_irl::run(args),
        Method::Gcl(args) => {
            crate::interrupt::install()?;
            gcl::run(args)
        }
    }
}

/// Options shared by every training command.
#[derive(clap::Args, Debug)]
pub struct RunArgs {
    /// Output directory of the run (config, metrics, weights, plots).
    #[arg(long)]
    pub out: PathBuf,
    /// Write into a non-empty output directory, replacing its files.
    #[arg(long)]
    pub force: bool,
    /// Seed of the run: the same seed gives the same result whatever the thread count.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Training device: `cpu`, `cuda` or `cuda:N` (CUDA needs a build with the `cuda` feature).
    #[arg(long, default_value = "cpu")]
    pub device: String,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
}

impl RunArgs {
    /// The parsed `--device`.
    pub fn device(&self) -> Result<Device> {
        Ok(self.device.parse::<Device>()?)
    }

    /// A thread pool of `--threads` workers.
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
