//! The EBM table of the README: `costlearn train ebm` with its defaults on every shipped 2-D
//! dataset and seeds 0, 1 and 2, as one markdown table of the learned `log Z`, its quadrature
//! value, their difference and the total-variation distance to the true density.
//!
//! ```text
//! cargo run --release --example ebm_table          # seeds 0 1 2
//! cargo run --release --example ebm_table -- 0 5   # the given seeds
//! ```

use anyhow::Result;
use costlearn::ebm::{train, Report, Settings};
use costlearn::progress::Progress;
use costlearn_agents::ebm::Dataset;
use std::path::Path;

fn main() -> Result<()> {
    let seeds: Vec<u64> = match std::env::args().skip(1).map(|a| a.parse()).collect() {
        Ok(seeds) if !Vec::is_empty(&seeds) => seeds,
        _ => vec![0, 1, 2],
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let scratch = std::env::temp_dir().join("costlearn-ebm-table");
    println!(
        "| dataset | learned `log Z` | quadrature `log Z` | \\|difference\\| | total variation |"
    );
    println!("|---|---|---|---|---|");
    for dataset in Dataset::ALL {
        let data = root.join(format!("demos/{}.npy", dataset.name()));
        let reports: Vec<Report> = seeds
            .iter()
            .map(|&seed| {
                let out = scratch.join(format!("{}-{seed}", dataset.name()));
                train(&Settings::new(&data, seed), &out, true, &Progress::hidden())
            })
            .collect::<Result<_>>()?;
        let cells = |f: &dyn Fn(&Report) -> f64| -> String {
            reports
                .iter()
                .map(|r| format!("{:.3}", f(r)).replace('-', "−"))
                .collect::<Vec<_>>()
                .join(" / ")
        };
        let quadrature = |r: &Report| r.quadrature_log_z.unwrap_or(f64::NAN);
        println!(
            "| `{}` | {} | {} | {} | {} |",
            dataset.name(),
            cells(&|r| r.log_z),
            cells(&quadrature),
            cells(&|r| (r.log_z - quadrature(r)).abs()),
            cells(&|r| r.total_variation.unwrap_or(f64::NAN)),
        );
    }
    Ok(())
}
