//! `costlearn`: record demonstrations, learn costs from them, and compare against behavioral cloning.

fn main() -> std::process::ExitCode {
    costlearn::cli::main()
}
