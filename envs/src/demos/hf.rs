//! imitation's saved trajectories: a Hugging Face `datasets` folder (`Dataset.save_to_disk`), whose
//! `state.json` lists Arrow stream files of one row per trajectory with the columns `obs`
//! (`[T+1][obs_dim]`), `acts` (`[T][act_dim]`, or `[T]`), `rews` (`[T]`) and `terminal`.

use super::import::Episode;
use super::DemoError;
use arrow_array::cast::AsArray;
use arrow_array::types::{Float32Type, Float64Type, Int32Type, Int64Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_ipc::reader::StreamReader;
use ndarray::Array2;
use serde::Deserialize;
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// The parts of `state.json` that name the data files.
#[derive(Deserialize)]
struct State {
    #[serde(rename = "_data_files")]
    data_files: Vec<DataFile>,
}

#[derive(Deserialize)]
struct DataFile {
    filename: String,
}

fn invalid(path: &Path, reason: impl Into<String>) -> DemoError {
    DemoError::Import {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// The trajectories of the dataset folder `dir`, in file and row order.
pub(super) fn episodes(dir: &Path) -> Result<Vec<Episode>, DemoError> {
    let state_path = dir.join("state.json");
    let text = std::fs::read_to_string(&state_path).map_err(|source| DemoError::Unreadable {
        path: state_path.clone(),
        source,
    })?;
    let state: State = serde_json::from_str(&text).map_err(|e| {
        invalid(
            &state_path,
            format!("not the state.json of a Hugging Face dataset: {e}"),
        )
    })?;
    let mut episodes = Vec::new();
    for data in &state.data_files {
        let path = dir.join(&data.filename);
        let file = File::open(&path).map_err(|source| DemoError::Unreadable {
            path: path.clone(),
            source,
        })?;
        let reader = StreamReader::try_new(BufReader::new(file), None)
            .map_err(|e| invalid(&path, format!("not an Arrow stream: {e}")))?;
        for batch in reader {
            let batch =
                batch.map_err(|e| invalid(&path, format!("unreadable Arrow batch: {e}")))?;
            read_batch(&path, &batch, &mut episodes)?;
        }
    }
    Ok(episodes)
}

fn read_batch(path: &Path, batch: &RecordBatch, out: &mut Vec<Episode>) -> Result<(), DemoError> {
    let column = |name: &str| {
        batch
            .column_by_name(name)
            .ok_or_else(|| invalid(path, format!("the dataset has no `{name}` column")))
    };
    let (obs, acts, rews, terminal) = (
        column("obs")?,
        column("acts")?,
        column("rews")?,
        column("terminal")?,
    );
    let terminal = terminal
        .as_boolean_opt()
        .ok_or_else(|| invalid(path, "`terminal` is not a column of booleans"))?;
    for row in 0..batch.num_rows() {
        let at = |name: &str| format!("`{name}` of trajectory {}", out.len());
        let obs = matrix(path, &at("obs"), &list_item(path, &at("obs"), obs, row)?)?;
        let acts = matrix(path, &at("acts"), &list_item(path, &at("acts"), acts, row)?)?;
        let rews = numbers(path, &at("rews"), &list_item(path, &at("rews"), rews, row)?)?;
        out.push(Episode {
            obs,
            acts,
            rews,
            terminal: terminal.value(row),
        });
    }
    Ok(())
}

/// Item `row` of a list column.
fn list_item(path: &Path, what: &str, a: &ArrayRef, row: usize) -> Result<ArrayRef, DemoError> {
    if let Some(list) = a.as_list_opt::<i32>() {
        Ok(list.value(row))
    } else if let Some(list) = a.as_list_opt::<i64>() {
        Ok(list.value(row))
    } else if let Some(list) = a.as_fixed_size_list_opt() {
        Ok(list.value(row))
    } else {
        Err(invalid(path, format!("{what} is not a list")))
    }
}

/// A list of numbers as `f64`s.
fn numbers(path: &Path, what: &str, a: &ArrayRef) -> Result<Vec<f64>, DemoError> {
    if a.null_count() > 0 {
        return Err(invalid(path, format!("{what} has missing values")));
    }
    if let Some(v) = a.as_primitive_opt::<Float32Type>() {
        Ok(v.values().iter().map(|&x| f64::from(x)).collect())
    } else if let Some(v) = a.as_primitive_opt::<Float64Type>() {
        Ok(v.values().to_vec())
    } else if let Some(v) = a.as_primitive_opt::<Int64Type>() {
        Ok(v.values().iter().map(|&x| x as f64).collect())
    } else if let Some(v) = a.as_primitive_opt::<Int32Type>() {
        Ok(v.values().iter().map(|&x| f64::from(x)).collect())
    } else {
        Err(invalid(
            path,
            format!("{what} holds {} values, not numbers", a.data_type()),
        ))
    }
}

/// A list of rows (lists of numbers) as a matrix; a list of numbers is a matrix of one column.
fn matrix(path: &Path, what: &str, a: &ArrayRef) -> Result<Array2<f64>, DemoError> {
    if let Ok(column) = numbers(path, what, a) {
        let n = column.len();
        return Ok(Array2::from_shape_vec((n, 1), column).expect("n rows of one number"));
    }
    let rows = (0..a.len())
        .map(|k| numbers(path, what, &list_item(path, what, a, k)?))
        .collect::<Result<Vec<_>, _>>()?;
    let width = rows.first().map_or(0, Vec::len);
    if rows.iter().any(|r| r.len() != width) {
        return Err(invalid(
            path,
            format!("{what} has rows of different lengths"),
        ));
    }
    let flat: Vec<f64> = rows.into_iter().flatten().collect();
    Ok(
        Array2::from_shape_vec((flat.len() / width.max(1), width), flat)
            .expect("rows of equal width"),
    )
}
