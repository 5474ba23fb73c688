//! Benchmark suites: TOML files listing tasks, algorithms, demonstration counts and seeds. The
//! built-in ones are embedded in the binary; a user's own is read from its path.

use super::variant::{expand, Sweep, SweepFile, VariantFile};
use anyhow::{bail, Context, Result};
use costlearn_envs::registry;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::path::{Path, PathBuf};

/// The suites built into the binary, by name.
const BUILT_IN: [(&str, &str); 4] = [
    ("quick", include_str!("suites/quick.toml")),
    ("standard", include_str!("suites/standard.toml")),
    ("transfer", include_str!("suites/transfer.toml")),
    ("ablation", include_str!("suites/ablation.toml")),
];
// Unless the suite says otherwise, runs take the methods' own defaults: GCL iterations, BC epochs
// and evaluation episodes as `train gcl`, `train bc` and `eval` take them.
use crate::evaluation::DEFAULT_EPISODES as DEFAULT_EVAL_EPISODES;
use crate::methods::bc::DEFAULT_EPOCHS;
use crate::methods::gcl::default_iterations;

/// Bootstrap resamples behind each interval of a report's aggregates, unless the suite says.
pub const DEFAULT_RESAMPLES: usize = 2000;

/// Steps per discriminator segment of [`Algorithm::GclSegment`].
pub const SEGMENT_LEN: usize = 10;

/// A learning algorithm of a suite.
#[derive(Clone, Copy, Debug, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    /// Guided cost learning with the defaults of `train gcl`.
    Gcl,
    /// Guided cost learning, one discriminator logit per trajectory.
    GclTraj,
    /// Guided cost learning, one discriminator logit per segment of [`SEGMENT_LEN`] steps.
    GclSegment,
    /// Guided cost learning, one discriminator logit per transition.
    GclTransition,
    /// Behavioral cloning.
    Bc,
    /// Exact maximum-entropy IRL of a linear cost (tabular tasks only).
    MaxentIrl,
}

impl Algorithm {
    /// Whether it is guided cost learning (in any mode).
    pub fn is_gcl(self) -> bool {
        matches!(
            self,
            Self::Gcl | Self::GclTraj | Self::GclSegment | Self::GclTransition
        )
    }

    /// The algorithm of the suite-file spelling `name`.
    pub fn named(name: &str) -> Option<Self> {
        [
            Self::Gcl,
            Self::GclTraj,
            Self::GclSegment,
            Self::GclTransition,
            Self::Bc,
            Self::MaxentIrl,
        ]
        .into_iter()
        .find(|a| a.name() == name)
    }

    /// The suite-file spelling.
    pub fn name(self) -> &'static str {
        match self {
            Self::Gcl => "gcl",
            Self::GclTraj => "gcl-traj",
            Self::GclSegment => "gcl-segment",
            Self::GclTransition => "gcl-transition",
            Self::Bc => "bc",
            Self::MaxentIrl => "maxent-irl",
        }
    }
}

impl fmt::Display for Algorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Per-run settings a suite may set at the top level and override per task.
#[derive(Clone, Copy, Debug)]
struct Settings {
    /// GCL iterations.
    iterations: Option<usize>,
    /// Largest number of BC epochs.
    epochs: Option<usize>,
    /// Evaluation episodes (sampled algorithms; MaxEnt IRL is evaluated exactly).
    eval_episodes: Option<usize>,
    /// Re-optimise a fresh policy on each learned cost (see `costlearn eval --reopt`).
    reopt: Option<bool>,
}

/// A suite file as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct SuiteFile {
    name: String,
    #[serde(default)]
    description: String,
    seeds: Vec<u64>,
    demos: Vec<usize>,
    algorithms: Vec<Algorithm>,
    iterations: Option<usize>,
    epochs: Option<usize>,
    eval_episodes: Option<usize>,
    reopt: Option<bool>,
    /// Bootstrap resamples behind each interval of the report's aggregates across tasks.
    bootstrap_resamples: Option<usize>,
    #[serde(rename = "task")]
    tasks: Vec<TaskFile>,
    #[serde(default, rename = "variant")]
    variants: Vec<VariantFile>,
    #[serde(default, rename = "sweep")]
    sweeps: Vec<SweepFile>,
}

/// One `[[task]]` table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TaskFile {
    name: toml::Spanned<String>,
    /// Demonstration file (default `demos/<name>.npz`, relative to the working directory).
    demo_file: Option<PathBuf>,
    demos: Option<Vec<usize>>,
    algorithms: Option<Vec<Algorithm>>,
    iterations: Option<usize>,
    epochs: Option<usize>,
    eval_episodes: Option<usize>,
    reopt: Option<bool>,
}

/// One run of a suite: an algorithm on a task with the first `demos` demonstrations and a seed.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSpec {
    /// The task.
    pub task: String,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// The algorithm's name, or that of the variant of it the run trains.
    pub name: String,
    /// The settings the variant changes (key path and value), none for a plain algorithm.
    pub set: Vec<(String, serde_json::Value)>,
    /// Demonstrations trained on (the first ones of the file).
    pub demos: usize,
    /// Seed of the run, from the suite.
    pub seed: u64,
    /// The demonstration file.
    pub demo_file: PathBuf,
    /// GCL iterations.
    pub iterations: usize,
    /// Largest number of BC epochs.
    pub epochs: usize,
    /// Evaluation episodes.
    pub eval_episodes: usize,
    /// Whether a learned cost is re-optimised on (the task and its changed variant).
    pub reopt: bool,
}

impl RunSpec {
    /// The run's directory, relative to the bench's output folder.
    pub fn dir(&self) -> PathBuf {
        Path::new("runs")
            .join(&self.task)
            .join(&self.name)
            .join(format!("demos-{}", self.demos))
            .join(format!("seed-{}", self.seed))
    }

    /// `task algorithm, N demos, seed S`.
    pub fn label(&self) -> String {
        format!(
            "{} {}, {} demos, seed {}",
            self.task, self.name, self.demos, self.seed
        )
    }
}

/// A parsed and checked suite.
#[derive(Clone, Debug)]
pub struct Suite {
    /// Its name (the default output folder is `bench-out/<name>`).
    pub name: String,
    /// One line on what it runs.
    pub description: String,
    /// Its seeds.
    pub seeds: Vec<u64>,
    /// Its tasks, in file order.
    pub tasks: Vec<String>,
    /// Every run, task by task, then algorithm (variants after the built-in ones), demonstration
    /// count and seed.
    pub runs: Vec<RunSpec>,
    /// Its sweeps, each over the variants it expanded to.
    pub sweeps: Vec<Sweep>,
    /// Bootstrap resamples behind each interval of the aggregates across tasks.
    pub bootstrap_resamples: usize,
    /// The TOML text it was read from.
    pub text: String,
}

impl Suite {
    /// The built-in suite `name`, or the suite file at that path.
    pub fn load(name_or_path: &str) -> Result<Self> {
        if let Some((_, text)) = BUILT_IN.iter().find(|(name, _)| *name == name_or_path) {
            return Self::parse(text, name_or_path);
        }
        let path = Path::new(name_or_path);
        if !path.is_file() {
            let names: Vec<&str> = BUILT_IN.iter().map(|(name, _)| *name).collect();
            bail!(
                "no suite `{name_or_path}`: give a built-in suite ({}) or a suite file (.toml)",
                names.join(", ")
            );
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Self::parse(&text, name_or_path)
    }

    /// Parses and checks the suite `text`; errors name `origin` and the offending line.
    pub fn parse(text: &str, origin: &str) -> Result<Self> {
        let file: SuiteFile = toml::from_str(text).map_err(|err| {
            let message = err.message().replace('\n', " ");
            match err.span() {
                Some(span) => anyhow::anyhow!(
                    "suite {origin}, line {}: {message}",
                    line_of(text, span.start)
                ),
                None => anyhow::anyhow!("suite {origin}: {message}"),
            }
        })?;
        let top = Settings {
            iterations: file.iterations,
            epochs: file.epochs,
            eval_episodes: file.eval_episodes,
            reopt: file.reopt,
        };
        if file.bootstrap_resamples == Some(0) {
            bail!("suite {origin}: `bootstrap_resamples` must be at least 1");
        }
        if file.seeds.is_empty() {
            bail!("suite {origin}: `seeds` must list at least one seed");
        }
        if file.tasks.is_empty() {
            bail!("suite {origin}: it has no [[task]]");
        }
        let (variants, sweeps) = expand(file.variants, file.sweeps)
            .map_err(|e| anyhow::anyhow!("suite {origin}: {e}"))?;
        let mut runs = Vec::new();
        let mut tasks = Vec::new();
        for task in &file.tasks {
            let name = task.name.get_ref();
            let at = format!(
                "suite {origin}, line {}",
                line_of(text, task.name.span().start)
            );
            registry::lookup(name).with_context(|| at.clone())?;
            let demos = task.demos.as_ref().unwrap_or(&file.demos);
            let algorithms = task.algorithms.as_ref().unwrap_or(&file.algorithms);
            if demos.is_empty() || demos.contains(&0) {
                bail!("{at}: task `{name}` needs demonstration counts of at least 1");
            }
            if algorithms.is_empty() {
                bail!("{at}: task `{name}` has no algorithms");
            }
            let settings = Settings {
                iterations: task.iterations.or(top.iterations),
                epochs: task.epochs.or(top.epochs),
                eval_episodes: task.eval_episodes.or(top.eval_episodes),
                reopt: task.reopt.or(top.reopt),
            };
            if [settings.iterations, settings.epochs, settings.eval_episodes].contains(&Some(0)) {
                bail!("{at}: iterations, epochs and eval_episodes must be at least 1");
            }
            let demo_file = task
                .demo_file
                .clone()
                .unwrap_or_else(|| Path::new("demos").join(format!("{name}.npz")));
            tasks.push(name.clone());
            let entries = algorithms
                .iter()
                .map(|&a| (a, a.name().to_string(), Vec::new()))
                .chain(
                    variants
                        .iter()
                        .map(|v| (v.method, v.name.clone(), v.set.clone())),
                );
            for (algorithm, entry, set) in entries {
                for &count in demos {
                    for &seed in &file.seeds {
                        runs.push(RunSpec {
                            task: name.clone(),
                            algorithm,
                            name: entry.clone(),
                            set: set.clone(),
                            demos: count,
                            seed,
                            demo_file: demo_file.clone(),
                            iterations: settings
                                .iterations
                                .unwrap_or_else(|| default_iterations(name, Some(count))),
                            epochs: settings.epochs.unwrap_or(DEFAULT_EPOCHS),
                            eval_episodes: settings.eval_episodes.unwrap_or(DEFAULT_EVAL_EPISODES),
                            reopt: settings.reopt.unwrap_or(false),
                        });
                    }
                }
            }
        }
        Ok(Self {
            name: file.name,
            description: file.description,
            seeds: file.seeds,
            tasks,
            runs,
            sweeps,
            bootstrap_resamples: file.bootstrap_resamples.unwrap_or(DEFAULT_RESAMPLES),
            text: text.to_string(),
        })
    }
}

/// The 1-based line of byte `offset` in `text`.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_suites_parse_into_their_runs() {
        let quick = Suite::load("quick").unwrap();
        assert_eq!(
            quick.tasks,
            ["pendulum", "reacher", "gridworld", "objectworld"]
        );
        // Control tasks: 2 algorithms × 2 counts; tabular ones: 3 × 2; one seed.
        assert_eq!(quick.runs.len(), 2 * 2 * 2 + 2 * 3 * 2);
        let standard = Suite::load("standard").unwrap();
        assert_eq!(standard.seeds, [0, 1, 2]);
        // Five continuous tasks with 3 algorithms, two tabular ones with 4; 3 counts; 3 seeds.
        assert_eq!(standard.runs.len(), (5 * 3 + 2 * 4) * 3 * 3);
        let reopt: Vec<&str> = standard
            .runs
            .iter()
            .filter(|r| r.reopt)
            .map(|r| r.task.as_str())
            .collect();
        assert!(!reopt.is_empty() && reopt.iter().all(|t| ["pendulum", "reacher"].contains(t)));
        let cartpole = standard.runs.iter().find(|r| r.task == "cartpole").unwrap();
        assert_eq!(cartpole.iterations, 150, "cartpole's own default");
        let navigation: Vec<(usize, usize)> = standard
            .runs
            .iter()
            .filter(|r| r.task == "navigation" && r.algorithm == Algorithm::Gcl && r.seed == 0)
            .map(|r| (r.demos, r.iterations))
            .collect();
        assert_eq!(
            navigation,
            [(1, 100), (4, 150), (16, 150)],
            "navigation's own defaults"
        );
        let run = &quick.runs[0];
        assert_eq!(
            run.dir(),
            Path::new("runs/pendulum/gcl-transition/demos-1/seed-0")
        );
        assert_eq!(run.iterations, crate::methods::gcl::DEFAULT_ITERATIONS);

        let transfer = Suite::load("transfer").unwrap();
        assert_eq!(transfer.runs.len(), 4 * 3);
        assert!(transfer
            .runs
            .iter()
            .all(|r| r.reopt && r.algorithm == Algorithm::Gcl && r.demos == 16));
        let cartpole: Vec<usize> = transfer
            .runs
            .iter()
            .filter(|r| r.task == "cartpole")
            .map(|r| r.iterations)
            .collect();
        assert_eq!(cartpole, [150; 3]);

        // Each lever is one variant of GCL next to GCL's defaults and BC, on three tasks.
        let ablation = Suite::load("ablation").unwrap();
        assert_eq!(ablation.tasks, ["pendulum", "reacher", "cartpole"]);
        let mut names: Vec<&str> = ablation.runs.iter().map(|r| r.name.as_str()).collect();
        names.dedup();
        assert_eq!(names.len(), 3 * 10, "{names:?}");
        assert_eq!(ablation.runs.len(), 3 * 10 * 3);
        assert!(ablation.runs.iter().all(|r| r.reopt && r.demos == 16));
    }

    #[test]
    fn task_settings_override_the_suite_s() {
        let text = "name = \"t\"\nseeds = [3]\ndemos = [2]\nalgorithms = [\"bc\"]\nepochs = 5\n\
                    [[task]]\nname = \"pendulum\"\nepochs = 7\ndemos = [1, 4]\n";
        let suite = Suite::parse(text, "t.toml").unwrap();
        let counts: Vec<usize> = suite.runs.iter().map(|r| r.demos).collect();
        assert_eq!(counts, [1, 4]);
        assert!(suite.runs.iter().all(|r| r.epochs == 7 && r.seed == 3));
        assert_eq!(suite.runs[0].demo_file, Path::new("demos/pendulum.npz"));
    }

    #[test]
    fn mistakes_name_their_line() {
        let head = "name = \"t\"\nseeds = [0]\ndemos = [1]\n";
        let cases = [
            (
                "algorithms = [\"gail\"]\n[[task]]\nname = \"pendulum\"\n",
                4,
                "gail",
            ),
            (
                "algorithms = [\"bc\"]\n[[task]]\nname = \"pendulum\"\nepoch = 3\n",
                7,
                "epoch",
            ),
            (
                "algorithms = [\"bc\"]\n[[task]]\nname = \"pendlum\"\n",
                6,
                "pendlum",
            ),
        ];
        for (tail, line, needle) in cases {
            let err = format!(
                "{:#}",
                Suite::parse(&format!("{head}{tail}"), "s.toml").unwrap_err()
            );
            assert!(err.contains(&format!("s.toml, line {line}")), "{err}");
            assert!(err.contains(needle) && !err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn variants_and_sweeps_follow_the_algorithms_of_every_task() {
        let text = "name = \"v\"\nseeds = [0, 1]\ndemos = [4]\nalgorithms = [\"bc\"]\n\
                    [[task]]\nname = \"pendulum\"\n[[task]]\nname = \"reacher\"\n\
                    [[variant]]\nname = \"gcl-a1\"\nmethod = \"gcl\"\nset = { learner.gcl.alpha = 1.0 }\n\
                    [[sweep]]\nmethod = \"gcl\"\nkey = \"learner.gcl.disc_steps\"\nvalues = [3, 30]\n";
        let suite = Suite::parse(text, "v.toml").unwrap();
        // Per task: bc, the variant and two swept variants; two seeds each.
        assert_eq!(suite.runs.len(), 2 * 4 * 2);
        let names: Vec<&str> = suite
            .runs
            .iter()
            .take(8)
            .step_by(2)
            .map(|r| r.name.as_str())
            .collect();
        assert_eq!(
            names,
            ["bc", "gcl-a1", "gcl-disc_steps=3", "gcl-disc_steps=30"]
        );
        let a1 = &suite.runs[2];
        assert_eq!(a1.algorithm, Algorithm::Gcl);
        assert_eq!(
            a1.set,
            [("learner.gcl.alpha".to_string(), serde_json::json!(1.0))]
        );
        assert_eq!(a1.dir(), Path::new("runs/pendulum/gcl-a1/demos-4/seed-0"));
        assert_eq!(suite.sweeps.len(), 1);
        assert_eq!(
            suite.sweeps[0].points[1],
            (Some(30.0), "gcl-disc_steps=30".to_string())
        );

        let taken = text.replace("gcl-a1", "bc");
        let err = format!("{:#}", Suite::parse(&taken, "v.toml").unwrap_err());
        assert!(err.contains("variant name `bc` is taken"), "{err}");
        let bad = text.replace("gcl-a1", "a/b");
        let err = format!("{:#}", Suite::parse(&bad, "v.toml").unwrap_err());
        assert!(err.contains("run folders"), "{err}");
    }
}
