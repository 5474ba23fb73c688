//! [`GaussianExpert`]: a scripted controller acting with Gaussian noise, so that its demonstrations
//! look like samples of a maximum-entropy policy rather than of a deterministic one.

use crate::policy::Policy;
use crate::seeding::Rng;
use ndarray::{Array1, Array2, ArrayView2};
use rand::Rng as _;
use std::fmt;
use std::sync::Arc;

/// The mean action of a scripted controller for one observation, written into its second argument.
pub type Controller = Arc<dyn Fn(&[f32], &mut [f32]) + Send + Sync>;

/// `u ~ N(μ(x), diag(σ²))` around a scripted controller `μ`. `log_prob` is the Gaussian density of the
/// action as sampled (the environment clips it afterwards).
#[derive(Clone)]
pub struct GaussianExpert {
    controller: Controller,
    std: Vec<f32>,
}

impl fmt::Debug for GaussianExpert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GaussianExpert")
            .field("std", &self.std)
            .finish_non_exhaustive()
    }
}

impl GaussianExpert {
    /// Noise of standard deviation `std[j]` on action dimension `j` around `controller` (a
    /// function or a closure over the task's parameters).
    pub fn new(
        controller: impl Fn(&[f32], &mut [f32]) + Send + Sync + 'static,
        std: Vec<f32>,
    ) -> Self {
        Self {
            controller: Arc::new(controller),
            std,
        }
    }

    /// Noise of standard deviation `std[j]` on action dimension `j` around the deterministic action
    /// ([`Policy::mode`]) of another policy, e.g. a trained run's: demonstrations of a learned
    /// expert at a chosen noise level rather than at its own. An observation for which `policy`
    /// has no mode gets NaN actions (check one with [`Policy::mode`] first).
    ///
    /// ```
    /// use costlearn_envs::control::expert::GaussianExpert;
    /// use costlearn_envs::Policy;
    /// use std::sync::Arc;
    ///
    /// let scripted = GaussianExpert::new(|x: &[f32], u: &mut [f32]| u[0] = -x[0], vec![0.5]);
    /// let quieter = GaussianExpert::around_mode(Arc::new(scripted), vec![0.1]);
    /// let obs = ndarray::array![[2.0f32]];
    /// assert_eq!(quieter.mode(obs.view()), Some(ndarray::array![[-2.0f32]]));
    /// assert_eq!(quieter.std(), &[0.1]);
    /// ```
    pub fn around_mode(policy: Arc<dyn Policy>, std: Vec<f32>) -> Self {
        Self::new(
            move |obs, u| {
                let row = ArrayView2::from_shape((1, obs.len()), obs)
                    .expect("one observation is one row");
                match policy.mode(row) {
                    Some(mode) if mode.len() == u.len() => {
                        u.iter_mut().zip(mode.iter()).for_each(|(v, &m)| *v = m)
                    }
                    _ => u.fill(f32::NAN),
                }
            },
            std,
        )
    }

    /// The noise standard deviations, one per action dimension.
    pub fn std(&self) -> &[f32] {
        &self.std
    }

    /// The noiseless action `μ(x)` for one observation.
    pub fn mean(&self, obs: &[f32]) -> Vec<f32> {
        let mut u = vec![0.0; self.std.len()];
        (self.controller)(obs, &mut u);
        u
    }
}

/// A standard normal draw (Box–Muller on two uniforms).
pub(crate) fn standard_normal(rng: &mut Rng) -> f32 {
    let u1: f64 = 1.0 - rng.gen::<f64>();
    let u2: f64 = rng.gen::<f64>();
    ((-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()) as f32
}

impl Policy for GaussianExpert {
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        let mut acts = Array2::zeros((obs.nrows(), self.std.len()));
        let mut x = Vec::with_capacity(obs.ncols());
        for ((o, mut a), rng) in obs
            .rows()
            .into_iter()
            .zip(acts.rows_mut())
            .zip(rngs.iter_mut())
        {
            x.clear();
            x.extend(o.iter().copied());
            let a = a
                .as_slice_mut()
                .expect("rows of a fresh array are contiguous");
            (self.controller)(&x, a);
            for (v, s) in a.iter_mut().zip(&self.std) {
                *v += s * standard_normal(rng);
            }
        }
        acts
    }

    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        let half_log_2pi = 0.5 * (std::f32::consts::TAU).ln();
        let mut mean = vec![0.0; self.std.len()];
        let mut x = Vec::with_capacity(obs.ncols());
        obs.rows()
            .into_iter()
            .zip(acts.rows())
            .map(|(o, a)| {
                x.clear();
                x.extend(o.iter().copied());
                (self.controller)(&x, &mut mean);
                a.iter()
                    .zip(&mean)
                    .zip(&self.std)
                    .map(|((&u, &m), &s)| {
                        let z = (u - m) / s;
                        -0.5 * z * z - s.ln() - half_log_2pi
                    })
                    .sum()
            })
            .collect()
    }

    /// The noiseless action `μ(x)` of each row.
    fn mode(&self, obs: ArrayView2<'_, f32>) -> Option<Array2<f32>> {
        let mut acts = Array2::zeros((obs.nrows(), self.std.len()));
        for (o, mut a) in obs.rows().into_iter().zip(acts.rows_mut()) {
            let x: Vec<f32> = o.to_vec();
            (self.controller)(&x, a.as_slice_mut()?);
        }
        Some(acts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeding::episode_rng;

    fn zero(_: &[f32], u: &mut [f32]) {
        u.fill(0.0);
    }

    #[test]
    fn noise_has_the_documented_scale_and_density() {
        let p = GaussianExpert::new(zero, vec![0.5]);
        let n = 4000;
        let obs = Array2::zeros((n, 1));
        let mut rngs: Vec<_> = (0..n as u64).map(|i| episode_rng(1, i)).collect();
        let a = p.act(obs.view(), &mut rngs);
        let var = a.iter().map(|v| v * v).sum::<f32>() / n as f32;
        assert!((var.sqrt() - 0.5).abs() < 0.03, "std {}", var.sqrt());
        let lp = p.log_prob(obs.view(), Array2::zeros((1, 1)).view());
        let expected = -(0.5f32).ln() - 0.5 * std::f32::consts::TAU.ln();
        assert!((lp[0] - expected).abs() < 1e-5);
    }

    #[test]
    fn noise_around_another_policys_mode_replaces_its_own() {
        fn double(x: &[f32], u: &mut [f32]) {
            u[0] = 2.0 * x[0];
        }
        let noisy = GaussianExpert::new(double, vec![2.0]);
        let p = GaussianExpert::around_mode(Arc::new(noisy), vec![0.1]);
        let n = 4000;
        let obs = Array2::from_elem((n, 1), 1.5f32);
        let mut rngs: Vec<_> = (0..n as u64).map(|i| episode_rng(2, i)).collect();
        let a = p.act(obs.view(), &mut rngs);
        let mean = a.sum() / n as f32;
        let std = (a.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / n as f32).sqrt();
        assert!((mean - 3.0).abs() < 0.01, "mean {mean}");
        assert!((std - 0.1).abs() < 0.01, "std {std}");
        // A policy without a mode (uniform) leaves nothing to centre on: NaN, not a panic.
        let uniform = crate::UniformRandom::new(crate::Space::Box {
            low: vec![-1.0],
            high: vec![1.0],
        })
        .unwrap();
        let q = GaussianExpert::around_mode(Arc::new(uniform), vec![0.1]);
        assert!(q.mode(obs.view()).unwrap().iter().all(|v| v.is_nan()));
    }

    #[test]
    fn the_mode_is_the_noiseless_controller() {
        fn double(x: &[f32], u: &mut [f32]) {
            u[0] = 2.0 * x[0];
        }
        let p = GaussianExpert::new(double, vec![0.5]);
        let obs = ndarray::array![[1.0f32], [-3.0]];
        assert_eq!(p.mode(obs.view()), Some(ndarray::array![[2.0f32], [-6.0]]));
    }
}
