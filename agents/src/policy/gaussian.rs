//! Diagonal Gaussian policy with an MLP mean and a learned, state-independent log std, optionally
//! squashed by tanh into a box.

use super::{check_batch, check_rngs, TrainablePolicy};
use crate::nn::{Activation, Device, Graph, HostMlp, Mlp, MlpBuilder, NnError, ParamId, ParamSet};
use crate::nn::{Result, Var};
use costlearn_envs::{episode_rng, Policy, Rng};
use ndarray::{Array1, Array2, ArrayView2, Zip};
use rand_distr::{Distribution, StandardNormal};
use std::sync::Arc;

const LN_2PI: f64 = 1.837_877_066_409_345_5;
/// Squashed actions are pulled this far inside `(-1, 1)` before `atanh`, so that an action that
/// rounded to the boundary keeps a finite log-probability.
const SQUASH_EDGE: f64 = 1e-6;

/// Options of a [`GaussianMlpPolicy`].
#[derive(Clone, Debug, PartialEq)]
pub struct GaussianMlpBuilder {
    obs_dim: usize,
    act_dim: usize,
    hidden: Vec<usize>,
    activation: Activation,
    init_log_std: f32,
    squash: Option<(Vec<f32>, Vec<f32>)>,
    device: Device,
    seed: u64,
}

impl GaussianMlpBuilder {
    /// A policy from `obs_dim` observations to `act_dim` actions; by default two tanh hidden layers
    /// of 64, initial log std 0, no squashing, CPU, seed 0.
    pub fn new(obs_dim: usize, act_dim: usize) -> Self {
        Self {
            obs_dim,
            act_dim,
            hidden: vec![64, 64],
            activation: Activation::Tanh,
            init_log_std: 0.0,
            squash: None,
            device: Device::Cpu,
            seed: 0,
        }
    }

    /// Hidden layer widths of the mean network.
    pub fn hidden(mut self, sizes: &[usize]) -> Self {
        self.hidden = sizes.to_vec();
        self
    }

    /// Hidden nonlinearity of the mean network.
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// Initial value of every log standard deviation.
    pub fn init_log_std(mut self, log_std: f32) -> Self {
        self.init_log_std = log_std;
        self
    }

    /// Squash actions into the box `[low, high]`: `a = c + h·tanh(u)` with `c` the centre and `h`
    /// the half-width, `u` the Gaussian sample. Log-probabilities include the Jacobian term.
    pub fn squash_to(mut self, low: &[f32], high: &[f32]) -> Self {
        self.squash = Some((low.to_vec(), high.to_vec()));
        self
    }

    /// Squash actions into `[-1, 1]` with `tanh`.
    pub fn tanh_squash(self) -> Self {
        let n = self.act_dim;
        self.squash_to(&vec![-1.0; n], &vec![1.0; n])
    }

    /// Device of the training network.
    pub fn device(mut self, device: Device) -> Self {
        self.device = device;
        self
    }

    /// Seed of the initial weights.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Builds the policy. Errors on zero sizes, a non-finite log std, or a malformed squash box.
    pub fn build(self) -> Result<GaussianMlpPolicy> {
        if !self.init_log_std.is_finite() {
            return Err(NnError::InvalidConfig(format!(
                "initial log std must be finite, got {}",
                self.init_log_std
            )));
        }
        let squash = self
            .squash
            .as_ref()
            .map(|(low, high)| Squash::new(low, high, self.act_dim))
            .transpose()?;
        let mut params = ParamSet::new(self.device)?;
        let mut rng = episode_rng(self.seed, 0);
        let mean = MlpBuilder::new(self.obs_dim, self.act_dim)
            .hidden(&self.hidden)
            .activation(self.activation)
            .output_gain(0.01)
            .build(&mut params, "mean", &mut rng)?;
        let log_std = params.add(
            "log_std",
            Array2::from_elem((1, self.act_dim), self.init_log_std),
        )?;
        Ok(GaussianMlpPolicy {
            params,
            mean,
            log_std,
            squash,
        })
    }
}

/// The affine-tanh map `a = centre + half · tanh(u)` into a box.
#[derive(Clone, Debug, PartialEq)]
struct Squash {
    centre: Array1<f32>,
    half: Array1<f32>,
    /// `Σ_j ln half_j`, the constant part of the log-Jacobian.
    log_half_sum: f64,
}

impl Squash {
    fn new(low: &[f32], high: &[f32], dim: usize) -> Result<Self> {
        if low.len() != dim || high.len() != dim {
            return Err(NnError::InvalidConfig(format!(
                "squash box has {} and {} bounds for {dim} action dimensions",
                low.len(),
                high.len()
            )));
        }
        if let Some(j) =
            (0..dim).find(|&j| !(low[j].is_finite() && high[j].is_finite() && low[j] < high[j]))
        {
            return Err(NnError::InvalidConfig(format!(
                "squash bound {j} must be finite with low < high, got [{}, {}]",
                low[j], high[j]
            )));
        }
        let centre: Array1<f32> = low.iter().zip(high).map(|(l, h)| 0.5 * (l + h)).collect();
        let half: Array1<f32> = low.iter().zip(high).map(|(l, h)| 0.5 * (h - l)).collect();
        let log_half_sum = half.iter().map(|&h| f64::from(h).ln()).sum();
        Ok(Self {
            centre,
            half,
            log_half_sum,
        })
    }

    fn apply(&self, j: usize, u: f32) -> f32 {
        self.centre[j] + self.half[j] * u.tanh()
    }

    /// The pre-squash values `u = atanh((a - c) / h)` and, per row, `ln |da/du|`
    /// `= Σ_j ln h_j + ln(1 - tanh² u_j)`, with `ln(1 - tanh² u) = 2 (ln 2 - u - softplus(-2u))`
    /// (exact and free of cancellation for large `|u|`).
    fn invert(&self, acts: ArrayView2<'_, f32>) -> (Array2<f32>, Array1<f32>) {
        let mut u = Array2::zeros(acts.dim());
        let mut log_jac = Array1::zeros(acts.nrows());
        for ((a_row, mut u_row), lj) in acts.rows().into_iter().zip(u.rows_mut()).zip(&mut log_jac)
        {
            let mut sum = self.log_half_sum;
            for (j, (&a, u)) in a_row.iter().zip(u_row.iter_mut()).enumerate() {
                let z = ((f64::from(a) - f64::from(self.centre[j])) / f64::from(self.half[j]))
                    .clamp(-1.0 + SQUASH_EDGE, 1.0 - SQUASH_EDGE);
                let x = z.atanh();
                *u = x as f32;
                sum += 2.0 * (std::f64::consts::LN_2 - x - softplus(-2.0 * x));
            }
            *lj = sum as f32;
        }
        (u, log_jac)
    }
}

fn softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

/// Diagonal Gaussian policy `u ~ N(μ_θ(x), diag σ²)`, `σ = exp(log_std)` learned and independent of
/// the state; with squashing the action is `a = c + h·tanh(u)`.
#[derive(Clone, Debug)]
pub struct GaussianMlpPolicy {
    params: ParamSet,
    mean: Mlp,
    log_std: ParamId,
    squash: Option<Squash>,
}

impl GaussianMlpPolicy {
    /// The mean network.
    pub fn mean_net(&self) -> &Mlp {
        &self.mean
    }

    /// Current log standard deviations.
    pub fn log_std(&self) -> Array1<f32> {
        self.params.get(self.log_std).row(0).to_owned()
    }

    /// Whether actions are squashed into a box.
    pub fn is_squashed(&self) -> bool {
        self.squash.is_some()
    }
}

impl TrainablePolicy for GaussianMlpPolicy {
    type Snapshot = GaussianSnapshot;

    fn obs_dim(&self) -> usize {
        self.mean.input_dim()
    }

    fn act_dim(&self) -> usize {
        self.mean.output_dim()
    }

    fn params(&self) -> &ParamSet {
        &self.params
    }

    fn params_mut(&mut self) -> &mut ParamSet {
        &mut self.params
    }

    fn log_prob_var(
        &self,
        graph: &Graph,
        obs: ArrayView2<'_, f32>,
        acts: ArrayView2<'_, f32>,
    ) -> Result<Var> {
        check_batch(obs, acts, self.obs_dim(), self.act_dim())?;
        let (u, log_jac) = match &self.squash {
            Some(s) => {
                let (u, lj) = s.invert(acts);
                (u, Some(lj))
            }
            None => (acts.to_owned(), None),
        };
        let mean = self.mean.forward_array(&self.params, graph, obs)?;
        let log_std = self.params.var(graph, self.log_std)?;
        let z = graph
            .constant(u.view())
            .sub(&mean)?
            .mul(&log_std.neg().exp())?;
        let d = self.act_dim() as f64;
        let lp = z
            .square()
            .sum_rows()
            .scale(-0.5)
            .sub(&log_std.sum())?
            .add_scalar((-0.5 * d * LN_2PI) as f32);
        match log_jac {
            Some(lj) => lp.sub(&graph.column(lj.as_slice().expect("fresh array is contiguous"))),
            None => Ok(lp),
        }
    }

    fn snapshot(&self) -> GaussianSnapshot {
        let log_std = self.log_std();
        GaussianSnapshot {
            inner: Arc::new(GaussianHost {
                mean: self.mean.to_host(&self.params),
                std: log_std.mapv(f32::exp),
                log_std_sum: log_std.iter().map(|&v| f64::from(v)).sum(),
                log_std,
                squash: self.squash.clone(),
            }),
        }
    }
}

#[derive(Debug)]
struct GaussianHost {
    mean: HostMlp,
    log_std: Array1<f32>,
    std: Array1<f32>,
    log_std_sum: f64,
    squash: Option<Squash>,
}

/// A CPU copy of a [`GaussianMlpPolicy`]; cloning shares the weights.
#[derive(Clone, Debug)]
pub struct GaussianSnapshot {
    inner: Arc<GaussianHost>,
}

impl GaussianSnapshot {
    /// Floats per observation.
    pub fn obs_dim(&self) -> usize {
        self.inner.mean.input_dim()
    }

    /// Floats per action.
    pub fn act_dim(&self) -> usize {
        self.inner.mean.output_dim()
    }

    /// The log standard deviations.
    pub fn log_std(&self) -> &Array1<f32> {
        &self.inner.log_std
    }

    /// The mean network `μ`.
    pub fn mean_net(&self) -> &HostMlp {
        &self.inner.mean
    }

    /// Whether actions are squashed into a box.
    pub fn is_squashed(&self) -> bool {
        self.inner.squash.is_some()
    }

    /// The mean `μ(x)` before squashing, `[n, act_dim]`.
    pub fn mean(&self, obs: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        self.inner.mean.forward(obs)
    }

    /// The deterministic action: the mean, squashed when the policy squashes.
    pub fn mean_action(&self, obs: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let mut mean = self.mean(obs)?;
        if let Some(s) = &self.inner.squash {
            for mut row in mean.rows_mut() {
                for (j, v) in row.iter_mut().enumerate() {
                    *v = s.apply(j, *v);
                }
            }
        }
        Ok(mean)
    }

    /// [`Policy::act`] with errors: wrong observation width, or fewer generators than rows.
    pub fn try_act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Result<Array2<f32>> {
        check_rngs(obs.nrows(), rngs.len())?;
        let mut acts = self.mean(obs)?;
        let std = &self.inner.std;
        for (mut row, rng) in acts.rows_mut().into_iter().zip(rngs.iter_mut()) {
            for (j, v) in row.iter_mut().enumerate() {
                let eps: f32 = StandardNormal.sample(rng);
                let u = *v + std[j] * eps;
                *v = match &self.inner.squash {
                    Some(s) => s.apply(j, u),
                    None => u,
                };
            }
        }
        Ok(acts)
    }

    /// [`Policy::log_prob`] with errors for mismatched shapes.
    pub fn try_log_prob(
        &self,
        obs: ArrayView2<'_, f32>,
        acts: ArrayView2<'_, f32>,
    ) -> Result<Array1<f32>> {
        check_batch(obs, acts, self.obs_dim(), self.act_dim())?;
        let h = &self.inner;
        let mean = h.mean.forward(obs)?;
        let (u, log_jac) = match &h.squash {
            Some(s) => {
                let (u, lj) = s.invert(acts);
                (u, Some(lj))
            }
            None => (acts.to_owned(), None),
        };
        let d = self.act_dim() as f64;
        let mut out = Array1::zeros(obs.nrows());
        Zip::from(&mut out)
            .and(u.rows())
            .and(mean.rows())
            .for_each(|o, u_row, m_row| {
                let sq: f64 = u_row
                    .iter()
                    .zip(m_row)
                    .zip(&h.std)
                    .map(|((&u, &m), &s)| {
                        let z = f64::from((u - m) / s);
                        z * z
                    })
                    .sum();
                *o = (-0.5 * sq - h.log_std_sum - 0.5 * d * LN_2PI) as f32;
            });
        if let Some(lj) = log_jac {
            out -= &lj;
        }
        Ok(out)
    }
}

impl Policy for GaussianSnapshot {
    /// Samples `a = μ(x) + σ·ε` (squashed if configured), `ε` drawn from `rngs[i]` for row `i`. An
    /// observation of the wrong width gives a row of NaN.
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        self.try_act(obs, rngs)
            .unwrap_or_else(|_| Array2::from_elem((obs.nrows(), self.act_dim()), f32::NAN))
    }

    /// The density of the action as sampled (with the tanh Jacobian when squashed). Mismatched
    /// shapes give NaN.
    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        self.try_log_prob(obs, acts)
            .unwrap_or_else(|_| Array1::from_elem(obs.nrows(), f32::NAN))
    }

    /// The mean action, squashed when the policy squashes.
    fn mode(&self, obs: ArrayView2<'_, f32>) -> Option<Array2<f32>> {
        self.mean_action(obs).ok()
    }
}
