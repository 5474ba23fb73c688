//! Demonstration files in numpy's `.npz` format.
//!
//! A demo file is an ordinary (deflate-compressed) numpy archive, so Python reads and writes it with
//! numpy alone. For `N` episodes of horizon `T` it holds:
//!
//! | array  | dtype     | shape                  | contents                                        |
//! |--------|-----------|------------------------|-------------------------------------------------|
//! | `obs`  | `float32` | `[N, T+1, obs_dim]`    | observations `x_1 … x_{T+1}`                    |
//! | `acts` | `float32` | `[N, T, act_dim]`      | actions `u_1 … u_T` (a discrete action is its index) |
//! | `rews` | `float32` | `[N, T]`               | true rewards                                    |
//! | `logp` | `float32` | `[N, T]`               | optional: log-density of each action under the acting policy |
//! | `spec` | `uint8`   | `[len]`                | UTF-8 JSON `{"format": 1, "spec": <EnvSpec>}`   |
//!
//! JSON has no infinity, so an infinite bound of a box space is written as `null` (and read back as
//! `-inf` for a lower bound, `+inf` for an upper one). Other arrays in the archive are ignored. In
//! Python:
//!
//! ```python
//! import json
//! import numpy as np
//!
//! with np.load("demos/reacher.npz") as f:
//!     obs, acts, rews = f["obs"], f["acts"], f["rews"]      # float32
//!     header = json.loads(f["spec"].tobytes())
//!     spec = header["spec"]                                  # name, spaces, horizon, dt
//!
//! # writing a file that costlearn loads: arrays must be float32, and infinite bounds in the spec
//! # must be None (JSON null), since the JSON reader does not accept Python's `Infinity`
//! blob = np.frombuffer(json.dumps({"format": 1, "spec": spec}).encode(), dtype=np.uint8)
//! np.savez_compressed("mine.npz", obs=obs, acts=acts, rews=rews, spec=blob)
//! ```
//!
//! [`load`] checks everything before it returns: the archive, each array's presence, dtype, rank and
//! shape against the spec and against each other, finiteness, indices of discrete spaces, and the spec
//! itself. [`save`] runs the same checks before it writes, and writes atomically: the archive goes to a
//! temporary file in the destination directory, which is renamed over the destination only once it
//! is complete, so a failed write leaves nothing behind.

use crate::atomic::write_atomically;
use crate::space::Space;
use crate::spec::EnvSpec;
use crate::trajectory::Trajectories;
use ndarray::{ArrayBase, ArrayView1, Data, Dimension, Ix2, Ix3};
use ndarray_npy::{NpzWriter, WriteNpzError};
use npz::NpzArchive;
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::io::{self, BufReader, BufWriter, Seek, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

#[cfg(feature = "hf-datasets")]
mod hf;
mod import;
#[cfg(feature = "minari")]
mod minari;
mod npz;

pub use import::{import, Imported, Layout};

/// Version of the file layout written by [`save`]; [`load`] refuses any other.
pub const FORMAT_VERSION: u64 = 1;

/// Everything that can go wrong reading or writing a demo file. Every message is one line that starts
/// with the file's path.
#[derive(Debug, Error)]
pub enum DemoError {
    /// The file does not exist or cannot be opened or read.
    #[error("{}: cannot read the file: {source}", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
    /// The file is not a zip archive, or the archive is truncated or damaged.
    #[error("{}: not a valid npz archive (truncated or corrupt): {reason}", path.display())]
    CorruptArchive {
        /// The file.
        path: PathBuf,
        /// What the zip reader reported.
        reason: String,
    },
    /// An array in the archive is damaged: a bad npy header or the wrong amount of data.
    #[error("{}: array `{array}` is corrupt: {reason}", path.display())]
    CorruptArray {
        /// The file.
        path: PathBuf,
        /// The array's name.
        array: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A file of another tool's layout that does not fit the task (see [`import`]).
    #[error("{}: {reason}", path.display())]
    Import {
        /// The file.
        path: PathBuf,
        /// What does not fit.
        reason: String,
    },
    /// A required array is not in the archive.
    #[error("{}: array `{array}` is missing", path.display())]
    MissingArray {
        /// The file.
        path: PathBuf,
        /// The array's name.
        array: String,
    },
    /// An array has the wrong element type.
    #[error("{}: array `{array}` has dtype {found} but must be {expected}", path.display())]
    WrongDtype {
        /// The file.
        path: PathBuf,
        /// The array's name.
        array: String,
        /// The numpy type descriptor found, e.g. `'<f8'`.
        found: String,
        /// The dtype required, e.g. `float32`.
        expected: &'static str,
    },
    /// An array has the wrong number of dimensions.
    #[error("{}: array `{array}` has {found} dimensions but must have {expected}", path.display())]
    WrongNdim {
        /// The file.
        path: PathBuf,
        /// The array's name.
        array: String,
        /// Dimensions found.
        found: usize,
        /// Dimensions required.
        expected: usize,
    },
    /// An array holds a different number of episodes than `obs`.
    #[error(
        "{}: array `{array}` holds {found} episodes but `obs` holds {expected}",
        path.display()
    )]
    EpisodeCountMismatch {
        /// The file.
        path: PathBuf,
        /// The array's name.
        array: String,
        /// Episodes in this array.
        found: usize,
        /// Episodes in `obs`.
        expected: usize,
    },
    /// An array's shape disagrees with the spec (observation or action dimension, or horizon).
    #[error(
        "{}: array `{array}` has shape {found:?} but the spec wants {expected:?}",
        path.display()
    )]
    ShapeMismatch {
        /// The file.
        path: PathBuf,
        /// The array's name.
        array: String,
        /// Shape found.
        found: Vec<usize>,
        /// Shape the spec implies.
        expected: Vec<usize>,
    },
    /// An array holds NaN or an infinity.
    #[error("{}: array `{array}` holds non-finite value {value} at index {index:?}", path.display())]
    NonFinite {
        /// The file.
        path: PathBuf,
        /// The array's name.
        array: String,
        /// Index of the first non-finite element in row-major order.
        index: Vec<usize>,
        /// The offending value.
        value: f32,
    },
    /// An element of a discrete space is not an integer index below the number of choices.
    #[error(
        "{}: array `{array}` holds {value} at index {index:?}, which is not an index of {space}",
        path.display()
    )]
    InvalidIndex {
        /// The file.
        path: PathBuf,
        /// The array's name.
        array: String,
        /// Index of the first invalid element in row-major order.
        index: Vec<usize>,
        /// The offending value.
        value: f32,
        /// The discrete space, e.g. `Discrete(4)`.
        space: String,
    },
    /// The file holds no episodes.
    #[error("{}: holds zero episodes", path.display())]
    NoEpisodes {
        /// The file.
        path: PathBuf,
    },
    /// The `spec` array is not valid UTF-8 JSON of the expected shape.
    #[error("{}: unreadable spec: {reason}", path.display())]
    UnreadableSpec {
        /// The file.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The file declares a layout version this build does not read.
    #[error(
        "{}: file format version {found} is not supported (this build reads version {FORMAT_VERSION})",
        path.display()
    )]
    UnsupportedFormat {
        /// The file.
        path: PathBuf,
        /// The version the file declares.
        found: u64,
    },
    /// The spec parses but is not usable ([`EnvSpec::validate`] fails).
    #[error("{}: invalid spec: {reason}", path.display())]
    InvalidSpec {
        /// The file.
        path: PathBuf,
        /// What [`EnvSpec::validate`] reported.
        reason: String,
    },
    /// The file was recorded for another environment ([`load_for`]).
    #[error("{}: recorded for env `{found}`, not `{expected}`", path.display())]
    WrongEnv {
        /// The file.
        path: PathBuf,
        /// The env the file was recorded for.
        found: String,
        /// The env asked for.
        expected: String,
    },
    /// The file's spec has the asked-for name but different spaces or horizon ([`load_for`]).
    #[error(
        "{}: recorded with a different spec for env `{env}`: {what} is {found} in the file but {expected} in the env",
        path.display()
    )]
    SpecMismatch {
        /// The file.
        path: PathBuf,
        /// The env's name.
        env: String,
        /// Which part differs: `observation space`, `action space` or `horizon`.
        what: &'static str,
        /// The file's value.
        found: String,
        /// The env's value.
        expected: String,
    },
    /// The destination's directory does not exist (it is not created).
    #[error(
        "{}: cannot write: directory `{}` does not exist",
        path.display(),
        dir.display()
    )]
    NoSuchDirectory {
        /// The file.
        path: PathBuf,
        /// Its parent directory.
        dir: PathBuf,
    },
    /// Writing the file failed.
    #[error("{}: cannot write: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The underlying I/O error.
        #[source]
        source: io::Error,
    },
}

/// What the `spec` array holds.
#[derive(Serialize)]
struct Header<'a> {
    format: u64,
    spec: &'a EnvSpec,
}

/// The `spec` array as read, before the version is known.
#[derive(Deserialize)]
struct RawHeader {
    format: u64,
    spec: serde_json::Value,
}

/// Writes `trajs` to `path` as an `.npz` demo file, replacing any file already there.
///
/// The trajectories are checked first (valid spec, at least one episode, shapes matching the spec,
/// finite values, valid discrete indices); on any error nothing is written. The parent directory must
/// exist.
pub fn save(path: &Path, trajs: &Trajectories) -> Result<(), DemoError> {
    check_spec(path, &trajs.spec)?;
    check_trajectories(path, trajs)?;
    let header = serde_json::to_vec(&Header {
        format: FORMAT_VERSION,
        spec: &trajs.spec,
    })
    .map_err(|e| write_error(path, io::Error::other(e)))?;

    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if !dir.is_dir() {
        return Err(DemoError::NoSuchDirectory {
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
        });
    }
    write_atomically(path, |file| write_npz(file, trajs, &header)).map_err(|e| write_error(path, e))
}

/// Reads and checks a demo file. See the [module documentation](self) for the layout and checks.
pub fn load(path: &Path) -> Result<Trajectories, DemoError> {
    let file = File::open(path).map_err(|source| DemoError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let mut archive = NpzArchive::open(path, BufReader::new(file))?;
    let spec = archive.read_spec()?;
    let obs = archive.read_f32::<Ix3>("obs")?;
    let acts = archive.read_f32::<Ix3>("acts")?;
    let rews = archive.read_f32::<Ix2>("rews")?;
    let logp = if archive.contains("logp") {
        Some(archive.read_f32::<Ix2>("logp")?)
    } else {
        None
    };
    let trajs = Trajectories {
        spec,
        obs,
        acts,
        rews,
        logp,
    };
    check_trajectories(path, &trajs)?;
    Ok(trajs)
}

/// Whether the demo file at `path` holds its `spec` (a bare file, see [`Layout::Bare`], does not).
pub fn has_spec(path: &Path) -> Result<bool, DemoError> {
    let file = File::open(path).map_err(|source| DemoError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(NpzArchive::open(path, BufReader::new(file))?.contains("spec"))
}

/// Like [`load`], but also refuses a file recorded for another env than `spec` describes: its name,
/// observation space, action space, horizon and step must all equal `spec`'s. A file without a
/// `spec` array is read as [`Layout::Bare`] with `spec` (every episode must fill the horizon).
pub fn load_for(path: &Path, spec: &EnvSpec) -> Result<Trajectories, DemoError> {
    if !has_spec(path)? {
        return Ok(import(path, Layout::Bare, spec, false)?.trajs);
    }
    let trajs = load(path)?;
    let found = &trajs.spec;
    if found.name != spec.name {
        return Err(DemoError::WrongEnv {
            path: path.to_path_buf(),
            found: found.name.clone(),
            expected: spec.name.clone(),
        });
    }
    let mismatch = |what, found: String, expected: String| DemoError::SpecMismatch {
        path: path.to_path_buf(),
        env: spec.name.clone(),
        what,
        found,
        expected,
    };
    if found.observation_space != spec.observation_space {
        return Err(mismatch(
            "observation space",
            describe_space(&found.observation_space),
            describe_space(&spec.observation_space),
        ));
    }
    if found.action_space != spec.action_space {
        return Err(mismatch(
            "action space",
            describe_space(&found.action_space),
            describe_space(&spec.action_space),
        ));
    }
    if found.horizon != spec.horizon {
        return Err(mismatch(
            "horizon",
            found.horizon.to_string(),
            spec.horizon.to_string(),
        ));
    }
    if (found.dt - spec.dt).abs() > DT_TOLERANCE * spec.dt.abs().max(1.0) {
        return Err(mismatch(
            "seconds per step (dt)",
            found.dt.to_string(),
            spec.dt.to_string(),
        ));
    }
    Ok(trajs)
}

/// Relative difference of two `dt`s that still counts as the same step.
const DT_TOLERANCE: f32 = 1e-6;

/// Demonstrated actions outside a box action space (which the task clips): how many action
/// entries lie outside, and the largest distance of one from the box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutOfBox {
    /// Action entries outside their bounds.
    pub count: usize,
    /// The largest distance of an entry from its bounds.
    pub largest: f32,
    /// The largest distance of an entry from its bounds in widths of its bounds (`high − low`):
    /// a Gaussian expert's unclipped samples stay well under 1, a broken file does not.
    pub largest_in_widths: f32,
}

/// The actions of `trajs` that lie outside their box action space, or `None` when every one is
/// inside (or the actions are discrete).
pub fn actions_outside_box(trajs: &Trajectories) -> Option<OutOfBox> {
    let Space::Box { low, high } = &trajs.spec.action_space else {
        return None;
    };
    let mut found = OutOfBox {
        count: 0,
        largest: 0.0,
        largest_in_widths: 0.0,
    };
    for row in trajs.acts.rows() {
        for ((&a, &lo), &hi) in row.iter().zip(low).zip(high) {
            let off = (lo - a).max(a - hi);
            if off > 0.0 {
                found.count += 1;
                found.largest = found.largest.max(off);
                found.largest_in_widths = found.largest_in_widths.max(off / (hi - lo));
            }
        }
    }
    (found.count > 0).then_some(found)
}

/// A space in full, bounds included (its `Display` form abbreviates non-uniform boxes).
fn describe_space(space: &Space) -> String {
    match space {
        Space::Box { low, high } => format!("Box(low {low:?}, high {high:?})"),
        Space::Discrete { .. } => space.to_string(),
    }
}

fn write_error(path: &Path, source: io::Error) -> DemoError {
    DemoError::Write {
        path: path.to_path_buf(),
        source,
    }
}

/// Writes the archive's arrays to `file` and flushes it.
fn write_npz(file: &mut File, trajs: &Trajectories, header: &[u8]) -> io::Result<()> {
    let mut npz = NpzWriter::new_compressed(BufWriter::new(file));
    add_arrays(&mut npz, trajs, header).map_err(io::Error::other)?;
    let mut writer = npz.finish().map_err(io::Error::other)?;
    writer.flush()
}

fn add_arrays<W: Write + Seek>(
    npz: &mut NpzWriter<W>,
    trajs: &Trajectories,
    header: &[u8],
) -> Result<(), WriteNpzError> {
    npz.add_array("obs", &trajs.obs)?;
    npz.add_array("acts", &trajs.acts)?;
    npz.add_array("rews", &trajs.rews)?;
    if let Some(logp) = &trajs.logp {
        npz.add_array("logp", logp)?;
    }
    npz.add_array("spec", &ArrayView1::from(header))
}

fn check_spec(path: &Path, spec: &EnvSpec) -> Result<(), DemoError> {
    spec.validate().map_err(|reason| DemoError::InvalidSpec {
        path: path.to_path_buf(),
        reason,
    })
}

/// Checks shapes against the spec and each other, finiteness, and discrete indices.
fn check_trajectories(path: &Path, trajs: &Trajectories) -> Result<(), DemoError> {
    let spec = &trajs.spec;
    let n = trajs.obs.shape()[0];
    if n == 0 {
        return Err(DemoError::NoEpisodes {
            path: path.to_path_buf(),
        });
    }
    let t = spec.horizon;
    let (od, ad) = (spec.obs_dim(), spec.act_dim());
    let mut arrays: Vec<(&str, &[usize], Vec<usize>)> = vec![
        ("obs", trajs.obs.shape(), vec![n, t + 1, od]),
        ("acts", trajs.acts.shape(), vec![n, t, ad]),
        ("rews", trajs.rews.shape(), vec![n, t]),
    ];
    if let Some(logp) = &trajs.logp {
        arrays.push(("logp", logp.shape(), vec![n, t]));
    }
    for (array, found, expected) in arrays {
        if found[0] != n {
            return Err(DemoError::EpisodeCountMismatch {
                path: path.to_path_buf(),
                array: array.into(),
                found: found[0],
                expected: n,
            });
        }
        if found != expected.as_slice() {
            return Err(DemoError::ShapeMismatch {
                path: path.to_path_buf(),
                array: array.into(),
                found: found.to_vec(),
                expected,
            });
        }
    }
    check_finite(path, "obs", &trajs.obs)?;
    check_finite(path, "acts", &trajs.acts)?;
    check_finite(path, "rews", &trajs.rews)?;
    if let Some(logp) = &trajs.logp {
        check_finite(path, "logp", logp)?;
    }
    check_indices(path, "obs", &trajs.obs, &spec.observation_space)?;
    check_indices(path, "acts", &trajs.acts, &spec.action_space)
}

fn check_finite<S, D>(path: &Path, array: &str, a: &ArrayBase<S, D>) -> Result<(), DemoError>
where
    S: Data<Elem = f32>,
    D: Dimension,
{
    match first_where(a, |v| !v.is_finite()) {
        None => Ok(()),
        Some((index, value)) => Err(DemoError::NonFinite {
            path: path.to_path_buf(),
            array: array.into(),
            index,
            value,
        }),
    }
}

/// For a discrete `space`, checks that every element of `a` is an integral index below `n`.
fn check_indices<S, D>(
    path: &Path,
    array: &str,
    a: &ArrayBase<S, D>,
    space: &Space,
) -> Result<(), DemoError>
where
    S: Data<Elem = f32>,
    D: Dimension,
{
    if !space.is_discrete() {
        return Ok(());
    }
    match first_where(a, |v| !space.contains(&[v])) {
        None => Ok(()),
        Some((index, value)) => Err(DemoError::InvalidIndex {
            path: path.to_path_buf(),
            array: array.into(),
            index,
            value,
            space: space.to_string(),
        }),
    }
}

/// The row-major index and value of the first element satisfying `bad`.
fn first_where<S, D>(a: &ArrayBase<S, D>, bad: impl Fn(f32) -> bool) -> Option<(Vec<usize>, f32)>
where
    S: Data<Elem = f32>,
    D: Dimension,
{
    a.view()
        .into_dyn()
        .indexed_iter()
        .find(|(_, &v)| bad(v))
        .map(|(index, &v)| (index.slice().to_vec(), v))
}
