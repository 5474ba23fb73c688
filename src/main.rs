//! `costlearn`: record demonstrations, learn costs from them, and compare against behavioral cloning.

mod anchors;
mod bench;
mod commands;
mod correlation;
mod cost_plot;
mod held_out;
mod interrupt;
mod metrics;
mod plot;
mod render;
mod reopt;
mod run_dir;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Inverse reinforcement learning by guided cost learning.
#[derive(Parser)]
#[command(name = "costlearn", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List the registered tasks with their spaces, horizons and experts.
    Envs(commands::envs::Args),
    /// Record expert demonstrations of a task into an .npz file.
    Record(commands::record::Args),
    /// Summarise a demonstration file: task, episodes, horizon, return.
    Inspect(commands::inspect::Args),
    /// Draw trajectories of a task (expert rollouts or a demo file) as an SVG picture.
    ///
    /// A strobe of poses for pendulum, cartpole, reacher and hopper; paths around the wall for
    /// navigation; a state-visitation heat map for the grid tasks. Without --demos the task's expert
    /// acts, or a uniform random policy for a task without one (the title says which).
    Render(commands::render::Args),
    /// Train a policy or a cost; each run writes a directory of config, metrics, weights, plots.
    Train(commands::train::Args),
    /// Run a benchmark suite (algorithms × tasks × demo counts × seeds) and write its report.
    Bench(commands::bench::Args),
    /// Rebuild a run's policy and report its true return and normalised score.
    Eval(commands::eval::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Envs(args) => commands::envs::run(args),
        Command::Record(args) => commands::record::run(args),
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Render(args) => commands::render::run(args),
        Command::Train(args) => commands::train::run(args),
        Command::Eval(args) => commands::eval::run(args),
        Command::Bench(args) => commands::bench::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.is::<interrupt::Interrupted>() => {
            eprintln!("{err}");
            ExitCode::from(interrupt::EXIT_STATUS)
        }
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
