//! `costlearn inspect FILE`: what a demonstration file holds.

use anyhow::Result;
use costlearn_envs::demos;
use std::path::PathBuf;

/// Arguments of `costlearn inspect`.
#[derive(clap::Args)]
pub struct Args {
    /// Demonstration file (.npz) to summarise.
    file: PathBuf,
    /// Print the summary as one JSON object.
    #[arg(long)]
    json: bool,
}

/// Loads (and so validates) the file and prints its task, size and return statistics.
pub fn run(args: Args) -> Result<()> {
    let trajs = demos::load(&args.file)?;
    let (mean, std) = trajs.return_stats();
    let spec = &trajs.spec;
    if args.json {
        let summary = serde_json::json!({
            "file": args.file,
            "env": spec.name,
            "episodes": trajs.len(),
            "horizon": trajs.horizon(),
            "obs_dim": spec.obs_dim(),
            "act_dim": spec.act_dim(),
            "return_mean": mean,
            "return_std": std,
            "has_logp": trajs.logp.is_some(),
            "spec": spec,
        });
        println!("{summary}");
    } else {
        println!("file      {}", args.file.display());
        println!("env       {}", spec.name);
        println!("episodes  {}", trajs.len());
        println!("horizon   {}", trajs.horizon());
        println!("obs       {}", spec.observation_space);
        println!("action    {}", spec.action_space);
        println!("return    {mean:.3} ± {std:.3}");
    }
    Ok(())
}
