//! `costlearn import`: demonstrations in another tool's layout, checked against a task and
//! written as a costlearn demo file (see [`costlearn_envs::demos::import`] for the layouts).

use crate::evaluation::anchors::{AnchorFile, SEED};
use anyhow::{bail, Context, Result};
use costlearn_envs::demos::{self, Layout};
use costlearn_envs::registry;
use std::path::PathBuf;

/// The layouts `import` reads.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum Format {
    /// costlearn's arrays `obs [N, T+1, d]`, `acts [N, T, a]`, `rews [N, T]` without a `spec`.
    Bare,
    /// Concatenated steps with episode boundaries in `indices`, `episode_starts` or `dones`
    /// (Stable-Baselines3's and imitation's older `.npz` files).
    Flat,
    /// imitation's saved trajectories: the Hugging Face `datasets` folder that
    /// `imitation.data.serialize.save` writes.
    Imitation,
    /// A Minari dataset: its `data` folder (`main_data.hdf5` and `metadata.json`); needs a build
    /// with the `minari` feature (and the HDF5 library).
    Minari,
}

/// Arguments of `costlearn import`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Task the demonstrations were recorded on (see `costlearn envs`): its spec is written into
    /// the file, and the arrays are checked against it.
    #[arg(long)]
    env: String,
    /// Layout of the input file.
    #[arg(long = "from", value_enum)]
    format: Format,
    /// The input: an `.npz` file, or the dataset folder of `--from imitation` or `--from minari`.
    input: PathBuf,
    /// The demo file to write.
    #[arg(long)]
    out: PathBuf,
    /// Drop the episodes shorter than the task's horizon or ending in a termination (and say
    /// which), instead of refusing the file.
    #[arg(long)]
    drop_short: bool,
    /// Overwrite the output file if it exists.
    #[arg(long)]
    force: bool,
}

/// Reads, checks and writes the demonstrations, then their normalisation anchors beside them.
pub fn run(args: Args) -> Result<()> {
    let entry = registry::lookup(&args.env)?;
    if args.out.exists() && !args.force {
        bail!(
            "{} exists already (pass --force to overwrite)",
            args.out.display()
        );
    }
    let layout = match args.format {
        Format::Bare => Layout::Bare,
        Format::Flat => Layout::Flat,
        Format::Imitation => Layout::HfDataset,
        #[cfg(feature = "minari")]
        Format::Minari => Layout::Minari,
        #[cfg(not(feature = "minari"))]
        Format::Minari => bail!(
            "--from minari needs a build with the `minari` feature (and the HDF5 library, e.g. \
             libhdf5-dev): cargo run --release --features minari -- import ..."
        ),
    };
    let imported = demos::import(&args.input, layout, entry.make().spec(), args.drop_short)?;
    for note in &imported.notes {
        println!("{note}");
    }
    if !imported.dropped.is_empty() {
        let which: Vec<String> = imported
            .dropped
            .iter()
            .map(|(i, why)| format!("episode {i} ({why})"))
            .collect();
        println!(
            "dropped {} episodes: {}",
            imported.dropped.len(),
            which.join(", ")
        );
    }
    if let Some(parent) = args.out.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    let trajs = &imported.trajs;
    demos::save(&args.out, trajs)?;
    let (mean, std) = trajs.return_stats();
    println!(
        "imported {} episodes of {} from {} to {} (return {mean:.3} ± {std:.3})",
        trajs.len(),
        args.env,
        args.input.display(),
        args.out.display()
    );
    match AnchorFile::measure(&args.env, trajs, SEED) {
        Ok(anchors) => {
            let path = anchors.write_beside(&args.out)?;
            println!(
                "anchors in {}: demonstrations {:.3}, uniform random {:.3}",
                path.display(),
                anchors.expert_return_mean,
                anchors.random_return_mean
            );
        }
        Err(why) => println!("no anchors written: {why:#}"),
    }
    Ok(())
}
