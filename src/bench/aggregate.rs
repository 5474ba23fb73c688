//! Aggregation over seeds: the mean and the sample standard deviation of a set of numbers.

/// Mean ± sample standard deviation of the finite values of a set.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MeanStd {
    /// How many finite values there were.
    pub n: usize,
    /// Their mean (NaN when `n = 0`).
    pub mean: f64,
    /// Their sample standard deviation (divisor `n − 1`); `None` when `n < 2`.
    pub std: Option<f64>,
}

impl MeanStd {
    /// The mean and spread of the finite values among `values` (NaN, ±∞ and missing are left out).
    pub fn of(values: impl IntoIterator<Item = Option<f64>>) -> Self {
        let finite: Vec<f64> = values
            .into_iter()
            .flatten()
            .filter(|v| v.is_finite())
            .collect();
        let n = finite.len();
        let mean = finite.iter().sum::<f64>() / n as f64;
        let std = (n >= 2).then(|| {
            let squares: f64 = finite.iter().map(|v| (v - mean).powi(2)).sum();
            (squares / (n - 1) as f64).sqrt()
        });
        Self { n, mean, std }
    }

    /// `mean ± std` with `digits` decimals, the mean alone for one value, empty for none.
    pub fn format(&self, digits: usize) -> String {
        match (self.n, self.std) {
            (0, _) => String::new(),
            (_, Some(std)) => format!("{:.digits$} ± {std:.digits$}", self.mean),
            (_, None) => format!("{:.digits$}", self.mean),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mean_and_sample_std_of_the_finite_values() {
        let m = MeanStd::of([Some(1.0), Some(2.0), None, Some(f64::NAN), Some(6.0)]);
        assert_eq!(m.n, 3);
        assert!((m.mean - 3.0).abs() < 1e-12);
        // Deviations −2, −1, 3: squares sum to 14, over n − 1 = 2.
        assert!((m.std.unwrap() - 7f64.sqrt()).abs() < 1e-12);
        assert_eq!(m.format(2), "3.00 ± 2.65");
    }

    #[test]
    fn one_value_has_no_spread_and_none_is_blank() {
        let one = MeanStd::of([Some(0.5)]);
        assert_eq!((one.n, one.mean, one.std), (1, 0.5, None));
        assert_eq!(one.format(3), "0.500");
        let none = MeanStd::of([None, Some(f64::INFINITY)]);
        assert_eq!(none.n, 0);
        assert_eq!(none.format(3), "");
    }
}
