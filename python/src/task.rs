//! Registered tasks stepped from Python: one copy ([`NativeEnv`]), many copies in lock-step with
//! the GIL released ([`NativeVecEnv`]), and whole rollouts by costlearn's engine ([`rollout`]).

use crate::error::{invalid, to_py};
use costlearn_envs::rand::RngCore;
use costlearn_envs::rollout::Rollout;
use costlearn_envs::{episode_rng, registry, Env, EnvSpec, Policy, Space, UniformRandom, VecEnv};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::sync::{Mutex, MutexGuard};

/// The names of the registered tasks.
#[pyfunction]
pub fn tasks() -> Vec<String> {
    registry::entries()
        .iter()
        .map(|e| e.name().to_string())
        .collect()
}

/// The spec of task `name` as a dict: `name`, `horizon`, `dt`, `observation_space` and
/// `action_space` (each `{"kind": "box", "low": [...], "high": [...]}` or
/// `{"kind": "discrete", "n": n}`).
#[pyfunction]
pub fn spec<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyDict>> {
    let entry = registry::lookup(name).map_err(to_py)?;
    spec_dict(py, entry.make().spec())
}

/// The seed with which episode `episode` of a run seeded `seed` resets its task, as costlearn's
/// rollout engine derives it.
#[pyfunction]
pub fn episode_seed(seed: u64, episode: u64) -> u64 {
    episode_rng(seed, episode).next_u64()
}

/// Episodes `0..episodes` of a run seeded `seed`, sampled by costlearn's rollout engine on
/// `num_envs` copies with the task's scripted `"expert"` or a uniform `"random"` policy: a dict of
/// `obs [N, T+1, obs_dim]`, `acts [N, T, act_dim]` and `rews [N, T]`.
#[pyfunction]
#[pyo3(signature = (name, episodes, seed = 0, policy = "expert", num_envs = 8))]
pub fn rollout<'py>(
    py: Python<'py>,
    name: &str,
    episodes: usize,
    seed: u64,
    policy: &str,
    num_envs: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let entry = registry::lookup(name).map_err(to_py)?;
    if num_envs == 0 {
        return Err(invalid("num_envs must be at least 1"));
    }
    let spec = entry.make().spec().clone();
    let policy: Box<dyn Policy> = match policy {
        "expert" => entry.expert().map_err(to_py)?,
        "random" => Box::new(UniformRandom::new(spec.action_space.clone()).map_err(to_py)?),
        other => {
            return Err(invalid(format!(
                "unknown policy '{other}': expected 'expert' or 'random'"
            )))
        }
    };
    let trajs = py
        .detach(|| {
            let mut envs = entry.make_vec(num_envs);
            Rollout::new(seed)
                .episodes(episodes)
                .collect(envs.as_mut(), policy.as_ref())
        })
        .map_err(to_py)?;
    let out = PyDict::new(py);
    out.set_item("obs", trajs.obs.into_pyarray(py))?;
    out.set_item("acts", trajs.acts.into_pyarray(py))?;
    out.set_item("rews", trajs.rews.into_pyarray(py))?;
    Ok(out)
}

/// `spec` as the dict [`spec`] returns.
pub fn spec_dict<'py>(py: Python<'py>, spec: &EnvSpec) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    out.set_item("name", &spec.name)?;
    out.set_item("horizon", spec.horizon)?;
    out.set_item("dt", spec.dt)?;
    out.set_item(
        "observation_space",
        space_dict(py, &spec.observation_space)?,
    )?;
    out.set_item("action_space", space_dict(py, &spec.action_space)?)?;
    Ok(out)
}

fn space_dict<'py>(py: Python<'py>, space: &Space) -> PyResult<Bound<'py, PyDict>> {
    let out = PyDict::new(py);
    match space {
        Space::Box { low, high } => {
            out.set_item("kind", "box")?;
            out.set_item("low", low.clone())?;
            out.set_item("high", high.clone())?;
        }
        Space::Discrete { n } => {
            out.set_item("kind", "discrete")?;
            out.set_item("n", *n)?;
        }
    }
    Ok(out)
}

/// Errors unless each of the `rows` actions of `actions` lies in `space` (a discrete action must
/// be one of its indices; a box action, whose bounds the task clips to, must be finite).
fn check_actions(space: &Space, actions: &[f32], rows: usize) -> PyResult<()> {
    let dim = space.dim();
    if actions.len() != rows * dim {
        return Err(invalid(format!(
            "expected {rows} actions of {dim} floats, got {} floats",
            actions.len()
        )));
    }
    for (i, action) in actions.chunks(dim.max(1)).enumerate() {
        let ok = match space {
            Space::Discrete { .. } => space.contains(action),
            Space::Box { .. } => action.iter().all(|a| a.is_finite()),
        };
        if !ok {
            return Err(invalid(format!(
                "action {i} ({action:?}) is not in the action space {space:?}"
            )));
        }
    }
    Ok(())
}

/// Which run the episodes belong to and the index of the next one, numbered as costlearn's
/// rollout engine numbers them.
#[derive(Default)]
struct Run {
    seed: u64,
    next_episode: u64,
}

impl Run {
    /// With `Some(seed)`, starts the run seeded `seed` over at episode 0; with `None`, goes on.
    fn restart(&mut self, seed: Option<u64>) {
        if let Some(seed) = seed {
            *self = Run {
                seed,
                next_episode: 0,
            };
        }
    }

    /// The reset seed of the next episode, which is then taken.
    fn take(&mut self) -> u64 {
        let seed = episode_seed(self.seed, self.next_episode);
        self.next_episode += 1;
        seed
    }
}

/// `mutex` locked, or an error if a panic poisoned it.
fn lock<T>(mutex: &Mutex<T>) -> PyResult<MutexGuard<'_, T>> {
    mutex
        .lock()
        .map_err(|_| invalid("the task is poisoned by an earlier panic"))
}

/// One copy of a task: which episode of which run it is in, and where in the episode, so that
/// it is stepped exactly `T` times.
struct EnvState {
    env: Box<dyn Env>,
    run: Run,
    /// Steps taken in the episode; `None` before the first reset.
    t: Option<usize>,
    obs: Vec<f32>,
}

/// One copy of a registered task; the Gymnasium environment of `costlearn.make` wraps it.
#[pyclass(module = "costlearn._costlearn")]
pub struct NativeEnv {
    spec: EnvSpec,
    state: Mutex<EnvState>,
}

#[pymethods]
impl NativeEnv {
    #[new]
    fn new(name: &str) -> PyResult<Self> {
        let env = registry::make(name).map_err(to_py)?;
        let spec = env.spec().clone();
        let obs = vec![0.0; spec.obs_dim()];
        Ok(Self {
            spec,
            state: Mutex::new(EnvState {
                env,
                run: Run::default(),
                t: None,
                obs,
            }),
        })
    }

    /// The task's spec (see `costlearn.spec`).
    #[getter]
    fn spec<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        spec_dict(py, &self.spec)
    }

    /// Starts episode 0 of a run seeded `seed`, or with `None` the run's next episode (of the
    /// run seeded 0 if none was seeded); episode `k` resets with `episode_seed(seed, k)`, as in
    /// costlearn's rollout engine. The first observation.
    #[pyo3(signature = (seed = None))]
    fn reset<'py>(
        &self,
        py: Python<'py>,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let mut guard = lock(&self.state)?;
        let state: &mut EnvState = &mut guard;
        state.run.restart(seed);
        state.env.reset(state.run.take(), &mut state.obs);
        state.t = Some(0);
        Ok(PyArray1::from_slice(py, &state.obs))
    }

    /// Applies `action`; the next observation and the reward. Errors before a reset and after the
    /// horizon's last step.
    fn step<'py>(
        &self,
        py: Python<'py>,
        action: PyReadonlyArray1<'py, f32>,
    ) -> PyResult<(Bound<'py, PyArray1<f32>>, f32)> {
        let action = action.as_array().to_vec();
        check_actions(&self.spec.action_space, &action, 1)?;
        let mut guard = lock(&self.state)?;
        let EnvState { env, t, obs, .. } = &mut *guard;
        let horizon = self.spec.horizon;
        match t {
            None => return Err(invalid("step before reset: call reset first")),
            Some(done) if *done >= horizon => {
                return Err(invalid(format!(
                    "the episode ended after its {horizon} steps: call reset"
                )))
            }
            Some(done) => *done += 1,
        }
        let reward = env.step(&action, obs);
        Ok((PyArray1::from_slice(py, obs), reward))
    }
}

/// `num_envs` copies stepped in lock-step. Episodes are numbered as costlearn's rollout engine
/// numbers them: `reset(seed)` starts episodes `0..n`, and at the horizon every copy truncates and
/// starts the next `n`, copy `i` of wave `w` resetting with `episode_seed(seed, w·n + i)`.
struct VecState {
    envs: Box<dyn VecEnv>,
    run: Run,
    /// Steps taken in the current wave; `None` before the first reset.
    t: Option<usize>,
    obs: Vec<f32>,
    rews: Vec<f32>,
    seeds: Vec<u64>,
}

impl VecState {
    /// Resets every copy with the seeds of the next wave's episodes.
    fn start_wave(&mut self) {
        for s in self.seeds.iter_mut() {
            *s = self.run.take();
        }
        self.envs.reset(&self.seeds, &mut self.obs);
        self.t = Some(0);
    }
}

/// Copies of a registered task stepped together; `costlearn.make_vec` wraps it.
#[pyclass(module = "costlearn._costlearn")]
pub struct NativeVecEnv {
    spec: EnvSpec,
    num_envs: usize,
    state: Mutex<VecState>,
}

type StepOut<'py> = (
    Bound<'py, PyArray2<f32>>,
    Bound<'py, PyArray1<f32>>,
    bool,
    Option<Bound<'py, PyArray2<f32>>>,
);

#[pymethods]
impl NativeVecEnv {
    #[new]
    fn new(name: &str, num_envs: usize) -> PyResult<Self> {
        if num_envs == 0 {
            return Err(invalid("num_envs must be at least 1"));
        }
        let entry = registry::lookup(name).map_err(to_py)?;
        let envs = entry.make_vec(num_envs);
        let spec = envs.spec().clone();
        let state = VecState {
            obs: vec![0.0; num_envs * spec.obs_dim()],
            rews: vec![0.0; num_envs],
            seeds: vec![0; num_envs],
            envs,
            run: Run::default(),
            t: None,
        };
        Ok(Self {
            spec,
            num_envs,
            state: Mutex::new(state),
        })
    }

    /// Number of copies.
    #[getter]
    fn num_envs(&self) -> usize {
        self.num_envs
    }

    /// The task's spec (see `costlearn.spec`).
    #[getter]
    fn spec<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        spec_dict(py, &self.spec)
    }

    /// Starts episodes `0..n` of a run seeded `seed`, or with `None` the run's next `n` (of the
    /// run seeded 0 if none was seeded); the first observations `[n, obs_dim]`.
    #[pyo3(signature = (seed = None))]
    fn reset<'py>(
        &self,
        py: Python<'py>,
        seed: Option<u64>,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let mut guard = lock(&self.state)?;
        let state: &mut VecState = &mut guard;
        state.run.restart(seed);
        py.detach(|| state.start_wave());
        self.observations(py, &state.obs)
    }

    /// Steps copy `i` with row `i` of `actions` `[n, act_dim]`. Returns the observations, the
    /// rewards, whether the episodes were truncated at the horizon and, if they were, the final
    /// observations: the returned ones are then the first of the next episodes.
    fn step<'py>(
        &self,
        py: Python<'py>,
        actions: PyReadonlyArray2<'py, f32>,
    ) -> PyResult<StepOut<'py>> {
        let view = actions.as_array();
        let actions: Vec<f32> = match view.as_slice() {
            Some(slice) => slice.to_vec(),
            None => view.iter().copied().collect(),
        };
        if view.nrows() != self.num_envs {
            return Err(invalid(format!(
                "expected actions for {} copies, got {} rows",
                self.num_envs,
                view.nrows()
            )));
        }
        check_actions(&self.spec.action_space, &actions, self.num_envs)?;
        let mut guard = lock(&self.state)?;
        let state: &mut VecState = &mut guard;
        if state.t.is_none() {
            return Err(invalid("step before reset: call reset first"));
        }
        let horizon = self.spec.horizon;
        let final_obs = py.detach(|| {
            state.envs.step(&actions, &mut state.obs, &mut state.rews);
            let t = state.t.map_or(1, |t| t + 1);
            state.t = Some(t);
            (t >= horizon).then(|| {
                let last = state.obs.clone();
                state.start_wave();
                last
            })
        });
        let obs = self.observations(py, &state.obs)?;
        let rews = PyArray1::from_slice(py, &state.rews);
        let truncated = final_obs.is_some();
        let final_obs = final_obs
            .map(|last| self.observations(py, &last))
            .transpose()?;
        Ok((obs, rews, truncated, final_obs))
    }
}

impl NativeVecEnv {
    /// `flat` as an `[n, obs_dim]` array.
    fn observations<'py>(
        &self,
        py: Python<'py>,
        flat: &[f32],
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let array =
            ndarray::Array2::from_shape_vec((self.num_envs, self.spec.obs_dim()), flat.to_vec())
                .map_err(|e| invalid(e.to_string()))?;
        Ok(array.into_pyarray(py))
    }
}
