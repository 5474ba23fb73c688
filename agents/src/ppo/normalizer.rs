//! Running mean and variance of observations (and of returns), merged batch by batch.

use ndarray::{Array1, Array2, ArrayView2, Axis};

/// Per-feature running mean and (population) variance over every row seen so far, merged batch by
/// batch with the parallel formula of Chan et al.; kept in `f64`.
///
/// Before any update the mean is 0 and the variance 1, so normalising is the identity.
#[derive(Clone, Debug, PartialEq)]
pub struct RunningMeanStd {
    count: f64,
    mean: Array1<f64>,
    var: Array1<f64>,
}

impl RunningMeanStd {
    /// Statistics of `dim` features, with nothing seen yet.
    pub fn new(dim: usize) -> Self {
        Self {
            count: 0.0,
            mean: Array1::zeros(dim),
            var: Array1::ones(dim),
        }
    }

    /// Number of features.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// Number of rows seen.
    pub fn count(&self) -> f64 {
        self.count
    }

    /// Mean of each feature.
    pub fn mean(&self) -> &Array1<f64> {
        &self.mean
    }

    /// Population variance of each feature.
    pub fn var(&self) -> &Array1<f64> {
        &self.var
    }

    /// Restores statistics saved from [`count`](Self::count), [`mean`](Self::mean) and
    /// [`var`](Self::var). Errors on mismatched lengths or non-finite values.
    pub fn from_parts(count: f64, mean: Array1<f64>, var: Array1<f64>) -> Result<Self, String> {
        if mean.len() != var.len() {
            return Err(format!("{} means for {} variances", mean.len(), var.len()));
        }
        let finite = count.is_finite()
            && count >= 0.0
            && mean.iter().chain(&var).all(|v| v.is_finite())
            && var.iter().all(|&v| v >= 0.0);
        if !finite {
            return Err("running statistics must be finite with non-negative variances".into());
        }
        Ok(Self { count, mean, var })
    }

    /// Merges the rows of `batch` (`[n, dim]`) into the statistics. Rows must be finite.
    ///
    /// With the batch's own count `m`, mean `μ_b` and variance `σ²_b`, and `δ = μ_b − μ`:
    /// `μ' = μ + δ m / (n + m)`, `σ²' = (n σ² + m σ²_b + δ² n m / (n + m)) / (n + m)`.
    pub fn update(&mut self, batch: ArrayView2<'_, f32>) {
        let m = batch.nrows();
        if m == 0 {
            return;
        }
        let batch = batch.mapv(f64::from);
        let batch_mean = batch.mean_axis(Axis(0)).expect("at least one row");
        let batch_var = batch.var_axis(Axis(0), 0.0);
        let (n, m) = (self.count, m as f64);
        let total = n + m;
        let delta = &batch_mean - &self.mean;
        let new_mean = &self.mean + &(&delta * (m / total));
        let new_var =
            (&self.var * n + &batch_var * m + &(&delta * &delta) * (n * m / total)) / total;
        self.mean = new_mean;
        self.var = new_var;
        self.count = total;
    }

    /// `clip((x − μ) / √(σ² + ε), −clip, clip)` of every row of `x`.
    pub fn normalize(&self, x: ArrayView2<'_, f32>, clip: f32) -> Array2<f32> {
        let scale: Vec<f32> = self
            .var
            .iter()
            .map(|&v| (1.0 / (v + 1e-8).sqrt()) as f32)
            .collect();
        let mean: Vec<f32> = self.mean.iter().map(|&m| m as f32).collect();
        let mut out = x.to_owned();
        for mut row in out.rows_mut() {
            for ((v, &mu), &s) in row.iter_mut().zip(&mean).zip(&scale) {
                *v = ((*v - mu) * s).clamp(-clip, clip);
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use costlearn_envs::episode_rng;
    use ndarray::s;
    use rand::Rng as _;

    #[test]
    fn merged_batches_match_two_pass_mean_and_variance() {
        let mut rng = episode_rng(3, 0);
        let data = Array2::from_shape_simple_fn((157, 3), || rng.gen_range(-5.0f32..20.0))
            + ndarray::array![[100.0f32, -3.0, 0.0]];
        let mut stats = RunningMeanStd::new(3);
        for (a, b) in [(0, 1), (1, 40), (40, 41), (41, 157)] {
            stats.update(data.slice(s![a..b, ..]));
        }
        stats.update(data.slice(s![0..0, ..]));
        let all = data.mapv(f64::from);
        let n = all.nrows() as f64;
        for j in 0..3 {
            let col = all.column(j);
            let mean = col.sum() / n;
            let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
            assert!((stats.mean()[j] - mean).abs() < 1e-9 * mean.abs().max(1.0));
            assert!((stats.var()[j] - var).abs() < 1e-9 * var.max(1.0), "{j}");
        }
        assert_eq!(stats.count(), 157.0);
        let z = stats.normalize(data.view(), 10.0);
        let zm = z.mean_axis(Axis(0)).unwrap();
        assert!(zm.iter().all(|v| v.abs() < 1e-4), "{zm}");
    }

    #[test]
    fn fresh_statistics_are_the_identity_up_to_the_clip() {
        let stats = RunningMeanStd::new(2);
        let x = ndarray::array![[0.5f32, -20.0]];
        assert_eq!(
            stats.normalize(x.view(), 5.0),
            ndarray::array![[0.5f32, -5.0]]
        );
    }
}
