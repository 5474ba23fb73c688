//! `costlearn render`: draw trajectories of a task as an SVG picture.

use crate::render::{Picture, Source};
use anyhow::{bail, Context, Result};
use costlearn_envs::atomic::write_atomically;
use costlearn_envs::rollout::Rollout;
use costlearn_envs::{demos, registry, Policy, UniformRandom};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Arguments of `costlearn render`.
#[derive(clap::Args)]
pub struct Args {
    /// Task to draw (see `costlearn envs`).
    #[arg(long)]
    env: String,
    /// Demonstration file (.npz) of that task to draw instead of fresh expert episodes.
    #[arg(long)]
    demos: Option<PathBuf>,
    /// Episodes to draw (the first ones of a demo file); default: 3 strobes, 12 paths, or 64
    /// episodes in a heat map.
    #[arg(long)]
    episodes: Option<usize>,
    /// Seed of the rollout: episode i is reproduced exactly from (seed, i).
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Output SVG file (replaced if it exists).
    #[arg(long)]
    out: PathBuf,
}

/// Builds the trajectories, draws them and writes the SVG atomically.
pub fn run(args: Args) -> Result<()> {
    if args.episodes == Some(0) {
        bail!("--episodes must be at least 1");
    }
    let entry = registry::lookup(&args.env)?;
    check_directory(&args.out)?;
    let env = entry.make();
    let picture = Picture::for_env(env.as_ref())?;
    let episodes = args.episodes.unwrap_or_else(|| picture.default_episodes());

    let (trajs, source) = match &args.demos {
        Some(path) => {
            let all = demos::load_for(path, env.spec())?;
            let total = all.len();
            let source = Source::Demos {
                path: path.clone(),
                total,
            };
            (all.first(episodes), source)
        }
        None => {
            let (policy, source): (Box<dyn Policy>, Source) = if entry.has_expert() {
                (entry.expert()?, Source::Expert)
            } else {
                let space = env.spec().action_space.clone();
                let random = UniformRandom::new(space)?;
                (Box::new(random), Source::Random)
            };
            let mut envs = entry.make_vec(episodes.min(16));
            let trajs = Rollout::new(args.seed)
                .episodes(episodes)
                .collect(envs.as_mut(), policy.as_ref())?;
            (trajs, source)
        }
    };

    let svg = picture.draw(&trajs, &source)?;
    write_atomically(&args.out, |file| file.write_all(svg.as_bytes()))
        .with_context(|| format!("cannot write {}", args.out.display()))?;
    println!(
        "drew {} episodes of {} to {}",
        trajs.len(),
        args.env,
        args.out.display()
    );
    Ok(())
}

/// Fails early, before any rollout, if the output's directory does not exist.
fn check_directory(out: &Path) -> Result<()> {
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        bail!(
            "cannot write {}: directory `{}` does not exist",
            out.display(),
            dir.display()
        );
    }
    Ok(())
}
