//! Each algorithm's normalised scores across the tasks of a suite, aggregated as rliable does (see
//! [`robust_aggregates`](super::robust_aggregates)): one row per algorithm (or variant) and
//! demonstration count, and a performance profile per demonstration count.

use super::robust_aggregates::{
    improvement_interval, interval, performance_profile, Estimate, Statistic,
};
use super::runner::RunResult;
use super::suite::{Algorithm, Suite};
use crate::plot::{line_chart_svg, Chart, Series};

/// Seed of the bootstrap resamples, so that a report comes out the same every time.
const BOOTSTRAP_SEED: u64 = 0;

/// One algorithm (or variant) at one demonstration count, over every task and seed.
#[derive(Clone, Debug)]
pub struct Row {
    /// The algorithm's name, or its variant's.
    pub name: String,
    /// The algorithm.
    pub algorithm: Algorithm,
    /// Demonstrations trained on.
    pub demos: usize,
    /// Tasks with at least one score.
    pub tasks: usize,
    /// Runs with a score.
    pub runs: usize,
    /// The estimates of [`Statistic::ALL`], in that order.
    pub estimates: Vec<Estimate>,
    /// Probability of improvement over BC with the same demonstrations (GCL rows of suites that
    /// run BC).
    pub over_bc: Option<Estimate>,
    /// The normalised scores of each task of the suite, in suite order.
    scores: Vec<Vec<f64>>,
}

/// The rows of every algorithm and demonstration count of `results`, in suite order, with
/// `resamples` bootstrap resamples behind each interval.
pub fn rows(suite: &Suite, results: &[RunResult], resamples: usize) -> Vec<Row> {
    let mut keys: Vec<(&str, Algorithm, usize)> = Vec::new();
    for r in results {
        let key = (r.variant.as_str(), r.algorithm, r.demos);
        if !keys.contains(&key) {
            keys.push(key);
        }
    }
    let scores_of = |name: &str, demos: usize| -> Vec<Vec<f64>> {
        suite
            .tasks
            .iter()
            .map(|task| {
                results
                    .iter()
                    .filter(|r| r.task == *task && r.variant == name && r.demos == demos)
                    .filter_map(|r| r.normalized_score.filter(|s| s.is_finite()))
                    .collect()
            })
            .collect()
    };
    keys.into_iter()
        .map(|(name, algorithm, demos)| {
            let scores = scores_of(name, demos);
            let estimates = Statistic::ALL
                .iter()
                .map(|s| interval(&scores, |x| s.of(x), resamples, BOOTSTRAP_SEED))
                .collect();
            let bc = scores_of(Algorithm::Bc.name(), demos);
            let over_bc = (algorithm.is_gcl() && bc.iter().any(|t| !t.is_empty()))
                .then(|| improvement_interval(&scores, &bc, resamples, BOOTSTRAP_SEED))
                .filter(|e| e.point.is_finite());
            Row {
                name: name.to_string(),
                algorithm,
                demos,
                tasks: scores.iter().filter(|t| !t.is_empty()).count(),
                runs: scores.iter().map(Vec::len).sum(),
                estimates,
                over_bc,
                scores,
            }
        })
        .collect()
}

/// The columns of [`cells`].
pub const COLUMNS: [&str; 9] = [
    "algorithm",
    "demos",
    "tasks",
    "runs",
    "IQM [95% CI]",
    "mean",
    "median",
    "optimality gap",
    "P(better than BC)",
];

/// The rows as table cells, three decimals.
pub fn cells(rows: &[Row]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| {
            let mut cells = vec![
                r.name.clone(),
                r.demos.to_string(),
                r.tasks.to_string(),
                r.runs.to_string(),
            ];
            cells.extend(r.estimates.iter().map(|e| e.format(3)));
            cells.push(r.over_bc.map_or(String::new(), |e| e.format(3)));
            cells
        })
        .collect()
}

/// Thresholds of the performance profiles: from below random (−0.5) to past expert (1.25).
fn thresholds() -> Vec<f64> {
    (0..=35).map(|k| -0.5 + 0.05 * k as f64).collect()
}

/// Per demonstration count, `(file under the bench folder, SVG)` of the performance profile: the
/// fraction of runs (over tasks and seeds) whose normalised score exceeds `τ`, one line per
/// algorithm.
pub fn profile_plots(rows: &[Row]) -> Vec<(String, String)> {
    let mut counts: Vec<usize> = rows.iter().map(|r| r.demos).collect();
    counts.sort_unstable();
    counts.dedup();
    let taus = thresholds();
    counts
        .into_iter()
        .filter_map(|demos| {
            let series: Vec<Series> = rows
                .iter()
                .filter(|r| r.demos == demos && r.runs > 0)
                .map(|r| {
                    let fractions = performance_profile(&r.scores, &taus);
                    Series::new(&r.name, taus.iter().copied().zip(fractions).collect())
                })
                .collect();
            let title = format!("performance profile, {demos} demos");
            let chart = Chart {
                title: &title,
                x_label: "normalised score τ",
                y_label: "fraction of runs with score > τ",
                log_x: false,
            };
            let svg = line_chart_svg(&chart, &series).ok()?;
            Some((format!("plots/profile-demos-{demos}.svg"), svg))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(task: &str, algorithm: Algorithm, seed: u64, score: Option<f64>) -> RunResult {
        RunResult::scored(task, algorithm, 4, seed, score)
    }

    #[test]
    fn one_row_per_algorithm_with_its_tasks_and_its_odds_against_bc() {
        let text = "name = \"a\"\nseeds = [0, 1]\ndemos = [4]\nalgorithms = [\"gcl\", \"bc\"]\n\
                    [[task]]\nname = \"pendulum\"\n[[task]]\nname = \"reacher\"\n";
        let suite = Suite::parse(text, "a.toml").unwrap();
        let results = vec![
            result("pendulum", Algorithm::Gcl, 0, Some(0.9)),
            result("pendulum", Algorithm::Gcl, 1, Some(0.8)),
            result("reacher", Algorithm::Gcl, 0, Some(0.6)),
            result("reacher", Algorithm::Gcl, 1, None),
            result("pendulum", Algorithm::Bc, 0, Some(0.5)),
            result("pendulum", Algorithm::Bc, 1, Some(0.95)),
            result("reacher", Algorithm::Bc, 0, Some(0.2)),
            result("reacher", Algorithm::Bc, 1, Some(0.3)),
        ];
        let rows = rows(&suite, &results, 200);
        assert_eq!(rows.len(), 2);
        let (gcl, bc) = (&rows[0], &rows[1]);
        assert_eq!((gcl.name.as_str(), gcl.tasks, gcl.runs), ("gcl", 2, 3));
        // The run with no score is left out: mean of 0.9, 0.8 and 0.6.
        assert!((gcl.estimates[1].point - 2.3 / 3.0).abs() < 1e-12);
        // Pendulum: 0.9 and 0.8 beat 0.5 and lose to 0.95 (1/2); reacher: 0.6 beats both (1).
        let over = gcl.over_bc.unwrap();
        assert!((over.point - 0.75).abs() < 1e-12, "{over:?}");
        assert!(bc.over_bc.is_none());
        let table = cells(&rows);
        assert_eq!(table[0].len(), COLUMNS.len());
        assert_eq!(table[1][8], "");
        let plots = profile_plots(&rows);
        assert_eq!(plots.len(), 1);
        assert_eq!(plots[0].0, "plots/profile-demos-4.svg");
        assert!(plots[0].1.contains("performance profile"));
    }
}
