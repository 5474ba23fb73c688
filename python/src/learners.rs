//! costlearn's learners run from Python. GCL and BC train into ordinary run folders through the
//! experiment layer, the same code as `costlearn train`, so `costlearn eval` reads what Python
//! trained; any run folder is rebuilt into its policy ([`RunPolicy`]) and its learned cost
//! ([`run_cost`]).

use crate::error::invalid;
use costlearn::bench::suite::Suite;
use costlearn::evaluate::evaluate_dir;
use costlearn::methods::{self, bc, gcl, Method, RunCost, RunOptions};
use costlearn::progress::Progress;
use costlearn::{bench, interrupt, settings};
use costlearn_agents::cost::Cost;
use costlearn_agents::gcl::CostPart;
use costlearn_envs::{episode_rng, Policy};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use std::path::PathBuf;
use std::time::Duration;

/// `error` as a `CostlearnError` with the command line's message (`error: {:#}` without the
/// prefix), or `KeyboardInterrupt` for a run stopped by Ctrl-C.
fn to_py(error: anyhow::Error) -> PyErr {
    if let Some(stop) = error.downcast_ref::<interrupt::Interrupted>() {
        return pyo3::exceptions::PyKeyboardInterrupt::new_err(format!(
            "interrupted after iteration {}, its checkpoint written; train again to continue",
            stop.iteration
        ));
    }
    invalid(format!("{error:#}"))
}

/// Runs `work` on a thread of its own while this thread, holding the GIL only to look, watches
/// for Ctrl-C: the first one asks the run to stop after the iteration in flight (its checkpoint
/// written), as the command line's first Ctrl-C does.
fn run_interruptibly<T: Send>(
    py: Python<'_>,
    work: impl FnOnce() -> anyhow::Result<T> + Send,
) -> PyResult<T> {
    interrupt::clear();
    std::thread::scope(|scope| {
        let handle = scope.spawn(work);
        while !handle.is_finished() {
            py.detach(|| std::thread::sleep(Duration::from_millis(50)));
            if py.check_signals().is_err() {
                interrupt::request();
            }
        }
        let out = handle
            .join()
            .map_err(|_| invalid("the training thread panicked"))?;
        interrupt::clear();
        out.map_err(to_py)
    })
}

/// `(key, JSON text)` pairs as settings values.
fn values(set: Vec<(String, String)>) -> PyResult<Vec<(String, serde_json::Value)>> {
    set.into_iter()
        .map(|(key, text)| {
            serde_json::from_str(&text)
                .map(|value| (key.clone(), value))
                .map_err(|e| invalid(format!("setting {key}: {e}")))
        })
        .collect()
}

/// Trains `method` (`"gcl"` or `"bc"`) on the task `env` from the demonstration file `demos` into
/// the run folder `out`: the library's defaults for the task, with `seed`, the first `num_demos`
/// demonstrations, `iterations` GCL iterations, an evaluation of `eval_episodes` episodes, and
/// each `(key, JSON value)` of `set` applied as `--set key=value` would. With `resume`, a GCL run
/// continues from the checkpoint in `out` up to `iterations` in all (a tabular one, which keeps
/// no checkpoint, is trained again to `iterations`).
#[pyfunction]
#[pyo3(signature = (method, env, demos, out, *, seed = 0, num_demos = None, iterations = None,
                    eval_episodes = None, set = Vec::new(), resume = false, progress = true))]
#[allow(clippy::too_many_arguments)]
pub fn train(
    py: Python<'_>,
    method: &str,
    env: &str,
    demos: PathBuf,
    out: PathBuf,
    seed: u64,
    num_demos: Option<usize>,
    iterations: Option<usize>,
    eval_episodes: Option<usize>,
    set: Vec<(String, String)>,
    resume: bool,
    progress: bool,
) -> PyResult<()> {
    let set = values(set)?;
    // A tabular run keeps no checkpoint: it is trained again from its start, which gives what
    // continuing it would (it is deterministic) in seconds.
    let tabular = costlearn_envs::registry::make(env)
        .map_err(|e| invalid(e.to_string()))?
        .tabular()
        .is_some();
    let resume = resume && !tabular;
    let run = RunOptions {
        force: !resume,
        resume,
        ..RunOptions::new(out)
    };
    let progress = if progress {
        Progress::terminal()
    } else {
        Progress::hidden()
    };
    match method {
        gcl::Gcl::NAME => {
            let mut s = gcl::Settings::for_task(env, demos, num_demos, seed).map_err(to_py)?;
            s.iterations = iterations.unwrap_or(s.iterations);
            s.eval_episodes = eval_episodes.unwrap_or(s.eval_episodes);
            let s = settings::with_values(s, &set).map_err(to_py)?;
            run_interruptibly(py, || gcl::Gcl::train(&s, &run, &progress))
        }
        bc::Bc::NAME => {
            if iterations.is_some() || resume {
                return Err(invalid("BC trains by epochs: set bc.epochs instead"));
            }
            let mut s = bc::Settings::new(env, demos, seed);
            s.num_demos = num_demos;
            s.eval_episodes = eval_episodes.unwrap_or(s.eval_episodes);
            let s = settings::with_values(s, &set).map_err(to_py)?;
            run_interruptibly(py, || bc::Bc::train(&s, &run, &progress))
        }
        other => Err(invalid(format!(
            "unknown method '{other}': expected 'gcl' or 'bc'"
        ))),
    }
}

/// Evaluates the run in `dir` on `episodes` episodes seeded `seed` (see `costlearn eval`) and
/// writes its `eval.json`.
#[pyfunction]
#[pyo3(signature = (dir, *, seed = 0, episodes = 64))]
pub fn evaluate(py: Python<'_>, dir: PathBuf, seed: u64, episodes: usize) -> PyResult<()> {
    py.detach(|| evaluate_dir(&dir, seed, episodes, None))
        .map(drop)
        .map_err(to_py)
}

/// Runs the benchmark suite `suite` (a built-in name or a suite file) into `out` with `jobs` runs
/// at a time (see `costlearn bench`).
#[pyfunction]
#[pyo3(signature = (suite, out, *, jobs = None, resume = false))]
pub fn run_bench(
    py: Python<'_>,
    suite: &str,
    out: PathBuf,
    jobs: Option<usize>,
    resume: bool,
) -> PyResult<()> {
    let suite = Suite::load(suite).map_err(to_py)?;
    let jobs = jobs.unwrap_or_else(|| {
        std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
    });
    let command = format!("costlearn.bench({:?}, {:?})", suite.name, out.display());
    run_interruptibly(py, || {
        bench::run(&suite, &out, jobs, resume, None, &command).map(drop)
    })
}

/// The final policy of a run folder, acting on numpy batches.
#[pyclass(module = "costlearn._costlearn")]
pub struct RunPolicy {
    policy: Box<dyn Policy>,
    obs_dim: usize,
}

#[pymethods]
impl RunPolicy {
    #[new]
    fn new(dir: PathBuf) -> PyResult<Self> {
        let rebuilt = methods::rebuild(&dir).map_err(to_py)?;
        let obs_dim = costlearn_envs::registry::lookup(&rebuilt.env)
            .map_err(|e| invalid(e.to_string()))?
            .make()
            .spec()
            .obs_dim();
        Ok(Self {
            policy: rebuilt.policy,
            obs_dim,
        })
    }

    /// Actions `[N, act_dim]` for the observations `obs` `[N, obs_dim]`: sampled, the noise of
    /// row `i` drawn from the stream `(seed, i)`, or with `deterministic` the policy's mode (the
    /// mean of a Gaussian policy, the most probable choice of a categorical one). A discrete
    /// action is its index as a float.
    #[pyo3(signature = (obs, *, deterministic = false, seed = 0))]
    fn act<'py>(
        &self,
        py: Python<'py>,
        obs: PyReadonlyArray2<'py, f32>,
        deterministic: bool,
        seed: u64,
    ) -> PyResult<Bound<'py, PyArray2<f32>>> {
        self.check(&obs)?;
        let view = obs.as_array();
        if deterministic {
            return self
                .policy
                .mode(view)
                .map(|a| a.into_pyarray(py))
                .ok_or_else(|| {
                    invalid("this policy has no deterministic action for these observations")
                });
        }
        let mut rngs: Vec<_> = (0..view.nrows() as u64)
            .map(|i| episode_rng(seed, i))
            .collect();
        Ok(self.policy.act(view, &mut rngs).into_pyarray(py))
    }

    /// `log π(u_i | x_i)` of each row.
    fn log_prob<'py>(
        &self,
        py: Python<'py>,
        obs: PyReadonlyArray2<'py, f32>,
        acts: PyReadonlyArray2<'py, f32>,
    ) -> PyResult<Bound<'py, PyArray1<f32>>> {
        self.check(&obs)?;
        if acts.shape()[0] != obs.shape()[0] {
            return Err(invalid("obs and acts must have as many rows"));
        }
        Ok(self
            .policy
            .log_prob(obs.as_array(), acts.as_array())
            .into_pyarray(py))
    }
}

impl RunPolicy {
    fn check(&self, obs: &PyReadonlyArray2<'_, f32>) -> PyResult<()> {
        if obs.shape()[1] != self.obs_dim {
            return Err(invalid(format!(
                "expected observations of {} floats, got {}",
                self.obs_dim,
                obs.shape()[1]
            )));
        }
        Ok(())
    }
}

/// The learned cost of the run in `dir` at the steps `(obs[i], acts[i])` (`[N, obs_dim]`,
/// `[N, act_dim]`): the reusable task part `g_θ` of a shaped cost (`part="task"`, what
/// `eval --reopt` re-optimises), or `part="full"` for an unshaped one.
#[pyfunction]
#[pyo3(signature = (dir, obs, acts, *, part = "task"))]
pub fn run_cost<'py>(
    py: Python<'py>,
    dir: PathBuf,
    obs: PyReadonlyArray2<'py, f32>,
    acts: PyReadonlyArray2<'py, f32>,
    part: &str,
) -> PyResult<Bound<'py, PyArray1<f32>>> {
    let part = match part {
        "task" => CostPart::Task,
        "full" => CostPart::Full,
        other => {
            return Err(invalid(format!(
                "part must be 'task' or 'full', not '{other}'"
            )))
        }
    };
    let rebuilt = methods::rebuild(&dir).map_err(to_py)?;
    let (obs, acts) = (obs.as_array(), acts.as_array());
    if obs.nrows() != acts.nrows() {
        return Err(invalid("obs and acts must have as many rows"));
    }
    match rebuilt.cost {
        None => Err(invalid(format!(
            "{} is a {} run, which learns no cost",
            dir.display(),
            rebuilt.method
        ))),
        Some(RunCost::Network(network)) => {
            let cost = network.cost.part(part);
            cost.cost(obs, acts)
                .map(|c| c.into_pyarray(py))
                .map_err(|e| invalid(e.to_string()))
        }
        Some(RunCost::States { mdp, state_cost }) => {
            let costs = obs
                .rows()
                .into_iter()
                .map(|row| {
                    let slice = row.to_vec();
                    mdp.state_of(&slice)
                        .map(|s| state_cost[s] as f32)
                        .ok_or_else(|| invalid(format!("{slice:?} is no state of the task")))
                })
                .collect::<PyResult<Vec<f32>>>()?;
            Ok(PyArray1::from_vec(py, costs))
        }
    }
}
