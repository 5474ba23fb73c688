//! Demonstration files (`.npz` with costlearn's spec header) read into and written from numpy.

use crate::error::{invalid, to_py};
use crate::task::spec_dict;
use costlearn_envs::{demos, registry, Trajectories};
use numpy::{IntoPyArray, PyReadonlyArray2, PyReadonlyArray3};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::path::PathBuf;

/// The episodes of the demonstration file at `path`: a dict of `obs [N, T+1, obs_dim]`,
/// `acts [N, T, act_dim]`, `rews [N, T]`, `logp [N, T]` when the file has them, and `spec`
/// (see `costlearn.spec`). A file without costlearn's spec header (plain `obs`/`acts`/`rews`
/// arrays) is read for the task `env`, which must then be given.
#[pyfunction]
#[pyo3(signature = (path, env = None))]
pub fn load_demos<'py>(
    py: Python<'py>,
    path: PathBuf,
    env: Option<&str>,
) -> PyResult<Bound<'py, PyDict>> {
    let trajs = match env {
        Some(name) => {
            let spec = registry::lookup(name).map_err(to_py)?.make().spec().clone();
            py.detach(|| demos::load_for(&path, &spec))
        }
        None => py.detach(|| demos::load(&path)),
    }
    .map_err(to_py)?;
    let out = PyDict::new(py);
    out.set_item("spec", spec_dict(py, &trajs.spec)?)?;
    out.set_item("obs", trajs.obs.into_pyarray(py))?;
    out.set_item("acts", trajs.acts.into_pyarray(py))?;
    out.set_item("rews", trajs.rews.into_pyarray(py))?;
    if let Some(logp) = trajs.logp {
        out.set_item("logp", logp.into_pyarray(py))?;
    }
    Ok(out)
}

/// Writes `N` episodes of the task `env` to `path` as a demonstration file that every costlearn
/// verb reads: `obs [N, T+1, obs_dim]`, `acts [N, T, act_dim]`, `rews [N, T]` (float32) and
/// optionally the acting policy's `logp [N, T]`. The spec is the registered task's; the arrays
/// must fit it.
#[pyfunction]
#[pyo3(signature = (path, *, obs, acts, rews, env, logp = None))]
pub fn save_demos(
    py: Python<'_>,
    path: PathBuf,
    obs: PyReadonlyArray3<'_, f32>,
    acts: PyReadonlyArray3<'_, f32>,
    rews: PyReadonlyArray2<'_, f32>,
    env: &str,
    logp: Option<PyReadonlyArray2<'_, f32>>,
) -> PyResult<()> {
    let spec = registry::lookup(env).map_err(to_py)?.make().spec().clone();
    let (n, steps, od) = obs.as_array().dim();
    if steps != spec.horizon + 1 || od != spec.obs_dim() {
        return Err(invalid(format!(
            "obs of '{env}' must be [N, {}, {}], got [{n}, {steps}, {od}]",
            spec.horizon + 1,
            spec.obs_dim()
        )));
    }
    let trajs = Trajectories {
        spec,
        obs: obs.as_array().to_owned(),
        acts: acts.as_array().to_owned(),
        rews: rews.as_array().to_owned(),
        logp: logp.map(|l| l.as_array().to_owned()),
    };
    py.detach(|| demos::save(&path, &trajs)).map_err(to_py)
}
