//! `costlearn bench`: runs a benchmark suite (or one shard of it) and writes its report;
//! `costlearn bench merge` reports on shards run apart, and `costlearn bench slurm` writes the
//! script that runs a suite as a Slurm job array (see [`crate::bench`]).

use crate::bench::{self, shard::Shard, slurm, suite::Suite};
use anyhow::{Context, Result};
use std::path::{Path, PathBuf};

/// Arguments of `costlearn bench`.
#[derive(clap::Args, Debug)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    verb: Option<Verb>,
    /// Built-in suite (`quick`, `standard`, `transfer`, `ablation`) or a suite file (`.toml`).
    #[arg(long, default_value = "quick")]
    suite: String,
    /// Output folder (default: `bench-out/<suite name>`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Runs at once (default: one per core); the cores are split between them, the longest runs
    /// go first. Results do not depend on it.
    #[arg(long)]
    jobs: Option<usize>,
    /// Continue the bench in a non-empty output folder, skipping its finished runs.
    #[arg(long)]
    resume: bool,
    /// Run only the I-th of N disjoint shards of the suite (`I/N`, from 1), into the usual
    /// layout, and skip the report (`bench merge` writes it). Inside a Slurm job array the
    /// shard is read from `SLURM_ARRAY_TASK_ID`, `_MIN` and `_COUNT` unless this is given.
    #[arg(long)]
    shard: Option<Shard>,
}

/// `costlearn bench merge` and `costlearn bench slurm`.
#[derive(clap::Subcommand, Debug)]
enum Verb {
    /// Gather the shards of one suite, run apart, into one folder and write its report
    Merge(MergeArgs),
    /// Write a script that runs a suite as a Slurm job array (one task per shard) and merges it
    Slurm(SlurmArgs),
}

/// Arguments of `costlearn bench merge`.
#[derive(clap::Args, Debug)]
struct MergeArgs {
    /// The bench folders of the shards (a folder several shards shared counts once).
    #[arg(required = true)]
    folders: Vec<PathBuf>,
    /// Where the merged bench and its report go (it may be one of the folders).
    #[arg(long)]
    out: PathBuf,
}

/// Arguments of `costlearn bench slurm`.
#[derive(clap::Args, Debug)]
struct SlurmArgs {
    /// Built-in suite or suite file, as `bench --suite` takes it.
    #[arg(long, default_value = "quick")]
    suite: String,
    /// Output folder on a file system every node sees (default: `bench-out/<suite name>`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Array tasks, one shard of the suite each.
    #[arg(long)]
    shards: usize,
    /// Cores per array task.
    #[arg(long, default_value_t = 2)]
    cpus_per_task: usize,
    /// Runs at once within an array task.
    #[arg(long, default_value_t = 1)]
    jobs: usize,
    /// Wall-clock limit per array task, as Slurm writes it (e.g. `02:00:00`).
    #[arg(long)]
    time: Option<String>,
    /// Slurm partition.
    #[arg(long)]
    partition: Option<String>,
    /// The costlearn binary the jobs run (default: this one).
    #[arg(long)]
    binary: Option<String>,
    /// Write the script here (default: standard output).
    #[arg(long)]
    script: Option<PathBuf>,
}

/// `costlearn bench merge`: the shards' folders into one, with its report.
fn merge(args: MergeArgs) -> Result<()> {
    let names: Vec<String> = args
        .folders
        .iter()
        .map(|f| f.display().to_string())
        .collect();
    let command = format!(
        "cargo run --release -- bench merge {} --out {}",
        names.join(" "),
        args.out.display()
    );
    bench::merge(&args.folders, &args.out, &command)
}

/// `costlearn bench slurm`: the job-array script of a suite.
fn slurm_script(args: SlurmArgs) -> Result<()> {
    let suite = Suite::load(&args.suite)?;
    if args.shards == 0 || args.cpus_per_task == 0 || args.jobs == 0 {
        anyhow::bail!("--shards, --cpus-per-task and --jobs must be at least 1");
    }
    let out = args
        .out
        .unwrap_or_else(|| Path::new("bench-out").join(&suite.name));
    let binary = match args.binary {
        Some(b) => b,
        None => std::env::current_exe()
            .context("cannot tell where this costlearn binary is; pass --binary")?
            .display()
            .to_string(),
    };
    let options = slurm::SlurmOptions {
        shards: args.shards,
        cpus_per_task: args.cpus_per_task,
        jobs: args.jobs,
        time: args.time,
        partition: args.partition,
        binary,
    };
    let text = slurm::script(&args.suite, &suite.name, &out, &options);
    match args.script {
        Some(path) => {
            std::fs::write(&path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            println!(
                "wrote {} ({} array tasks, then the merge); submit it with `bash {}`",
                path.display(),
                args.shards,
                path.display()
            );
        }
        None => print!("{text}"),
    }
    Ok(())
}

/// Runs the suite's unfinished runs, then writes the report of all of them; or merges shards.
pub fn run(args: Args) -> Result<()> {
    match args.verb {
        Some(Verb::Merge(merge_args)) => return merge(merge_args),
        Some(Verb::Slurm(slurm_args)) => return slurm_script(slurm_args),
        None => {}
    }
    let suite = Suite::load(&args.suite)?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| Path::new("bench-out").join(&suite.name));
    let shard = match args.shard {
        Some(shard) => Some(shard),
        None => {
            let slurm = Shard::from_slurm(|name| std::env::var(name).ok())?;
            if let Some(shard) = slurm {
                println!(
                    "Slurm array task: running shard {shard} (give --shard to choose another)"
                );
            }
            slurm
        }
    };
    let command = format!(
        "cargo run --release -- bench --suite {} --out {}",
        args.suite,
        out.display()
    );
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
    bench::run(&suite, &out, jobs, args.resume, shard, &command)
}
