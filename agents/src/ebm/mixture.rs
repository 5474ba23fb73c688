//! A Gaussian mixture generator over points in `R^d`: its density is exact, so it serves as the
//! sampler `q` of the paper's EBM view (§4), and its log-density is differentiable in its
//! parameters (logits, means, log standard deviations).

use crate::gcl::partition::log_sum_exp;
use crate::nn::{Graph, ParamId, ParamSet, Result, Var};
use costlearn_envs::Rng;
use ndarray::{Array1, Array2, ArrayView2, Axis};
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};

const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// `q(x) = Σ_k w_k N(x; μ_k, diag σ_k²)`, `w = softmax(logits)`, with its parameters in a
/// [`ParamSet`] (means and log standard deviations stored `[d, K]`, one column per component).
pub struct GaussianMixture {
    params: ParamSet,
    logits: ParamId,
    means: ParamId,
    log_std: ParamId,
    dim: usize,
}

/// The parameters of a [`GaussianMixture`] frozen as plain numbers: one policy snapshot of the
/// fusion density.
#[derive(Clone, Debug, PartialEq)]
pub struct MixtureSnapshot {
    /// `log w_k`, `[K]`.
    pub log_weights: Array1<f64>,
    /// `μ_k` as columns, `[d, K]`.
    pub means: Array2<f64>,
    /// `log σ_k` as columns, `[d, K]`.
    pub log_std: Array2<f64>,
}

impl GaussianMixture {
    /// `components` equally weighted components of standard deviation `std`, their means drawn
    /// from `N(0, spread²)` in `dim` dimensions.
    pub fn new(
        dim: usize,
        components: usize,
        spread: f32,
        std: f32,
        rng: &mut Rng,
    ) -> Result<Self> {
        let mut params = ParamSet::new(crate::nn::Device::Cpu)?;
        let logits = params.add("generator.logits", Array2::zeros((1, components)))?;
        let means = params.add(
            "generator.means",
            Array2::from_shape_simple_fn((dim, components), || {
                let z: f32 = StandardNormal.sample(&mut *rng);
                spread * z
            }),
        )?;
        let log_std = params.add(
            "generator.log_std",
            Array2::from_elem((dim, components), std.ln()),
        )?;
        Ok(Self {
            params,
            logits,
            means,
            log_std,
            dim,
        })
    }

    /// The parameters, for an optimiser.
    pub fn params(&self) -> &ParamSet {
        &self.params
    }

    /// The parameters, for an optimiser.
    pub fn params_mut(&mut self) -> &mut ParamSet {
        &mut self.params
    }

    /// The current parameters as numbers.
    pub fn snapshot(&self) -> MixtureSnapshot {
        let logits = self.params.get(self.logits).row(0).mapv(f64::from);
        let max = logits.fold(f64::NEG_INFINITY, |m, &v| m.max(v));
        let log_norm = max + logits.mapv(|l| (l - max).exp()).sum().ln();
        MixtureSnapshot {
            log_weights: logits.mapv(|l| l - log_norm),
            means: self.params.get(self.means).mapv(f64::from),
            log_std: self.params.get(self.log_std).mapv(f64::from),
        }
    }

    /// `log q_φ(x_i)` of each row of `x` (`[n, d]`, held fixed) as an `[n, 1]` variable of
    /// `graph`, differentiable in the parameters:
    ///
    /// ```text
    /// log q(x) = logsumexp_k [ log w_k − ½ Σ_j (x_j − μ_kj)² / σ_kj² − Σ_j log σ_kj ] − (d/2) log 2π
    /// ```
    ///
    /// The square is expanded, `x²·P − 2x·(μ∘P) + 1·(μ²∘P)` with `P = σ⁻²`, so that every term
    /// is a matrix product of `[n, d]` by `[d, K]`.
    pub fn log_density_var(&self, graph: &Graph, x: ArrayView2<'_, f32>) -> Result<Var> {
        let n = x.nrows();
        let logits = self.params.var(graph, self.logits)?;
        let means = self.params.var(graph, self.means)?;
        let log_std = self.params.var(graph, self.log_std)?;
        let precision = log_std.scale(-2.0).exp();
        let rows = graph.constant(Array2::ones((n, 1)).view());
        let ones_d = graph.constant(Array2::ones((1, self.dim)).view());
        let square = graph
            .constant(x.mapv(|v| v * v).view())
            .matmul(&precision)?;
        let cross = graph.constant(x).matmul(&means.mul(&precision)?)?;
        let offset = ones_d.matmul(&means.square().mul(&precision)?)?;
        let log_det = ones_d.matmul(&log_std)?;
        let per_row = logits
            .log_softmax_rows()
            .sub(&log_det)?
            .sub(&offset.scale(0.5))?;
        let components = rows
            .matmul(&per_row)?
            .sub(&square.scale(0.5))?
            .add(&cross)?;
        Ok(components
            .logsumexp_rows()
            .add_scalar((-0.5 * self.dim as f64 * LN_2PI) as f32))
    }

    /// `n` samples `x = μ_k + σ_k·ε`, `k ~ w`, `ε ~ N(0, I)`, `[n, d]`.
    pub fn sample(&self, n: usize, rng: &mut Rng) -> Array2<f32> {
        self.snapshot().sample(n, rng)
    }
}

impl MixtureSnapshot {
    /// Components `K`.
    pub fn components(&self) -> usize {
        self.log_weights.len()
    }

    /// `log q(x_i)` of each row of `x` `[n, d]`.
    pub fn log_density(&self, x: ArrayView2<'_, f32>) -> Array1<f64> {
        let d = x.ncols() as f64;
        x.rows()
            .into_iter()
            .map(|row| {
                let terms = (0..self.components()).map(|k| {
                    let mut t = self.log_weights[k] - 0.5 * d * LN_2PI;
                    for (j, &v) in row.iter().enumerate() {
                        let z = (f64::from(v) - self.means[[j, k]]) / self.log_std[[j, k]].exp();
                        t -= 0.5 * z * z + self.log_std[[j, k]];
                    }
                    t
                });
                log_sum_exp(terms)
            })
            .collect()
    }

    /// `n` samples, `[n, d]`.
    pub fn sample(&self, n: usize, rng: &mut Rng) -> Array2<f32> {
        let d = self.means.len_of(Axis(0));
        let weights = self.log_weights.mapv(f64::exp);
        let mut out = Array2::zeros((n, d));
        for mut row in out.rows_mut() {
            let u: f64 = rng.gen();
            let mut k = 0;
            let mut cumulative = weights[0];
            while u > cumulative && k + 1 < weights.len() {
                k += 1;
                cumulative += weights[k];
            }
            for (j, v) in row.iter_mut().enumerate() {
                let eps: f64 = StandardNormal.sample(&mut *rng);
                *v = (self.means[[j, k]] + self.log_std[[j, k]].exp() * eps) as f32;
            }
        }
        out
    }
}
