//! The experiment layer of costlearn: train a method from settings into a run folder, rebuild
//! and evaluate what a run learned, benchmark suites of runs, draw pictures, and the command line
//! that is a thin face over all of it.
//!
//! A user's own task gets every verb of the `costlearn` command by registering it and handing
//! over to [`cli::main`]:
//!
//! ```no_run
//! use costlearn_envs::{registry, EnvEntry};
//! # fn my_task() -> EnvEntry { registry::lookup("pendulum").unwrap() }
//!
//! fn main() -> std::process::ExitCode {
//!     registry::register(my_task()).expect("a name no other task has");
//!     costlearn::cli::main()
//! }
//! ```
//!
//! The library side, with no command line: [`methods`] holds one module per algorithm behind the
//! [`methods::Method`] seam, [`evaluate`] judges a run folder written by any of them, and
//! [`bench`] runs suites over methods.

pub mod bench;
pub mod checkpoint;
pub mod cli;
pub mod cost_plot;
pub mod evaluate;
pub mod interrupt;
pub mod methods;
pub mod metrics;
pub mod plot;
pub mod progress;
pub mod render;
pub mod run_dir;
