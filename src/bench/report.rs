//! The report of a bench: `results.csv` (one row per run), `report.md` and a self-contained
//! `report.html` (inline SVG), with their plots under `plots/`.

use super::across_tasks;
use super::aggregate::MeanStd;
use super::document::{self, Block};
use super::glance;
use super::runner::{RunResult, Status};
use super::suite::{Algorithm, Suite};
use super::variant::Sweep;
use crate::evaluation::anchors;
use crate::metrics;
use crate::plot::{line_chart_svg, Chart, Series};
use crate::run_dir::{csv_text, METRICS_FILE};
use anyhow::{Context, Result};
use costlearn_envs::atomic::write_atomically;
use std::fmt::Write as _;
use std::io::Write;
use std::path::Path;

/// Name of the learned-vs-true-cost picture a run directory may hold.
pub const COST_PLOT_FILE: &str = "cost_vs_true.svg";

/// What ran where: the facts a reader needs to reproduce or compare a bench.
#[derive(Clone, Debug)]
pub struct Provenance {
    /// The command that reproduces the bench.
    pub command: String,
    /// CPU model, cores and operating system.
    pub machine: String,
    /// costlearn version, rustc and git commit where available.
    pub versions: String,
}

impl Provenance {
    /// The facts of this machine, for `command`.
    pub fn here(command: String) -> Self {
        let cpu = std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|text| {
                text.lines()
                    .find(|l| l.starts_with("model name"))
                    .and_then(|l| l.split(':').nth(1))
                    .map(|m| m.trim().to_string())
            })
            .unwrap_or_else(|| "unknown CPU".into());
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let machine = format!(
            "{cpu}, {cores} cores, {} {}",
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        let tool = |program: &str, args: &[&str]| {
            std::process::Command::new(program)
                .args(args)
                .output()
                .ok()
                .filter(|out| out.status.success())
                .map(|out| String::from_utf8_lossy(&out.stdout).trim().to_string())
        };
        let mut versions = format!("costlearn {}", env!("CARGO_PKG_VERSION"));
        if let Some(rustc) = tool("rustc", &["--version"]) {
            let _ = write!(versions, "; {rustc}");
        }
        if let Some(commit) = tool("git", &["describe", "--always", "--dirty"]) {
            let _ = write!(versions, "; git {commit}");
        }
        Self {
            command,
            machine,
            versions,
        }
    }
}

/// The runs of one task × algorithm (or variant) × demonstration count, aggregated over seeds.
struct Group<'a> {
    task: &'a str,
    algorithm: Algorithm,
    /// The algorithm's name, or its variant's.
    name: &'a str,
    demos: usize,
    runs: Vec<&'a RunResult>,
}

impl Group<'_> {
    fn stat(&self, value: impl Fn(&RunResult) -> Option<f64>) -> MeanStd {
        MeanStd::of(self.runs.iter().map(|r| value(r)))
    }

    fn failed(&self) -> usize {
        self.runs
            .iter()
            .filter(|r| r.status == Status::Failed)
            .count()
    }
}

/// Groups `results` by task, algorithm and demonstration count, in suite order.
fn groups(results: &[RunResult]) -> Vec<Group<'_>> {
    let mut groups: Vec<Group<'_>> = Vec::new();
    for r in results {
        match groups
            .iter_mut()
            .find(|g| g.task == r.task && g.name == r.variant && g.demos == r.demos)
        {
            Some(g) => g.runs.push(r),
            None => groups.push(Group {
                task: &r.task,
                algorithm: r.algorithm,
                name: &r.variant,
                demos: r.demos,
                runs: vec![r],
            }),
        }
    }
    groups
}

/// One plot of the report: its file under `plots/` (or a run directory) and its SVG text.
struct Plot {
    path: String,
    svg: String,
}

/// Writes `results.csv`, the plots, `report.md` and `report.html` into `out`.
pub fn write(out: &Path, suite: &Suite, results: &[RunResult], context: &Provenance) -> Result<()> {
    write_file(&out.join("results.csv"), csv_text(results).as_bytes())?;
    let groups = groups(results);
    let across = across_tasks::rows(suite, results, suite.bootstrap_resamples);
    let figure = glance::iqm_figure(&across).map(|svg| (glance::FIGURE.to_string(), svg));
    let mut plots: Vec<Plot> = figure
        .into_iter()
        .chain(across_tasks::profile_plots(&across))
        .map(|(path, svg)| Plot { path, svg })
        .collect();
    plots.extend(self::plots(out, suite, results, &groups)?);
    for plot in plots.iter().filter(|p| p.path.starts_with("plots/")) {
        write_file(&out.join(&plot.path), plot.svg.as_bytes())?;
    }
    let (md, html) = documents(suite, results, &groups, &across, &plots, context)?;
    write_file(&out.join("report.md"), md.as_bytes())?;
    write_file(&out.join("report.html"), html.as_bytes())
}

fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("cannot create {}", parent.display()))?;
    }
    write_atomically(path, |f| f.write_all(bytes))
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Score vs demonstrations and learning curves per task; learned vs true cost where runs drew it.
fn plots(
    out: &Path,
    suite: &Suite,
    results: &[RunResult],
    groups: &[Group<'_>],
) -> Result<Vec<Plot>> {
    let mut plots = Vec::new();
    for task in &suite.tasks {
        let mine: Vec<&Group<'_>> = groups.iter().filter(|g| g.task == task).collect();
        let mut algorithms: Vec<(Algorithm, &str)> =
            mine.iter().map(|g| (g.algorithm, g.name)).collect();
        algorithms.dedup();
        let mut series: Vec<Series> = algorithms
            .iter()
            .map(|&(_, name)| {
                score_series(
                    name,
                    mine.iter()
                        .filter(|g| g.name == name)
                        .map(|g| (g.demos as f64, *g)),
                )
            })
            .collect();
        let counts: Vec<f64> = mine.iter().map(|g| g.demos as f64).collect();
        let (lo, hi) = counts
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &c| {
                (lo.min(c), hi.max(c))
            });
        for (name, level) in [("expert", 1.0), ("random", 0.0)] {
            series.push(Series::new(name, vec![(lo, level), (hi, level)]));
        }
        let title = format!("{task}: normalised score vs demonstrations");
        let chart = Chart {
            title: &title,
            x_label: "demonstrations",
            y_label: SCORE_AXIS,
            log_x: true,
        };
        if let Ok(svg) = line_chart_svg(&chart, &series) {
            plots.push(Plot {
                path: format!("plots/score-{task}.svg"),
                svg,
            });
        }
        for &(algorithm, name) in &algorithms {
            let (x, y, y_label) = match algorithm {
                gcl if gcl.is_gcl() => ("env_steps", "true_return", "mean true return per episode"),
                Algorithm::Bc => ("epoch", "heldout_nll", "held-out negative log-likelihood"),
                _ => ("iteration", "dual_objective", "dual objective"),
            };
            let first_seed = suite.seeds[0];
            let runs = results.iter().filter(|r| {
                r.task == *task
                    && r.variant == name
                    && r.seed == first_seed
                    && r.status == Status::Ok
            });
            let mut curves = Vec::new();
            for r in runs {
                let dir = out.join(run_dir(r));
                if let Ok(table) = metrics::read(&dir.join(METRICS_FILE)) {
                    curves.push(Series::new(
                        format!("{} demos", r.demos),
                        table.column(x).into_iter().zip(table.column(y)).collect(),
                    ));
                }
                let cost_plot = dir.join(COST_PLOT_FILE);
                if let Ok(svg) = std::fs::read_to_string(&cost_plot) {
                    plots.push(Plot {
                        path: format!("{}/{COST_PLOT_FILE}", run_dir(r)),
                        svg,
                    });
                }
            }
            let title = format!("{task}, {name}: learning curves (seed {first_seed})");
            let chart = Chart {
                title: &title,
                x_label: x,
                y_label,
                log_x: false,
            };
            if let Ok(svg) = line_chart_svg(&chart, &curves) {
                plots.push(Plot {
                    path: format!("plots/curves-{task}-{name}.svg"),
                    svg,
                });
            }
        }
    }
    for sweep in &suite.sweeps {
        plots.extend(sweep_plot(suite, sweep, groups));
    }
    Ok(plots)
}

/// The vertical axis of the score plots.
const SCORE_AXIS: &str = "normalised score (mean ± std over seeds)";

/// The normalised score of each group at its `x`, with its standard deviation over seeds.
fn score_series<'a>(name: &str, groups: impl Iterator<Item = (f64, &'a Group<'a>)>) -> Series {
    let (points, bounds) = groups
        .map(|(x, g)| {
            let score = g.stat(|r| r.normalized_score);
            let std = score.std.unwrap_or(f64::NAN);
            ((x, score.mean), (score.mean - std, score.mean + std))
        })
        .unzip();
    Series::new(name, points).with_bounds(bounds)
}

/// For a sweep over numbers: the normalised score (mean ± std over seeds) against the swept
/// value, one line per task and demonstration count.
fn sweep_plot(suite: &Suite, sweep: &Sweep, groups: &[Group<'_>]) -> Option<Plot> {
    let mut series = Vec::new();
    for task in &suite.tasks {
        let mut counts: Vec<usize> = groups
            .iter()
            .filter(|g| g.task == task)
            .map(|g| g.demos)
            .collect();
        counts.sort_unstable();
        counts.dedup();
        for demos in counts {
            let line = score_series(
                &format!("{task}, {demos} demos"),
                sweep.points.iter().filter_map(|(value, name)| {
                    let g = groups
                        .iter()
                        .find(|g| g.task == task && g.name == name && g.demos == demos)?;
                    Some(((*value)?, g))
                }),
            );
            if line.points.iter().any(|(_, y)| y.is_finite()) {
                series.push(line);
            }
        }
    }
    let title = format!("normalised score vs {}", sweep.key);
    let chart = Chart {
        title: &title,
        x_label: &sweep.key,
        y_label: SCORE_AXIS,
        log_x: false,
    };
    let svg = line_chart_svg(&chart, &series).ok()?;
    Some(Plot {
        path: format!("plots/sweep-{}.svg", sweep.key),
        svg,
    })
}

/// A run's directory relative to the bench's folder, with `/` separators.
fn run_dir(r: &RunResult) -> String {
    format!(
        "runs/{}/{}/demos-{}/seed-{}",
        r.task, r.variant, r.demos, r.seed
    )
}

/// The table's rows: expert and random anchors, then every group, per task.
fn table(suite: &Suite, groups: &[Group<'_>]) -> Result<Vec<[String; 11]>> {
    let mut rows = Vec::new();
    for task in &suite.tasks {
        let demos = suite
            .runs
            .iter()
            .find(|r| r.task == *task)
            .map(|r| r.demo_file.as_path());
        match anchors::resolve(task, demos)? {
            Ok(found) => {
                let a = found.anchors;
                for (name, ret, score) in [
                    ("expert", a.expert_return_mean, "1.000"),
                    ("random", a.random_return_mean, "0.000"),
                ] {
                    let mut row: [String; 11] = Default::default();
                    row[0] = task.clone();
                    row[1] = format!("{name} (anchor)");
                    row[3] = score.into();
                    row[4] = format!("{ret:.2}");
                    rows.push(row);
                }
            }
            Err(why) => {
                let mut row: [String; 11] = Default::default();
                row[0] = task.clone();
                row[1] = "(no anchors)".into();
                row[3] = format!("no normalised score: {why}");
                rows.push(row);
            }
        }
        for g in groups.iter().filter(|g| g.task == task) {
            rows.push([
                task.clone(),
                g.name.to_string(),
                g.demos.to_string(),
                g.stat(|r| r.normalized_score).format(3),
                g.stat(|r| r.return_mean).format(2),
                g.stat(|r| r.cost_pearson).format(3),
                g.stat(|r| r.cost_spearman).format(3),
                g.stat(|r| r.reopt_normalized_score).format(3),
                g.stat(|r| r.reopt_changed_normalized_score).format(3),
                format!("{}/{}", g.runs.len() - g.failed(), g.runs.len()),
                g.stat(|r| Some(r.wall_s)).format(1),
            ]);
        }
    }
    Ok(rows)
}

const COLUMNS: [&str; 11] = [
    "task",
    "algorithm",
    "demos",
    "normalised score",
    "return",
    "cost Pearson",
    "cost Spearman",
    "re-optimised score",
    "re-optimised, changed task",
    "runs ok",
    "s per run",
];

/// The Markdown and HTML documents.
fn documents(
    suite: &Suite,
    results: &[RunResult],
    groups: &[Group<'_>],
    across: &[across_tasks::Row],
    plots: &[Plot],
    context: &Provenance,
) -> Result<(String, String)> {
    let strings = |v: &[&str]| -> Vec<String> { v.iter().map(|c| c.to_string()).collect() };
    let seeds: Vec<String> = suite.seeds.iter().map(u64::to_string).collect();
    let total_s: f64 = results.iter().map(|r| r.wall_s).sum();
    let failed: Vec<&RunResult> = results
        .iter()
        .filter(|r| r.status == Status::Failed)
        .collect();
    let (compact_columns, compact_rows) = glance::compact_table(suite, results);

    let mut blocks = vec![Block::Paragraph(format!(
        "{}. {}",
        suite.description,
        glance::summary(across)
    ))];
    let figures = |wanted: fn(&str) -> bool| -> Vec<Block> {
        plots
            .iter()
            .filter(|p| wanted(&p.path))
            .map(|p| Block::Figure(p.path.clone(), p.svg.clone()))
            .collect()
    };
    blocks.extend(figures(|path| path == glance::FIGURE));
    blocks.extend([
        Block::Heading("Per task".into()),
        Block::Paragraph(
            "Normalised score `(R − R_random) / (R_expert − R_random)`, mean over seeds: 1 is the \
             expert, 0 the uniform-random policy. Columns are algorithm, demonstrations."
                .into(),
        ),
        Block::Table(compact_columns, compact_rows),
        Block::Heading("Across tasks".into()),
        Block::Paragraph(ACROSS_TEXT.into()),
        Block::Table(strings(&across_tasks::COLUMNS), across_tasks::cells(across)),
    ]);
    blocks.extend(figures(|path| path.starts_with(PROFILES)));
    blocks.extend([
        Block::Heading("Per task, algorithm and demonstration count".into()),
        Block::Paragraph(
            "Normalised score and true return, mean ± standard deviation over seeds; learned-cost \
             quality where the evaluation measures it. Every raw number is in `results.csv`."
                .into(),
        ),
        Block::Table(
            strings(&COLUMNS),
            table(suite, groups)?.into_iter().map(Vec::from).collect(),
        ),
        Block::Heading("Plots".into()),
    ]);
    blocks.extend(figures(|path| {
        path != glance::FIGURE && !path.starts_with(PROFILES)
    }));
    blocks.extend([
        Block::Heading("Every run".into()),
        Block::Table(strings(&RUN_COLUMNS), results.iter().map(run_row).collect()),
        Block::Heading("Failed runs".into()),
        Block::List(if failed.is_empty() {
            vec!["None.".into()]
        } else {
            failed
                .iter()
                .map(|r| {
                    format!(
                        "{} {}, {} demos, seed {}: {}",
                        r.task,
                        r.variant,
                        r.demos,
                        r.seed,
                        r.error.as_deref().unwrap_or("")
                    )
                })
                .collect()
        }),
        Block::Heading("Provenance".into()),
        Block::List(vec![
            format!("**Suite**: {}: {}", suite.name, suite.description),
            format!("**Reproduce**: `{}`", context.command),
            format!("**Seeds**: {}", seeds.join(", ")),
            format!("**Machine**: {}", context.machine),
            format!("**Versions**: {}", context.versions),
            format!(
                "**Runs**: {} ({} failed), {total_s:.0} s of run time in all",
                results.len(),
                failed.len()
            ),
        ]),
    ]);
    let title = format!("costlearn bench: {}", suite.name);
    Ok((
        document::markdown(&title, &blocks),
        document::html(&title, &blocks),
    ))
}

/// Where the performance profiles' files start.
const PROFILES: &str = "plots/profile-";

/// The columns of the table of every run.
const RUN_COLUMNS: [&str; 9] = [
    "task",
    "algorithm",
    "demos",
    "seed",
    "status",
    "normalised score",
    "re-optimised score",
    "re-optimised, changed task",
    "s",
];

/// One run's row of the table of every run.
fn run_row(r: &RunResult) -> Vec<String> {
    let number = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v:.3}"));
    vec![
        r.task.clone(),
        r.variant.clone(),
        r.demos.to_string(),
        r.seed.to_string(),
        format!("{:?}", r.status).to_lowercase(),
        number(r.normalized_score),
        number(r.reopt_normalized_score),
        number(r.reopt_changed_normalized_score),
        format!("{:.1}", r.wall_s),
    ]
}

/// What the aggregates across tasks are.
const ACROSS_TEXT: &str = "Normalised scores of every task and seed pooled per algorithm and \
    demonstration count, as rliable aggregates them (Agarwal et al. 2021): the interquartile mean \
    (IQM: the middle half of the sorted scores), mean, median and optimality gap (`1 − mean(min(x, 1))`), \
    each with a 95 % stratified-bootstrap interval (runs resampled within each task), and for GCL the \
    probability that a run beats BC's on the same task (Mann–Whitney, averaged over tasks). \
    The performance profiles below plot the fraction of runs scoring above each τ.";
