//! `costlearn`: record demonstrations, learn costs from them, and compare against behavioral cloning.

// Training allocates and frees the same large buffers step after step; mimalloc keeps them instead
// of returning them to the system (no results change: allocation does not touch the arithmetic).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    costlearn::cli::main()
}
