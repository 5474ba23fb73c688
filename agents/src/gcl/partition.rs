//! The importance-sampling estimate of the partition function, in closed form on the host (`f64`).
//!
//! With the mixture `μ = ½p + ½q` of demonstrations and samples and the current model used as the
//! demonstration density, `μ̃(τ) = ½·exp(−c_θ(τ))/Z + ½·q(τ)` (paper §3.2), the estimate is
//! `Z_IS = E_μ[exp(−c_θ(τ)) / μ̃(τ)]`. Expectations over `μ` are `½ E_p + ½ E_q` with each part the
//! mean over its own batch (the plain mean over the union when both hold equally many).

use super::error::{check_finite, check_len, GclError, Result};

/// `ln(e^a + e^b)` without overflow.
pub(crate) fn log_add_exp(a: f64, b: f64) -> f64 {
    let m = a.max(b);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + ((a - m).exp() + (b - m).exp()).ln()
}

/// `ln Σ_i e^{x_i}` without overflow (`−∞` for no terms).
pub(crate) fn log_sum_exp(x: impl Iterator<Item = f64> + Clone) -> f64 {
    let m = x.clone().fold(f64::NEG_INFINITY, f64::max);
    if m == f64::NEG_INFINITY {
        return m;
    }
    m + x.map(|v| (v - m).exp()).sum::<f64>().ln()
}

/// `log μ̃(τ) = log(½·exp(−c_θ(τ))/Z + ½·q(τ))` for each item (paper §3.2), from its cost, its
/// generator log-density and `log Z`.
pub fn log_mu_tilde(costs: &[f64], log_q: &[f64], log_z: f64) -> Result<Vec<f64>> {
    check_len("log q", costs.len(), log_q.len())?;
    check_finite("costs", costs)?;
    check_finite("log q", log_q)?;
    check_finite("log Z", &[log_z])?;
    Ok(costs
        .iter()
        .zip(log_q)
        .map(|(&c, &lq)| log_add_exp(-c - log_z, lq) - std::f64::consts::LN_2)
        .collect())
}

/// The costs and generator log-densities of the demonstrations and the samples, on the host.
#[derive(Clone, Copy, Debug)]
pub struct Scores<'a> {
    /// `c_θ(τ)` of each demonstration.
    pub demo_costs: &'a [f64],
    /// `log q(τ)` of each demonstration.
    pub demo_log_q: &'a [f64],
    /// `c_θ(τ)` of each sample.
    pub sample_costs: &'a [f64],
    /// `log q(τ)` of each sample.
    pub sample_log_q: &'a [f64],
}

impl Scores<'_> {
    /// `log E_μ[exp(−c_θ(τ)) / μ̃(τ)]` with `μ̃` taken at `log_z` (paper §3.2.1; the estimate of
    /// Equation 4 with the importance weights of Equation 5).
    pub fn importance_log_z(&self, log_z: f64) -> Result<f64> {
        let demo = log_mu_tilde(self.demo_costs, self.demo_log_q, log_z)?;
        let sample = log_mu_tilde(self.sample_costs, self.sample_log_q, log_z)?;
        Ok(log_mean_mixture(
            self.demo_costs
                .iter()
                .zip(&demo)
                .map(|(c, lm)| -c - lm)
                .collect::<Vec<_>>()
                .as_slice(),
            self.sample_costs
                .iter()
                .zip(&sample)
                .map(|(c, lm)| -c - lm)
                .collect::<Vec<_>>()
                .as_slice(),
        ))
    }
}

impl Scores<'_> {
    /// The `log Z` minimising `L_disc` for these costs and densities, by safeguarded Newton steps on
    ///
    /// ```text
    /// ∂L_disc/∂log Z   = E_p[1 − D(τ)] − E_q[D(τ)]
    /// ∂²L_disc/∂log Z² = E_p[D(1 − D)] + E_q[D(1 − D)]  (> 0: L_disc is convex in log Z)
    /// ```
    ///
    /// with `D(τ) = σ(−c_θ(τ) − log Z − log q(τ))`. By the paper's §3.2.1 it is the fixed point of
    /// [`Scores::importance_log_z`]. Useful to start or reset the learned `log Z`.
    pub fn optimal_log_z(&self) -> Result<f64> {
        for (what, v) in [
            ("demonstration costs", self.demo_costs),
            ("demonstration log q", self.demo_log_q),
            ("sample costs", self.sample_costs),
            ("sample log q", self.sample_log_q),
        ] {
            if v.is_empty() {
                return Err(GclError::Empty(what));
            }
            check_finite(what, v)?;
        }
        check_len(
            "demonstration log q",
            self.demo_costs.len(),
            self.demo_log_q.len(),
        )?;
        check_len(
            "sample log q",
            self.sample_costs.len(),
            self.sample_log_q.len(),
        )?;
        let mean = |costs: &[f64], log_q: &[f64], s: f64, f: &dyn Fn(f64) -> f64| -> f64 {
            let total: f64 = costs
                .iter()
                .zip(log_q)
                .map(|(c, lq)| f(sigmoid(-c - s - lq)))
                .sum();
            total / costs.len() as f64
        };
        let slope = |s: f64| {
            mean(self.demo_costs, self.demo_log_q, s, &|d| 1.0 - d)
                - mean(self.sample_costs, self.sample_log_q, s, &|d| d)
        };
        let curvature = |s: f64| {
            mean(self.demo_costs, self.demo_log_q, s, &|d| d * (1.0 - d))
                + mean(self.sample_costs, self.sample_log_q, s, &|d| d * (1.0 - d))
        };
        // A bracket with the slope negative at `lo` and positive at `hi`.
        let (mut lo, mut hi) = (-1.0, 1.0);
        while slope(lo) > 0.0 {
            lo = 2.0 * lo - 1.0;
        }
        while slope(hi) < 0.0 {
            hi = 2.0 * hi + 1.0;
        }
        let mut s = 0.5 * (lo + hi);
        for _ in 0..200 {
            let g = slope(s);
            if g == 0.0 {
                break;
            }
            if g < 0.0 {
                lo = s;
            } else {
                hi = s;
            }
            let newton = s - g / curvature(s);
            let next = if newton > lo && newton < hi {
                newton
            } else {
                0.5 * (lo + hi)
            };
            let done = (next - s).abs() <= 1e-14 * s.abs().max(1.0);
            s = next;
            if done {
                break;
            }
        }
        Ok(s)
    }
}

/// `σ(x) = 1 / (1 + e^{−x})` without overflow.
fn sigmoid(x: f64) -> f64 {
    if x >= 0.0 {
        1.0 / (1.0 + (-x).exp())
    } else {
        let e = x.exp();
        e / (1.0 + e)
    }
}

/// `log(½ mean_i e^{a_i} + ½ mean_j e^{b_j})`: the log of an expectation over `μ = ½p + ½q`.
pub(crate) fn log_mean_mixture(a: &[f64], b: &[f64]) -> f64 {
    let wa = (0.5 / a.len() as f64).ln();
    let wb = (0.5 / b.len() as f64).ln();
    log_sum_exp(a.iter().map(|v| v + wa).chain(b.iter().map(|v| v + wb)))
}
