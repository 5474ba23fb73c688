//! Running a suite: every run trains in-process into its own run directory, is evaluated, and
//! ends by writing its result file. A run whose result file exists is finished; `--resume` skips it.

use super::shard;
use super::suite::{Algorithm, RunSpec, Suite, SEGMENT_LEN};
use crate::evaluate::{evaluate_dir, Reopt};
use crate::evaluation::{self, EVAL_FILE};
use crate::methods::{bc, gcl, maxent_irl, Method, RunOptions};
use crate::progress::Progress;
use crate::run_dir::{CsvRow, METRICS_FILE};
use crate::settings;
use anyhow::{bail, Context, Result};
use costlearn_agents::gcl::Granularity;
use costlearn_envs::atomic::write_atomically;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde::{Deserialize, Serialize};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

/// Name of a run's result file, written last.
pub const RESULT_FILE: &str = "result.json";

/// Whether a run finished its training and evaluation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Trained and evaluated.
    Ok,
    /// Stopped with an error (kept in [`RunResult::error`]).
    Failed,
}

/// Every number of one run: a line of `results.csv`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunResult {
    /// The task.
    pub task: String,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The algorithm's name, or that of the variant of it the run trained.
    #[serde(default)]
    pub variant: String,
    /// Demonstrations trained on.
    pub demos: usize,
    /// Seed of the run.
    pub seed: u64,
    /// Whether it finished.
    pub status: Status,
    /// Mean true return of the final policy.
    pub return_mean: Option<f64>,
    /// Spread of the true return over evaluation episodes (none for an exact evaluation).
    pub return_std: Option<f64>,
    /// Normalised score `(R − R_random) / (R_expert − R_random)`.
    pub normalized_score: Option<f64>,
    /// Pearson correlation of the learned cost with the true cost, where the evaluation has one.
    pub cost_pearson: Option<f64>,
    /// Spearman correlation of the learned cost with the true cost, where the evaluation has one.
    pub cost_spearman: Option<f64>,
    /// Normalised score of a policy re-optimised on the learned cost, where the evaluation has one.
    pub reopt_normalized_score: Option<f64>,
    /// The changed task of the second re-optimisation, where there was one.
    pub reopt_changed_env: Option<String>,
    /// Normalised score (with the changed task's anchors) of a policy re-optimised on the learned
    /// cost on the changed task.
    pub reopt_changed_normalized_score: Option<f64>,
    /// Wall-clock seconds of training and evaluation.
    pub wall_s: f64,
    /// Environment steps of training (none for methods that learn from the demonstrations alone).
    pub env_steps: Option<u64>,
    /// The error of a failed run.
    pub error: Option<String>,
}

#[cfg(test)]
impl RunResult {
    /// A finished run of `algorithm` on `task` with the normalised score `score` and nothing else.
    pub(crate) fn scored(
        task: &str,
        algorithm: Algorithm,
        demos: usize,
        seed: u64,
        score: Option<f64>,
    ) -> Self {
        Self {
            task: task.into(),
            algorithm,
            variant: algorithm.name().into(),
            demos,
            seed,
            status: Status::Ok,
            return_mean: None,
            return_std: None,
            normalized_score: score,
            cost_pearson: None,
            cost_spearman: None,
            reopt_normalized_score: None,
            reopt_changed_env: None,
            reopt_changed_normalized_score: None,
            wall_s: 1.0,
            env_steps: None,
            error: None,
        }
    }
}

impl CsvRow for RunResult {
    fn header() -> Vec<&'static str> {
        vec![
            "task",
            "algorithm",
            "variant",
            "demos",
            "seed",
            "status",
            "return_mean",
            "return_std",
            "normalized_score",
            "cost_pearson",
            "cost_spearman",
            "reopt_normalized_score",
            "reopt_changed_env",
            "reopt_changed_normalized_score",
            "wall_s",
            "env_steps",
            "error",
        ]
    }

    fn cells(&self) -> Vec<String> {
        let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
        vec![
            self.task.clone(),
            self.algorithm.to_string(),
            self.variant.clone(),
            self.demos.to_string(),
            self.seed.to_string(),
            match self.status {
                Status::Ok => "ok".into(),
                Status::Failed => "failed".into(),
            },
            num(self.return_mean),
            num(self.return_std),
            num(self.normalized_score),
            num(self.cost_pearson),
            num(self.cost_spearman),
            num(self.reopt_normalized_score),
            self.reopt_changed_env.clone().unwrap_or_default(),
            num(self.reopt_changed_normalized_score),
            format!("{:.3}", self.wall_s),
            self.env_steps.map(|v| v.to_string()).unwrap_or_default(),
            self.error.clone().unwrap_or_default(),
        ]
    }
}

/// Runs every unfinished run of `suite` under `out`, `jobs` at a time, and returns the results
/// of all runs (finished earlier or now) in suite order.
pub fn run_suite(suite: &Suite, out: &Path, jobs: usize) -> Result<Vec<RunResult>> {
    if jobs == 0 {
        bail!("--jobs must be at least 1");
    }
    let finished: Vec<Option<RunResult>> = suite
        .runs
        .iter()
        .map(|spec| read_result(&out.join(spec.dir())))
        .collect::<Result<_>>()?;
    // The longest runs first, so that the last ones to finish are short (results do not depend
    // on the order).
    let mut pending: Vec<(&RunSpec, f64)> = suite
        .runs
        .iter()
        .zip(shard::expected_costs(&suite.runs))
        .zip(&finished)
        .filter(|(_, done)| done.is_none())
        .map(|(run, _)| run)
        .collect();
    pending.sort_by(|a, b| b.1.total_cmp(&a.1));
    let pending: Vec<&RunSpec> = pending.into_iter().map(|(spec, _)| spec).collect();
    let done = suite.runs.len() - pending.len();
    if done > 0 {
        println!(
            "{done} of {} runs already finished in {}; running the other {}",
            suite.runs.len(),
            out.display(),
            pending.len()
        );
    }
    // Threads are split between the runs in flight; results do not depend on the split.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = (cores / jobs).max(1);
    let bars = MultiProgress::new();
    let overall = bars.add(ProgressBar::new(suite.runs.len() as u64));
    overall.set_style(style(
        "{elapsed_precise} [{bar:30}] runs {pos}/{len} (eta {eta})",
    ));
    overall.set_position(done as u64);
    let next = AtomicUsize::new(0);
    let first_error = Mutex::new(None);
    std::thread::scope(|scope| {
        for _ in 0..jobs.min(pending.len()) {
            scope.spawn(|| {
                while let Some(spec) = pending.get(next.fetch_add(1, Ordering::SeqCst)) {
                    let line = bars.add(ProgressBar::new(0));
                    line.set_style(style("  {prefix}: iteration {pos}/{len} {msg}"));
                    line.set_prefix(spec.label());
                    let dir = out.join(spec.dir());
                    let outcome = execute(spec, &dir, threads, line.clone())
                        .and_then(|result| write_result(&dir, &result).map(|()| result));
                    line.finish_and_clear();
                    bars.remove(&line);
                    match outcome {
                        Ok(result) => {
                            overall.inc(1);
                            bars.suspend(|| println!("{}", summary(spec, &result)));
                        }
                        Err(err) => {
                            let mut first = first_error.lock().unwrap_or_else(|e| e.into_inner());
                            first.get_or_insert(err);
                            break;
                        }
                    }
                }
            });
        }
    });
    overall.finish_and_clear();
    if let Some(err) = first_error.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(err);
    }
    suite
        .runs
        .iter()
        .map(|spec| {
            read_result(&out.join(spec.dir()))?
                .with_context(|| format!("{} has no result", spec.label()))
        })
        .collect()
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_bar())
        .progress_chars("=> ")
}

/// One line on a finished run.
fn summary(spec: &RunSpec, result: &RunResult) -> String {
    match (&result.error, result.normalized_score, result.return_mean) {
        (Some(err), _, _) => format!("{}: failed: {err}", spec.label()),
        (None, Some(score), _) => format!(
            "{}: normalised score {score:.3} ({:.1} s)",
            spec.label(),
            result.wall_s
        ),
        (None, None, ret) => format!(
            "{}: return {:.2} ({:.1} s)",
            spec.label(),
            ret.unwrap_or(f64::NAN),
            result.wall_s
        ),
    }
}

/// The result file of the run in `dir`, if it finished.
pub(super) fn read_result(dir: &Path) -> Result<Option<RunResult>> {
    let path = dir.join(RESULT_FILE);
    if !path.is_file() {
        return Ok(None);
    }
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    let mut result: RunResult = serde_json::from_str(&text)
        .with_context(|| format!("{} is not a bench result", path.display()))?;
    // A result of an earlier version names no variant: it is of the plain algorithm.
    if result.variant.is_empty() {
        result.variant = result.algorithm.name().to_string();
    }
    Ok(Some(result))
}

fn write_result(dir: &Path, result: &RunResult) -> Result<()> {
    let path = dir.join(RESULT_FILE);
    let json = serde_json::to_string_pretty(result)?;
    write_atomically(&path, |f| f.write_all(json.as_bytes()))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Trains and evaluates one run from scratch in `dir`. A training error is the run's result
/// (`failed`); only a failure to clear or write the bench's own files is an error.
fn execute(spec: &RunSpec, dir: &Path, threads: usize, line: ProgressBar) -> Result<RunResult> {
    if dir.exists() {
        std::fs::remove_dir_all(dir)
            .with_context(|| format!("cannot clear the unfinished run in {}", dir.display()))?;
    }
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let start = Instant::now();
    let progress = Progress::quiet(line);
    let trained = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        train(spec, dir, threads, &progress).and_then(|()| measure(spec, dir))
    }))
    .unwrap_or_else(|panic| {
        let what = panic
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(anyhow::anyhow!("training panicked: {what}"))
    });
    let wall_s = start.elapsed().as_secs_f64();
    let mut result = RunResult {
        task: spec.task.clone(),
        algorithm: spec.algorithm,
        variant: spec.name.clone(),
        demos: spec.demos,
        seed: spec.seed,
        status: Status::Failed,
        return_mean: None,
        return_std: None,
        normalized_score: None,
        cost_pearson: None,
        cost_spearman: None,
        reopt_normalized_score: None,
        reopt_changed_env: None,
        reopt_changed_normalized_score: None,
        wall_s,
        env_steps: None,
        error: None,
    };
    match trained {
        Ok(measured) => {
            result.status = Status::Ok;
            measured.fill(&mut result);
        }
        Err(err) => result.error = Some(format!("{err:#}").replace('\n', " ")),
    }
    Ok(result)
}

/// The settings of one run, for its method.
enum Prepared {
    Bc(bc::Settings),
    MaxEnt(maxent_irl::Settings),
    Gcl(Box<gcl::Settings>),
}

/// The settings of `spec`: the library's defaults for the task, the suite's budgets, then the
/// settings its variant changes.
fn prepare(spec: &RunSpec) -> Result<Prepared> {
    let (env, demos) = (spec.task.as_str(), &spec.demo_file);
    let set = &spec.set;
    Ok(match spec.algorithm {
        Algorithm::Bc => {
            let mut s = bc::Settings::new(env, demos, spec.seed);
            s.num_demos = Some(spec.demos);
            s.eval_episodes = spec.eval_episodes;
            s.bc = s.bc.epochs(spec.epochs);
            Prepared::Bc(settings::with_values(s, set)?)
        }
        Algorithm::MaxentIrl => {
            let mut s = maxent_irl::Settings::new(env, demos);
            s.num_demos = Some(spec.demos);
            s.seed = spec.seed;
            Prepared::MaxEnt(settings::with_values(s, set)?)
        }
        Algorithm::Gcl | Algorithm::GclTraj | Algorithm::GclSegment | Algorithm::GclTransition => {
            let mut s = gcl::Settings::for_task(env, demos, Some(spec.demos), spec.seed)?;
            s.iterations = spec.iterations;
            // `measure` evaluates the run with `eval`'s own code, return included.
            s.eval_episodes = 0;
            let granularity = &mut s.learner.gcl.granularity;
            match spec.algorithm {
                Algorithm::GclTraj => *granularity = Granularity::Traj,
                Algorithm::GclSegment => *granularity = Granularity::Segment { len: SEGMENT_LEN },
                Algorithm::GclTransition => *granularity = Granularity::Transition,
                _ => {}
            }
            Prepared::Gcl(Box::new(settings::with_values(s, set)?))
        }
    })
}

/// Checks that every variant of `suite` changes settings its method has, before any run starts.
pub fn check(suite: &Suite) -> Result<()> {
    for spec in suite.runs.iter().filter(|s| !s.set.is_empty()) {
        prepare(spec).with_context(|| {
            format!(
                "suite {}: variant `{}` on `{}`",
                suite.name, spec.name, spec.task
            )
        })?;
    }
    Ok(())
}

/// Trains `spec` into `dir` through its method's seam.
fn train(spec: &RunSpec, dir: &Path, threads: usize, progress: &Progress) -> Result<()> {
    let run = RunOptions {
        force: true,
        threads: Some(threads),
        ..RunOptions::new(dir)
    };
    match prepare(spec)? {
        Prepared::Bc(s) => bc::Bc::train(&s, &run, progress),
        Prepared::MaxEnt(s) => maxent_irl::MaxEnt::train(&s, &run, progress),
        Prepared::Gcl(s) => gcl::Gcl::train(&s, &run, progress),
    }
}

/// What a trained run's files say about it.
struct Measured {
    evaluation: serde_json::Value,
    env_steps: Option<u64>,
}

impl Measured {
    fn fill(&self, result: &mut RunResult) {
        let number = |key: &str| self.evaluation.get(key).and_then(serde_json::Value::as_f64);
        result.return_mean = number("return_mean");
        result.return_std = number("return_std");
        result.normalized_score = number("normalized_score");
        result.cost_pearson = number("cost_pearson");
        result.cost_spearman = number("cost_spearman");
        result.reopt_normalized_score = number("reopt_normalized_score");
        result.reopt_changed_env = self
            .evaluation
            .get("reopt_changed_env")
            .and_then(serde_json::Value::as_str)
            .map(String::from);
        result.reopt_changed_normalized_score = number("reopt_changed_normalized_score");
        result.env_steps = self.env_steps;
    }
}

/// Evaluates a GCL run's learned cost, then reads the run's `eval.json` (as JSON, so keys other
/// versions add or lack are fine) and, for GCL, its training env steps (the last `env_steps` of
/// `metrics.csv`).
fn measure(spec: &RunSpec, dir: &Path) -> Result<Measured> {
    if spec.algorithm.is_gcl() {
        // The learned cost's quality (its correlation with the true cost on held-out steps, its
        // plot, and re-optimisation when the suite asks for it) is measured by `costlearn eval`.
        let reopt = spec.reopt.then(Reopt::default);
        evaluate_dir(dir, evaluation::SEED, spec.eval_episodes, reopt.as_ref())?;
    }
    let path = dir.join(EVAL_FILE);
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("the run wrote no {}", path.display()))?;
    let evaluation = serde_json::from_str(&text)
        .with_context(|| format!("{} is not valid JSON", path.display()))?;
    let env_steps = if spec.algorithm.is_gcl() {
        let column = crate::metrics::read(&dir.join(METRICS_FILE))?.column("env_steps");
        column.last().map(|&steps| steps as u64)
    } else {
        None
    };
    Ok(Measured {
        evaluation,
        env_steps,
    })
}
