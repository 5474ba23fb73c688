//! Aggregates of normalised scores over tasks and seeds as rliable defines them (Agarwal, Schwarzer,
//! Castro, Courville, Bellemare 2021, "Deep reinforcement learning at the edge of the statistical
//! precipice"): the interquartile mean, mean, median and optimality gap of the pooled scores, each
//! with a 95 % stratified-bootstrap interval; the probability of improvement of one algorithm over
//! another; and performance profiles.
//!
//! Scores come per task: `scores[task]` holds that task's runs (one per seed). A stratified
//! bootstrap resample draws, within every task, as many runs as the task has, with replacement,
//! so that every resample keeps the suite's mix of tasks.

use costlearn_envs::rand::{Rng as _, SeedableRng};
use costlearn_envs::Rng;

/// A point estimate with its 95 % interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// The statistic of the scores.
    pub point: f64,
    /// The 2.5th percentile of the statistic over the bootstrap resamples.
    pub lo: f64,
    /// The 97.5th percentile of the statistic over the bootstrap resamples.
    pub hi: f64,
}

impl Estimate {
    /// `point [lo, hi]` with `digits` decimals.
    pub fn format(&self, digits: usize) -> String {
        format!(
            "{:.digits$} [{:.digits$}, {:.digits$}]",
            self.point, self.lo, self.hi
        )
    }
}

/// A statistic of pooled scores.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Statistic {
    /// The mean of the middle half: `⌊n/4⌋` scores dropped from each end of the sorted scores.
    Iqm,
    /// The mean.
    Mean,
    /// The median.
    Median,
    /// How far the scores fall short of expert level (γ = 1): `γ − mean(min(x, γ))`.
    OptimalityGap,
}

impl Statistic {
    /// Every statistic, in the order the report shows them.
    pub const ALL: [Self; 4] = [Self::Iqm, Self::Mean, Self::Median, Self::OptimalityGap];

    /// Its column name.
    pub fn name(self) -> &'static str {
        match self {
            Self::Iqm => "IQM",
            Self::Mean => "mean",
            Self::Median => "median",
            Self::OptimalityGap => "optimality gap",
        }
    }

    /// The statistic of `scores` pooled over tasks (NaN for none).
    pub fn of(self, scores: &[Vec<f64>]) -> f64 {
        let mut pooled: Vec<f64> = scores.iter().flatten().copied().collect();
        if pooled.is_empty() {
            return f64::NAN;
        }
        pooled.sort_by(f64::total_cmp);
        let n = pooled.len();
        let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
        match self {
            Self::Iqm => mean(&pooled[n / 4..n - n / 4]),
            Self::Mean => mean(&pooled),
            Self::Median => quantile(&pooled, 0.5),
            Self::OptimalityGap => 1.0 - pooled.iter().map(|x| x.min(1.0)).sum::<f64>() / n as f64,
        }
    }
}

/// `statistic` of `scores` with its 95 % percentile interval over `resamples` stratified
/// bootstrap resamples drawn from `seed`.
pub fn interval(
    scores: &[Vec<f64>],
    statistic: impl Fn(&[Vec<f64>]) -> f64,
    resamples: usize,
    seed: u64,
) -> Estimate {
    let mut rng = Rng::seed_from_u64(seed);
    let mut draws: Vec<f64> = (0..resamples)
        .map(|_| statistic(&resample(scores, &mut rng)))
        .filter(|v| v.is_finite())
        .collect();
    draws.sort_by(f64::total_cmp);
    let point = statistic(scores);
    if draws.is_empty() {
        return Estimate {
            point,
            lo: f64::NAN,
            hi: f64::NAN,
        };
    }
    Estimate {
        point,
        lo: quantile(&draws, 0.025),
        hi: quantile(&draws, 0.975),
    }
}

/// The probability that a run of `x` scores higher than a run of `y` on the same task: per task
/// the Mann–Whitney `U` of `x`'s runs against `y`'s over `n_x · n_y` (a tie counts ½), averaged
/// over the tasks where both have runs (NaN where there are none).
pub fn probability_of_improvement(x: &[Vec<f64>], y: &[Vec<f64>]) -> f64 {
    let per_task: Vec<f64> = x
        .iter()
        .zip(y)
        .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        .map(|(a, b)| {
            let u: f64 = a
                .iter()
                .flat_map(|xa| {
                    b.iter().map(move |yb| match xa.total_cmp(yb) {
                        std::cmp::Ordering::Greater => 1.0,
                        std::cmp::Ordering::Equal => 0.5,
                        std::cmp::Ordering::Less => 0.0,
                    })
                })
                .sum();
            u / (a.len() * b.len()) as f64
        })
        .collect();
    per_task.iter().sum::<f64>() / per_task.len() as f64
}

/// [`probability_of_improvement`] with its 95 % interval: each resample draws `x`'s and `y`'s
/// runs within every task independently.
pub fn improvement_interval(
    x: &[Vec<f64>],
    y: &[Vec<f64>],
    resamples: usize,
    seed: u64,
) -> Estimate {
    // Both algorithms' runs side by side, so that one resample of the pair is one draw.
    let joined: Vec<Vec<f64>> = x.iter().chain(y).cloned().collect();
    let tasks = x.len();
    interval(
        &joined,
        |both| probability_of_improvement(&both[..tasks], &both[tasks..]),
        resamples,
        seed,
    )
}

/// The fraction of the pooled scores above each threshold `τ`.
pub fn performance_profile(scores: &[Vec<f64>], taus: &[f64]) -> Vec<f64> {
    let pooled: Vec<f64> = scores.iter().flatten().copied().collect();
    taus.iter()
        .map(|tau| pooled.iter().filter(|&&x| x > *tau).count() as f64 / pooled.len() as f64)
        .collect()
}

/// A stratified resample: every task's runs drawn with replacement, as many as it has.
fn resample(scores: &[Vec<f64>], rng: &mut Rng) -> Vec<Vec<f64>> {
    scores
        .iter()
        .map(|runs| {
            (0..runs.len())
                .map(|_| runs[rng.gen_range(0..runs.len())])
                .collect()
        })
        .collect()
}

/// The `p`-quantile of sorted `values`, interpolating linearly between order statistics (NumPy's
/// default).
fn quantile(sorted: &[f64], p: f64) -> f64 {
    let at = p * (sorted.len() - 1) as f64;
    let (lo, hi) = (at.floor() as usize, at.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// rliable's test matrices (runs × tasks), as the runs of each task.
    fn by_task(runs: &[[f64; 2]]) -> Vec<Vec<f64>> {
        (0..2)
            .map(|t| runs.iter().map(|r| r[t]).collect())
            .collect()
    }

    #[test]
    fn rliable_s_test_vectors() {
        let first = by_task(&[[1.0, 2.0], [2.0, 2.0], [1.0, 1.0], [2.0, 1.0]]);
        let second = by_task(&[[1.0, 1.0], [2.0, 2.0], [3.0, 3.0]]);
        for statistic in [Statistic::Iqm, Statistic::Mean, Statistic::Median] {
            assert_eq!(statistic.of(&first), 1.5, "{statistic:?}");
            assert_eq!(statistic.of(&second), 2.0, "{statistic:?}");
        }
        let p = probability_of_improvement(&first, &second);
        assert!((p - 1.0 / 3.0).abs() < 1e-12, "{p}");
        assert!((probability_of_improvement(&second, &first) - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn iqm_drops_a_quarter_from_each_end_and_the_gap_counts_only_the_shortfall() {
        // Eight scores: the two lowest and the two highest are dropped.
        let scores = vec![vec![-10.0, 0.0, 0.5, 0.5], vec![1.0, 1.0, 2.0, 30.0]];
        assert_eq!(Statistic::Iqm.of(&scores), 0.75);
        assert_eq!(Statistic::Median.of(&scores), 0.75);
        // min(x, 1): −10, 0, 0.5, 0.5, 1, 1, 1, 1 sum to −5; 1 − (−5/8).
        assert_eq!(Statistic::OptimalityGap.of(&scores), 1.625);
        assert!(Statistic::Mean.of(&[]).is_nan());
    }

    #[test]
    fn intervals_are_seeded_hold_the_point_and_vanish_without_spread() {
        let scores = vec![
            vec![0.1, 0.4, 0.9, 0.7, 0.3],
            vec![0.8, 0.95, 0.6, 0.85, 0.9],
        ];
        let iqm = |s: &[Vec<f64>]| Statistic::Iqm.of(s);
        let a = interval(&scores, iqm, 500, 7);
        assert_eq!(a, interval(&scores, iqm, 500, 7));
        assert_ne!(a, interval(&scores, iqm, 500, 8));
        assert!(a.lo < a.point && a.point < a.hi, "{a:?}");
        assert!(a.lo >= 0.1 && a.hi <= 0.95, "{a:?}");
        assert_eq!(a.format(2).matches('[').count(), 1);
        let flat = vec![vec![0.5; 3], vec![0.2; 3]];
        let f = interval(&flat, |s| Statistic::Mean.of(s), 200, 0);
        assert!(
            (f.lo - 0.35).abs() < 1e-12 && (f.hi - 0.35).abs() < 1e-12,
            "{f:?}"
        );

        let better = vec![vec![0.9, 0.8, 1.0], vec![0.7, 0.9, 0.8]];
        let worse = vec![vec![0.1, 0.2, 0.0], vec![0.3, 0.2, 0.1]];
        let p = improvement_interval(&better, &worse, 300, 1);
        assert_eq!((p.point, p.lo, p.hi), (1.0, 1.0, 1.0));
    }

    #[test]
    fn a_profile_counts_the_scores_above_each_threshold() {
        let scores = vec![vec![0.0, 0.5], vec![1.0, 0.25]];
        assert_eq!(
            performance_profile(&scores, &[-1.0, 0.0, 0.5, 1.0]),
            [1.0, 0.75, 0.25, 0.0]
        );
    }
}
