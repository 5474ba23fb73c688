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
//! [`bench`] runs suites over methods. Training a method and judging its run:
//!
//! ```
//! use costlearn::methods::{bc, Method, RunOptions};
//! use costlearn::progress::Progress;
//!
//! let out = std::env::temp_dir().join("costlearn-doc-bc");
//! let mut settings = bc::Settings::new("pendulum", "demos/pendulum.npz", 0);
//! settings.num_demos = Some(4);
//! settings.eval_episodes = 4;
//! settings.bc = settings.bc.epochs(2);
//! let run = RunOptions { force: true, ..RunOptions::new(&out) };
//! bc::Bc::train(&settings, &run, &Progress::hidden()).unwrap();
//! let evaluation = costlearn::evaluate::evaluate_dir(&out, 0, 4, None).unwrap();
//! assert!(evaluation.normalized_score.is_some());
//! ```
//!
//! Any policy, a user's own included, is scored the same way on a registered task:
//!
//! ```
//! use costlearn::evaluation::Evaluation;
//! use costlearn_envs::registry;
//!
//! let expert = registry::lookup("pendulum").unwrap().expert().unwrap();
//! let evaluation = Evaluation::of_policy("pendulum", None, expert.as_ref(), 0, 8).unwrap();
//! println!("{}", evaluation.summary()); // return, normalised score and where the anchors came from
//! assert!(evaluation.normalized_score.unwrap() > 0.5);
//! ```

pub mod bench;
pub mod cli;
pub mod cost_plot;
pub mod ebm;
pub mod evaluate;
pub mod evaluation;
pub mod interrupt;
pub mod methods;
pub mod metrics;
pub mod plot;
pub mod progress;
pub mod render;
pub mod run_dir;
pub mod settings;
pub mod tensorboard;
