//! Writes the shipped 2-D datasets of `costlearn train ebm` into `demos/`: 4096 points of each
//! of [`Dataset::ALL`] (eight Gaussians on a ring, a checkerboard), drawn with seed 0.
//!
//! ```sh
//! cargo run --release --example ebm_datasets
//! ```

use costlearn::ebm::{write_points, SHIPPED_POINTS};
use costlearn_agents::ebm::Dataset;
use costlearn_envs::episode_rng;
use std::path::Path;

fn main() -> anyhow::Result<()> {
    let demos = Path::new(env!("CARGO_MANIFEST_DIR")).join("demos");
    for (i, dataset) in Dataset::ALL.into_iter().enumerate() {
        let points = dataset.sample(SHIPPED_POINTS, &mut episode_rng(0, i as u64));
        let path = demos.join(format!("{}.npy", dataset.name()));
        write_points(&path, &points)?;
        println!("{}: {} points", path.display(), points.nrows());
    }
    Ok(())
}
