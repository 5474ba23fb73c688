//! The cloned policy: a network behind the observation [`Standardizer`] fitted on the
//! demonstrations, and the networks BC trains by default ([`BcNet`]).

use super::MIN_STD;
use crate::nn::{Graph, NnError, ParamSet, Var};
use crate::policy::{
    CategoricalMlpPolicy, CategoricalMlpSnapshot, GaussianMlpPolicy, GaussianSnapshot,
    TrainablePolicy,
};
use costlearn_envs::{Policy, Rng};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

/// The affine map `x ↦ (x − mean) / std` applied to observations before the network.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Standardizer {
    /// Per-feature mean.
    pub mean: Vec<f32>,
    /// Per-feature standard deviation (1 for a feature that is constant in the data).
    pub std: Vec<f32>,
}

impl Standardizer {
    /// The map that leaves `dim` features unchanged.
    pub fn identity(dim: usize) -> Self {
        Self {
            mean: vec![0.0; dim],
            std: vec![1.0; dim],
        }
    }

    /// Mean and standard deviation of each column of `x` (rows are samples).
    pub fn fit(x: ArrayView2<'_, f32>) -> Self {
        let n = x.nrows().max(1) as f64;
        let mut mean = Array1::<f64>::zeros(x.ncols());
        for row in x.rows() {
            mean.zip_mut_with(&row, |m, &v| *m += f64::from(v));
        }
        mean /= n;
        let mut var = Array1::<f64>::zeros(x.ncols());
        for row in x.rows() {
            for ((s, &v), &m) in var.iter_mut().zip(row).zip(&mean) {
                let d = f64::from(v) - m;
                *s += d * d;
            }
        }
        var /= n;
        let std = var
            .iter()
            .map(|&v| {
                let s = v.sqrt() as f32;
                if s > MIN_STD {
                    s
                } else {
                    1.0
                }
            })
            .collect();
        Self {
            mean: mean.iter().map(|&m| m as f32).collect(),
            std,
        }
    }

    /// Number of features.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// `(x − mean) / std` for each row. Errors on a row of the wrong width, and when `mean` and
    /// `std` differ in length.
    pub fn apply(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>, NnError> {
        if self.std.len() != self.dim() {
            return Err(NnError::ShapeMismatch {
                op: "standardiser mean and deviation",
                left: (1, self.dim()),
                right: (1, self.std.len()),
            });
        }
        if x.ncols() != self.dim() {
            return Err(NnError::ShapeMismatch {
                op: "observation standardisation",
                left: x.dim(),
                right: (x.nrows(), self.dim()),
            });
        }
        let mut out = x.to_owned();
        for mut row in out.rows_mut() {
            for ((v, &m), &s) in row.iter_mut().zip(&self.mean).zip(&self.std) {
                *v = (*v - m) / s;
            }
        }
        Ok(out)
    }
}

/// A network `P` behind a [`Standardizer`]: `π(u|x) = π_P(u | (x − mean)/std)`.
///
/// It is itself a [`TrainablePolicy`] on raw observations (e.g. to warm-start another learner), and
/// its [`BcSnapshot`] acts on raw observations. [`TrainablePolicy::save`] writes the network's
/// weights; the standardiser is serialisable on its own.
#[derive(Clone, Debug)]
pub struct BcPolicy<P> {
    net: P,
    normalizer: Standardizer,
}

impl<P> BcPolicy<P> {
    /// Puts `net` behind `normalizer`.
    pub fn new(net: P, normalizer: Standardizer) -> Self {
        Self { net, normalizer }
    }

    /// The network, which sees standardised observations.
    pub fn net(&self) -> &P {
        &self.net
    }

    /// The observation standardiser.
    pub fn normalizer(&self) -> &Standardizer {
        &self.normalizer
    }

    /// The network and the standardiser.
    pub fn into_parts(self) -> (P, Standardizer) {
        (self.net, self.normalizer)
    }
}

impl<P: TrainablePolicy> TrainablePolicy for BcPolicy<P> {
    type Snapshot = BcSnapshot<P::Snapshot>;

    fn obs_dim(&self) -> usize {
        self.net.obs_dim()
    }

    fn act_dim(&self) -> usize {
        self.net.act_dim()
    }

    fn params(&self) -> &ParamSet {
        self.net.params()
    }

    fn params_mut(&mut self) -> &mut ParamSet {
        self.net.params_mut()
    }

    fn log_prob_var(
        &self,
        graph: &Graph,
        obs: ArrayView2<'_, f32>,
        acts: ArrayView2<'_, f32>,
    ) -> Result<Var, NnError> {
        let x = self.normalizer.apply(obs)?;
        self.net.log_prob_var(graph, x.view(), acts)
    }

    fn snapshot(&self) -> Self::Snapshot {
        BcSnapshot {
            inner: self.net.snapshot(),
            normalizer: self.normalizer.clone(),
        }
    }
}

/// A CPU copy of a [`BcPolicy`]: standardises raw observations, then asks the network's snapshot.
#[derive(Clone, Debug)]
pub struct BcSnapshot<S> {
    inner: S,
    normalizer: Standardizer,
}

impl<S> BcSnapshot<S> {
    /// The network's snapshot, which takes standardised observations.
    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// The observation standardiser.
    pub fn normalizer(&self) -> &Standardizer {
        &self.normalizer
    }
}

impl<S: Policy> Policy for BcSnapshot<S> {
    /// The network's action for the standardised observation; an observation of the wrong width is
    /// passed on unchanged, for the network to reject.
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        match self.normalizer.apply(obs) {
            Ok(x) => self.inner.act(x.view(), rngs),
            Err(_) => self.inner.act(obs, rngs),
        }
    }

    /// `log π(u|x)` of the network at the standardised observation (NaN for a wrong width).
    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        match self.normalizer.apply(obs) {
            Ok(x) => self.inner.log_prob(x.view(), acts),
            Err(_) => Array1::from_elem(obs.nrows(), f32::NAN),
        }
    }

    /// The network's mode at the standardised observation.
    fn mode(&self, obs: ArrayView2<'_, f32>) -> Option<Array2<f32>> {
        self.inner.mode(self.normalizer.apply(obs).ok()?.view())
    }
}

/// The network [`BcConfig::train`] picks for an action space.
#[derive(Clone, Debug)]
pub enum BcNet {
    /// Diagonal Gaussian MLP, for box actions.
    Gaussian(GaussianMlpPolicy),
    /// Categorical MLP over the observation, for discrete actions.
    Categorical(CategoricalMlpPolicy),
}

/// Snapshot of a [`BcNet`].
#[derive(Clone, Debug)]
pub enum BcNetSnapshot {
    /// Of a Gaussian MLP.
    Gaussian(GaussianSnapshot),
    /// Of a categorical MLP.
    Categorical(CategoricalMlpSnapshot),
}

impl TrainablePolicy for BcNet {
    type Snapshot = BcNetSnapshot;

    fn obs_dim(&self) -> usize {
        match self {
            BcNet::Gaussian(p) => p.obs_dim(),
            BcNet::Categorical(p) => p.obs_dim(),
        }
    }

    fn act_dim(&self) -> usize {
        match self {
            BcNet::Gaussian(p) => p.act_dim(),
            BcNet::Categorical(p) => p.act_dim(),
        }
    }

    fn params(&self) -> &ParamSet {
        match self {
            BcNet::Gaussian(p) => p.params(),
            BcNet::Categorical(p) => p.params(),
        }
    }

    fn params_mut(&mut self) -> &mut ParamSet {
        match self {
            BcNet::Gaussian(p) => p.params_mut(),
            BcNet::Categorical(p) => p.params_mut(),
        }
    }

    fn log_prob_var(
        &self,
        graph: &Graph,
        obs: ArrayView2<'_, f32>,
        acts: ArrayView2<'_, f32>,
    ) -> Result<Var, NnError> {
        match self {
            BcNet::Gaussian(p) => p.log_prob_var(graph, obs, acts),
            BcNet::Categorical(p) => p.log_prob_var(graph, obs, acts),
        }
    }

    fn snapshot(&self) -> BcNetSnapshot {
        match self {
            BcNet::Gaussian(p) => BcNetSnapshot::Gaussian(p.snapshot()),
            BcNet::Categorical(p) => BcNetSnapshot::Categorical(p.snapshot()),
        }
    }
}

impl Policy for BcNetSnapshot {
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        match self {
            BcNetSnapshot::Gaussian(p) => p.act(obs, rngs),
            BcNetSnapshot::Categorical(p) => p.act(obs, rngs),
        }
    }

    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        match self {
            BcNetSnapshot::Gaussian(p) => p.log_prob(obs, acts),
            BcNetSnapshot::Categorical(p) => p.log_prob(obs, acts),
        }
    }

    fn mode(&self, obs: ArrayView2<'_, f32>) -> Option<Array2<f32>> {
        match self {
            BcNetSnapshot::Gaussian(p) => p.mode(obs),
            BcNetSnapshot::Categorical(p) => p.mode(obs),
        }
    }
}
