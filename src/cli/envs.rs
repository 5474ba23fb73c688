//! `costlearn envs`: the registered tasks.

use anyhow::Result;
use costlearn_envs::registry;

/// Arguments of `costlearn envs`.
#[derive(clap::Args)]
pub struct Args {
    /// Print the specs as JSON (one array of objects) instead of a table.
    #[arg(long)]
    json: bool,
}

/// Prints every registered task with its spaces, horizon, time step and whether it has an expert.
pub fn run(args: Args) -> Result<()> {
    let entries = registry::entries();
    if args.json {
        let rows: Vec<_> = entries
            .iter()
            .map(|e| {
                let env = e.make();
                serde_json::json!({
                    "spec": env.spec(),
                    "summary": e.summary(),
                    "expert": e.has_expert(),
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    let rows: Vec<[String; 7]> = entries
        .iter()
        .map(|e| {
            let env = e.make();
            let spec = env.spec();
            [
                spec.name.clone(),
                spec.observation_space.to_string(),
                spec.action_space.to_string(),
                spec.horizon.to_string(),
                spec.dt.to_string(),
                if e.has_expert() { "yes" } else { "no" }.to_string(),
                e.summary().to_string(),
            ]
        })
        .collect();
    let header = [
        "name",
        "observation",
        "action",
        "horizon",
        "dt",
        "expert",
        "summary",
    ];
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[&str]| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(&header);
    for r in &rows {
        line(&r.iter().map(String::as_str).collect::<Vec<_>>());
    }
    Ok(())
}
