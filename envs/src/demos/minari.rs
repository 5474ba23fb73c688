//! Minari datasets: the `data` folder of a dataset (or its `main_data.hdf5` alone), whose HDF5 file
//! holds one group `episode_<i>` per episode with the datasets `observations` (`[T+1, obs_dim]`),
//! `actions` (`[T, act_dim]` or `[T]`), `rewards` (`[T]`) and `terminations` (`[T]`).

use super::import::Episode;
use super::DemoError;
use hdf5_metno::File;
use ndarray::{Array2, Axis, Ix1, Ix2};
use std::path::Path;

/// The name of a Minari dataset's HDF5 file in its `data` folder.
const MAIN_DATA: &str = "main_data.hdf5";

fn invalid(path: &Path, reason: impl Into<String>) -> DemoError {
    DemoError::Import {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// The episodes of the dataset at `path`, in the order of their numbers.
pub(super) fn episodes(path: &Path) -> Result<Vec<Episode>, DemoError> {
    let file_path = if path.is_dir() {
        path.join(MAIN_DATA)
    } else {
        path.to_path_buf()
    };
    let file = File::open(&file_path).map_err(|e| {
        invalid(
            &file_path,
            format!("not the HDF5 file of a Minari dataset: {e}"),
        )
    })?;
    let names = file
        .member_names()
        .map_err(|e| invalid(&file_path, e.to_string()))?;
    let mut numbered: Vec<(usize, String)> = names
        .into_iter()
        .filter_map(|n| Some((n.strip_prefix("episode_")?.parse().ok()?, n)))
        .collect();
    if numbered.is_empty() {
        return Err(invalid(&file_path, "it holds no `episode_<i>` group"));
    }
    numbered.sort();
    numbered
        .iter()
        .map(|(_, name)| episode(&file_path, &file, name))
        .collect()
}

fn episode(path: &Path, file: &File, name: &str) -> Result<Episode, DemoError> {
    let group = file
        .group(name)
        .map_err(|e| invalid(path, format!("`{name}`: {e}")))?;
    let read = |what: &str| {
        group.dataset(what).map_err(|e| {
            invalid(
                path,
                format!("`{name}/{what}`: {e} (a dictionary space is not read)"),
            )
        })
    };
    let matrix = |what: &str| -> Result<Array2<f64>, DemoError> {
        let ds = read(what)?;
        let fail = |e: hdf5_metno::Error| invalid(path, format!("`{name}/{what}`: {e}"));
        match ds.ndim() {
            1 => Ok(ds.read::<f64, Ix1>().map_err(fail)?.insert_axis(Axis(1))),
            2 => ds.read::<f64, Ix2>().map_err(fail),
            n => Err(invalid(
                path,
                format!("`{name}/{what}` has {n} dimensions, not 1 or 2"),
            )),
        }
    };
    let obs = matrix("observations")?;
    let acts = matrix("actions")?;
    let rews: Vec<f64> = matrix("rewards")?.iter().copied().collect();
    let terminations = read("terminations")?
        .read_raw::<bool>()
        .map_err(|e| invalid(path, format!("`{name}/terminations`: {e}")))?;
    Ok(Episode {
        obs,
        acts,
        rews,
        terminal: terminations.last().copied().unwrap_or(false),
    })
}
