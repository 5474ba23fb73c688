//! The command line: one module per verb, each turning its arguments into library calls. Nothing
//! outside this module reads a command-line argument type.

pub mod bench;
pub mod envs;
pub mod eval;
pub mod import;
pub mod inspect;
pub mod record;
pub mod render;
pub mod train;

use crate::interrupt;
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
    Envs(envs::Args),
    /// Record expert demonstrations of a task into an .npz file.
    Record(record::Args),
    /// Convert demonstrations in another tool's layout (bare or flat `.npz`, imitation's saved
    /// trajectories) into a demo file.
    Import(import::Args),
    /// Summarise a demonstration file: task, episodes, horizon, return.
    Inspect(inspect::Args),
    /// Draw trajectories of a task (expert rollouts or a demo file) as an SVG picture.
    ///
    /// A strobe of poses for pendulum, cartpole, reacher and hopper; paths around the wall for
    /// navigation; a state-visitation heat map for the grid tasks. Without --demos the task's expert
    /// acts, or a uniform random policy for a task without one (the title says which).
    Render(render::Args),
    /// Train a policy or a cost; each run writes a directory of config, metrics, weights, plots.
    Train(Box<train::Args>),
    /// Run a benchmark suite (algorithms × tasks × demo counts × seeds) and write its report.
    Bench(bench::Args),
    /// Rebuild a run's policy and report its true return and normalised score.
    Eval(eval::Args),
}

/// Parses the process's arguments, runs the verb they name on every registered task (the
/// built-in ones and any the calling program registered first), and reports an error on stderr.
pub fn main() -> ExitCode {
    match execute(Cli::parse().command) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if err.is::<interrupt::Interrupted>() => {
            eprintln!("{err}");
            ExitCode::from(interrupt::EXIT_STATUS)
        }
        Err(err) => {
            eprintln!("error: {}", error_text(&err));
            ExitCode::from(1)
        }
    }
}

/// The error and its causes, `outer: cause: …`, each cause written once: an error whose message
/// already ends with its cause's (the libraries' `iteration 3: <cause>`) is not followed by it again.
fn error_text(err: &anyhow::Error) -> String {
    let mut text = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !text.ends_with(&cause) {
            text.push_str(": ");
            text.push_str(&cause);
        }
    }
    text
}

/// Runs the command line `args` (the program's name first, as in `std::env::args`) in this
/// process: what [`main`] does, with the errors returned instead of printed.
///
/// ```
/// costlearn::cli::run_from(["costlearn", "envs"]).unwrap();
/// assert!(costlearn::cli::run_from(["costlearn", "train", "rl", "--env", "no-such-task", "--out", "x"]).is_err());
/// ```
pub fn run_from<I, T>(args: I) -> anyhow::Result<()>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    execute(Cli::try_parse_from(args)?.command)
}

/// Runs one verb.
fn execute(command: Command) -> anyhow::Result<()> {
    match command {
        Command::Envs(args) => envs::run(args),
        Command::Record(args) => record::run(args),
        Command::Import(args) => import::run(args),
        Command::Inspect(args) => inspect::run(args),
        Command::Render(args) => render::run(args),
        Command::Train(args) => train::run(*args),
        Command::Eval(args) => eval::run(args),
        Command::Bench(args) => bench::run(args),
    }
}

#[cfg(test)]
mod tests {
    use super::error_text;
    use anyhow::Context;

    #[derive(Debug, thiserror::Error)]
    #[error("device error: no device")]
    struct Device;

    #[derive(Debug, thiserror::Error)]
    #[error("iteration 0: {source}")]
    struct Step {
        source: Device,
    }

    #[derive(Debug, thiserror::Error)]
    #[error("iteration 0")]
    struct Bare {
        source: Device,
    }

    #[test]
    fn every_cause_is_written_once() {
        let err = Err::<(), _>(Step { source: Device }).context("cannot train");
        assert_eq!(
            error_text(&err.unwrap_err()),
            "cannot train: iteration 0: device error: no device"
        );
        let err = Err::<(), _>(Bare { source: Device }).context("cannot train");
        assert_eq!(
            error_text(&err.unwrap_err()),
            "cannot train: iteration 0: device error: no device"
        );
    }
}
