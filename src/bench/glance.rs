//! The top of a bench report, what a reader takes in at a glance: one paragraph on which method
//! wins where, the interquartile mean of every algorithm against the demonstration count with its
//! interval, and a compact table with the tasks as rows and algorithm × demonstrations as columns.

use super::across_tasks::Row;
use super::robust_aggregates::Statistic;
use super::runner::RunResult;
use super::suite::Suite;
use crate::plot::{line_chart_svg, Chart, Series};
use std::fmt::Write as _;

/// Where the figure of [`iqm_figure`] goes in a bench folder.
pub const FIGURE: &str = "plots/iqm.svg";

/// The index of the interquartile mean among a row's estimates.
fn iqm_index() -> usize {
    Statistic::ALL
        .iter()
        .position(|s| *s == Statistic::Iqm)
        .unwrap_or(0)
}

/// One paragraph: per demonstration count, the algorithms by interquartile mean with their
/// intervals, whether the best one's interval clears the next one's, and how often GCL beats BC.
pub fn summary(rows: &[Row]) -> String {
    let iqm = iqm_index();
    let mut counts: Vec<usize> = rows.iter().map(|r| r.demos).collect();
    counts.sort_unstable();
    counts.dedup();
    let mut text = String::from(
        "Interquartile mean of the normalised score over every task and seed, with 95 % \
         stratified-bootstrap intervals.",
    );
    if rows.iter().all(|r| r.runs <= r.tasks) {
        text.push_str(
            " With one run per task the intervals have no width: they rank nothing; run more \
             seeds.",
        );
    }
    for demos in counts {
        // Only algorithms run on every task of the count are ranked: an algorithm of some tasks
        // (MaxEnt IRL on the tabular ones) is named apart.
        let all: Vec<&Row> = rows
            .iter()
            .filter(|r| r.demos == demos && r.estimates[iqm].point.is_finite())
            .collect();
        let most = all.iter().map(|r| r.tasks).max().unwrap_or(0);
        let (mut here, apart): (Vec<&Row>, Vec<&Row>) =
            all.into_iter().partition(|r| r.tasks == most);
        here.sort_by(|a, b| b.estimates[iqm].point.total_cmp(&a.estimates[iqm].point));
        let Some(best) = here.first() else { continue };
        let plural = if demos == 1 { "" } else { "s" };
        let _ = write!(
            text,
            " With {demos} demonstration{plural}, {} leads ({})",
            best.name,
            best.estimates[iqm].format(2)
        );
        match here.get(1) {
            Some(next) => {
                let verdict = if best.estimates[iqm].lo > next.estimates[iqm].hi {
                    "ahead of"
                } else {
                    "its interval overlapping that of"
                };
                let _ = write!(
                    text,
                    ", {verdict} {} ({})",
                    next.name,
                    next.estimates[iqm].format(2)
                );
            }
            None => text.push_str(", alone"),
        }
        let odds: Vec<String> = here
            .iter()
            .filter_map(|r| r.over_bc.map(|p| format!("{} {}", r.name, p.format(2))))
            .collect();
        if !odds.is_empty() {
            let _ = write!(
                text,
                "; the probability of beating BC on a task is {}",
                odds.join(", ")
            );
        }
        for r in apart {
            let _ = write!(
                text,
                "; {} ran on {} of the {most} tasks ({})",
                r.name,
                r.tasks,
                r.estimates[iqm].format(2)
            );
        }
        text.push('.');
    }
    text
}

/// The interquartile mean of each algorithm against the demonstration count (log axis), with
/// its 95 % interval; `None` when there is nothing to draw.
pub fn iqm_figure(rows: &[Row]) -> Option<String> {
    let iqm = iqm_index();
    let mut names: Vec<&str> = Vec::new();
    for r in rows {
        if !names.contains(&r.name.as_str()) {
            names.push(&r.name);
        }
    }
    let most = rows.iter().map(|r| r.tasks).max().unwrap_or(0);
    let series: Vec<Series> = names
        .iter()
        .map(|name| {
            let mine: Vec<&Row> = rows.iter().filter(|r| r.name == *name).collect();
            let tasks = mine.iter().map(|r| r.tasks).max().unwrap_or(0);
            let label = if tasks < most {
                format!("{name} ({tasks} of {most} tasks)")
            } else {
                name.to_string()
            };
            let points = mine
                .iter()
                .map(|r| (r.demos as f64, r.estimates[iqm].point))
                .collect();
            let bounds = mine
                .iter()
                .map(|r| (r.estimates[iqm].lo, r.estimates[iqm].hi))
                .collect();
            Series::new(label, points).with_bounds(bounds)
        })
        .collect();
    let chart = Chart {
        title: "interquartile mean over tasks and seeds (95% CI)",
        x_label: "demonstrations",
        y_label: "normalised score, IQM",
        log_x: true,
    };
    line_chart_svg(&chart, &series).ok()
}

/// The compact table: a header (`task`, then `algorithm, N` for every algorithm and count) and a
/// row per task with the mean normalised score over seeds (two decimals, blank where none ran).
pub fn compact_table(suite: &Suite, results: &[RunResult]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut columns: Vec<(&str, usize)> = Vec::new();
    for r in results {
        if !columns.contains(&(r.variant.as_str(), r.demos)) {
            columns.push((&r.variant, r.demos));
        }
    }
    let header = std::iter::once("task".to_string())
        .chain(
            columns
                .iter()
                .map(|(name, demos)| format!("{name}, {demos}")),
        )
        .collect();
    let rows = suite
        .tasks
        .iter()
        .map(|task| {
            std::iter::once(task.clone())
                .chain(columns.iter().map(|(name, demos)| {
                    let scores: Vec<f64> = results
                        .iter()
                        .filter(|r| r.task == *task && r.variant == *name && r.demos == *demos)
                        .filter_map(|r| r.normalized_score.filter(|s| s.is_finite()))
                        .collect();
                    if scores.is_empty() {
                        String::new()
                    } else {
                        format!("{:.2}", scores.iter().sum::<f64>() / scores.len() as f64)
                    }
                }))
                .collect()
        })
        .collect();
    (header, rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bench::across_tasks;
    use crate::bench::suite::Algorithm;

    fn result(task: &str, algorithm: Algorithm, demos: usize, seed: u64, score: f64) -> RunResult {
        RunResult::scored(task, algorithm, demos, seed, Some(score))
    }

    #[test]
    fn the_summary_names_the_leader_and_the_table_has_a_column_per_algorithm_and_count() {
        let text = "name = \"g\"\nseeds = [0, 1]\ndemos = [1, 4]\nalgorithms = [\"gcl\", \"bc\"]\n\
                    [[task]]\nname = \"pendulum\"\n[[task]]\nname = \"reacher\"\n";
        let suite = Suite::parse(text, "g.toml").unwrap();
        let mut results = Vec::new();
        for (task, shift) in [("pendulum", 0.0), ("reacher", 0.05)] {
            for seed in 0..2 {
                let s = shift + 0.02 * seed as f64;
                results.push(result(task, Algorithm::Gcl, 1, seed, 0.9 + s));
                results.push(result(task, Algorithm::Bc, 1, seed, 0.2 + s));
                results.push(result(task, Algorithm::Gcl, 4, seed, 0.5 + s));
                results.push(result(task, Algorithm::Bc, 4, seed, 0.52 + s));
            }
        }
        let rows = across_tasks::rows(&suite, &results, 200);
        let said = summary(&rows);
        assert!(said.contains("With 1 demonstration, gcl leads"), "{said}");
        assert!(said.contains("ahead of bc"), "{said}");
        assert!(said.contains("With 4 demonstrations, bc leads"), "{said}");
        assert!(said.contains("overlapping that of gcl"), "{said}");
        assert!(
            said.contains("probability of beating BC on a task is gcl 1.00"),
            "{said}"
        );
        assert!(iqm_figure(&rows).unwrap().contains("interquartile mean"));

        let (header, table) = compact_table(&suite, &results);
        assert_eq!(header, ["task", "gcl, 1", "bc, 1", "gcl, 4", "bc, 4"]);
        assert_eq!(table[1], ["reacher", "0.96", "0.26", "0.56", "0.58"]);
    }
}
