//! Bring your own task to the command line: a program that registers its task and hands over to
//! `costlearn::cli::main()` is the `costlearn` command with that task added, every verb included.
//! Here the task is the double integrator of `examples/task/double_integrator.rs`:
//!
//! ```text
//! cargo run --release --example custom_cli -- envs
//! cargo run --release --example custom_cli -- record --env double-integrator --episodes 32 \
//!     --out target/custom/double-integrator.npz
//! cargo run --release --example custom_cli -- train gcl --env double-integrator \
//!     --demos target/custom/double-integrator.npz --out target/custom/gcl
//! cargo run --release --example custom_cli -- eval target/custom/gcl --reopt
//! cargo run --release --example custom_cli -- bench --suite examples/double_integrator.toml
//! ```
//!
//! `record` writes the normalisation anchors beside the demonstrations
//! (`double-integrator.anchors.json`: the expert's return and a uniform random policy's), which
//! `eval` and `bench` read to report normalised scores.

#[path = "task/double_integrator.rs"]
mod double_integrator;

fn main() -> std::process::ExitCode {
    double_integrator::register();
    costlearn::cli::main()
}
