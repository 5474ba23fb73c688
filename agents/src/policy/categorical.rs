//! Categorical policies over `n` discrete actions: tabular logits per state, or an MLP over
//! observation features.

use super::{check_batch, check_rngs, TrainablePolicy};
use crate::nn::{Activation, Device, Graph, HostMlp, Mlp, MlpBuilder, NnError, ParamId, ParamSet};
use crate::nn::{Result, Var};
use costlearn_envs::policy::argmax;
use costlearn_envs::{episode_rng, Policy, Rng};
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use rand::Rng as _;
use std::sync::Arc;

/// How a tabular policy reads the state out of an observation row.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StateEncoding {
    /// The observation is one float holding the state index.
    #[default]
    Index,
    /// The observation is a one-hot vector of length `n_states`; the state is its largest entry.
    OneHot,
}

impl StateEncoding {
    fn obs_dim(self, n_states: usize) -> usize {
        match self {
            StateEncoding::Index => 1,
            StateEncoding::OneHot => n_states,
        }
    }

    fn decode(self, row: ArrayView1<'_, f32>, n_states: usize) -> Result<usize> {
        match self {
            StateEncoding::Index => index(row[0], n_states, "state"),
            StateEncoding::OneHot => {
                let mut best = (0, f32::NEG_INFINITY);
                for (i, &v) in row.iter().enumerate() {
                    if !v.is_finite() {
                        return Err(NnError::BadIndex {
                            what: "one-hot state entry",
                            value: v,
                        });
                    }
                    if v > best.1 {
                        best = (i, v);
                    }
                }
                Ok(best.0)
            }
        }
    }
}

/// `value` as an index below `n`.
fn index(value: f32, n: usize, what: &'static str) -> Result<usize> {
    if value >= 0.0 && value.fract() == 0.0 && (value as usize) < n {
        Ok(value as usize)
    } else {
        Err(NnError::BadIndex { what, value })
    }
}

/// The action indices of an `[n, 1]` batch.
fn action_indices(acts: ArrayView2<'_, f32>, n_actions: usize) -> Result<Vec<usize>> {
    acts.column(0)
        .iter()
        .map(|&a| index(a, n_actions, "action"))
        .collect()
}

/// Row-wise log-softmax of host logits, in f64 for accuracy.
fn log_softmax(logits: &mut Array2<f32>) {
    for mut row in logits.rows_mut() {
        let max = row.iter().fold(f32::NEG_INFINITY, |m, &v| m.max(v));
        let lse = f64::from(max)
            + row
                .iter()
                .map(|&v| (f64::from(v) - f64::from(max)).exp())
                .sum::<f64>()
                .ln();
        row.mapv_inplace(|v| (f64::from(v) - lse) as f32);
    }
}

/// Draws an index from the log-probabilities `log_p` by inverting the CDF with one uniform of `rng`.
fn sample(log_p: ArrayView1<'_, f32>, rng: &mut Rng) -> usize {
    let u: f64 = rng.gen();
    let mut acc = 0.0;
    for (i, &lp) in log_p.iter().enumerate() {
        acc += f64::from(lp).exp();
        if u < acc {
            return i;
        }
    }
    // Rounding left `acc` a hair below 1: take the last action with positive probability.
    log_p
        .iter()
        .rposition(|&lp| lp > f32::NEG_INFINITY)
        .unwrap_or(0)
}

/// Options of a [`TabularSoftmaxPolicy`].
#[derive(Clone, Debug, PartialEq)]
pub struct TabularSoftmaxBuilder {
    n_states: usize,
    n_actions: usize,
    encoding: StateEncoding,
    device: Device,
    logits: Option<Array2<f32>>,
}

impl TabularSoftmaxBuilder {
    /// A policy over `n_actions` actions in each of `n_states` states; uniform by default.
    pub fn new(n_states: usize, n_actions: usize) -> Self {
        Self {
            n_states,
            n_actions,
            encoding: StateEncoding::Index,
            device: Device::Cpu,
            logits: None,
        }
    }

    /// How observations encode the state (an index by default).
    pub fn encoding(mut self, encoding: StateEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    /// Initial logits `[n_states, n_actions]` (e.g. the soft Q-values of a planner).
    pub fn logits(mut self, logits: Array2<f32>) -> Self {
        self.logits = Some(logits);
        self
    }

    /// Device of the training parameters.
    pub fn device(mut self, device: Device) -> Self {
        self.device = device;
        self
    }

    /// Builds the policy. Errors on zero sizes or logits of the wrong shape or non-finite.
    pub fn build(self) -> Result<TabularSoftmaxPolicy> {
        if self.n_states == 0 || self.n_actions == 0 {
            return Err(NnError::InvalidConfig(format!(
                "a tabular policy needs states and actions, got {}x{}",
                self.n_states, self.n_actions
            )));
        }
        let shape = (self.n_states, self.n_actions);
        let logits = self.logits.unwrap_or_else(|| Array2::zeros(shape));
        if logits.dim() != shape {
            return Err(NnError::ShapeMismatch {
                op: "tabular logits",
                left: logits.dim(),
                right: shape,
            });
        }
        if logits.iter().any(|v| !v.is_finite()) {
            return Err(NnError::InvalidConfig(
                "tabular logits must be finite".into(),
            ));
        }
        let mut params = ParamSet::new(self.device)?;
        let id = params.add("logits", logits)?;
        Ok(TabularSoftmaxPolicy {
            params,
            logits: id,
            encoding: self.encoding,
        })
    }
}

/// `π(a | s) = softmax(L[s])_a` with one learnable row of logits per state.
#[derive(Clone, Debug)]
pub struct TabularSoftmaxPolicy {
    params: ParamSet,
    logits: ParamId,
    encoding: StateEncoding,
}

impl TabularSoftmaxPolicy {
    /// Number of states.
    pub fn n_states(&self) -> usize {
        self.params.shape(self.logits).0
    }

    /// Number of actions.
    pub fn n_actions(&self) -> usize {
        self.params.shape(self.logits).1
    }

    /// Current logits `[n_states, n_actions]`.
    pub fn logits(&self) -> Array2<f32> {
        self.params.get(self.logits)
    }

    /// Replaces the logits (same shape).
    pub fn set_logits(&mut self, logits: &Array2<f32>) -> Result<()> {
        self.params.set(self.logits, logits)
    }

    fn states(&self, obs: ArrayView2<'_, f32>) -> Result<Vec<usize>> {
        obs.rows()
            .into_iter()
            .map(|row| self.encoding.decode(row, self.n_states()))
            .collect()
    }
}

impl TrainablePolicy for TabularSoftmaxPolicy {
    type Snapshot = TabularSnapshot;

    fn obs_dim(&self) -> usize {
        self.encoding.obs_dim(self.n_states())
    }

    fn act_dim(&self) -> usize {
        1
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
        check_batch(obs, acts, self.obs_dim(), 1)?;
        let states = self.states(obs)?;
        let actions = action_indices(acts, self.n_actions())?;
        self.params
            .var(graph, self.logits)?
            .take_rows(&states)?
            .log_softmax_rows()
            .pick(&actions)
    }

    fn snapshot(&self) -> TabularSnapshot {
        let mut log_probs = self.logits();
        log_softmax(&mut log_probs);
        TabularSnapshot {
            log_probs: Arc::new(log_probs),
            encoding: self.encoding,
        }
    }
}

/// A CPU copy of a [`TabularSoftmaxPolicy`]: its table of log-probabilities.
#[derive(Clone, Debug)]
pub struct TabularSnapshot {
    log_probs: Arc<Array2<f32>>,
    encoding: StateEncoding,
}

impl TabularSnapshot {
    /// `log π(a | s)` as a table `[n_states, n_actions]`.
    pub fn log_probs(&self) -> &Array2<f32> {
        &self.log_probs
    }

    fn check_obs(&self, obs: ArrayView2<'_, f32>) -> Result<Vec<usize>> {
        let n = self.log_probs.nrows();
        let dim = self.encoding.obs_dim(n);
        if obs.ncols() != dim {
            return Err(NnError::ShapeMismatch {
                op: "policy observations",
                left: obs.dim(),
                right: (obs.nrows(), dim),
            });
        }
        obs.rows()
            .into_iter()
            .map(|row| self.encoding.decode(row, n))
            .collect()
    }

    /// [`Policy::act`] with errors for invalid observations or too few generators.
    pub fn try_act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Result<Array2<f32>> {
        check_rngs(obs.nrows(), rngs.len())?;
        let states = self.check_obs(obs)?;
        Ok(states
            .iter()
            .zip(rngs.iter_mut())
            .map(|(&s, rng)| sample(self.log_probs.row(s), rng) as f32)
            .collect::<Array1<f32>>()
            .insert_axis(ndarray::Axis(1)))
    }

    /// [`Policy::log_prob`] with errors for invalid observations or actions.
    pub fn try_log_prob(
        &self,
        obs: ArrayView2<'_, f32>,
        acts: ArrayView2<'_, f32>,
    ) -> Result<Array1<f32>> {
        let states = self.check_obs(obs)?;
        check_batch(obs, acts, obs.ncols(), 1)?;
        let actions = action_indices(acts, self.log_probs.ncols())?;
        Ok(states
            .iter()
            .zip(&actions)
            .map(|(&s, &a)| self.log_probs[[s, a]])
            .collect())
    }
}

impl Policy for TabularSnapshot {
    /// Samples one action per row from `rngs[i]`; an invalid state gives NaN.
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        self.try_act(obs, rngs)
            .unwrap_or_else(|_| Array2::from_elem((obs.nrows(), 1), f32::NAN))
    }

    /// `log π(a|s)`; an action outside `0..n` has probability zero (−∞), an invalid state gives NaN.
    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        let Ok(states) = self.check_obs(obs) else {
            return Array1::from_elem(obs.nrows(), f32::NAN);
        };
        if acts.dim() != (obs.nrows(), 1) {
            return Array1::from_elem(obs.nrows(), f32::NAN);
        }
        states
            .iter()
            .zip(acts.column(0))
            .map(
                |(&s, &a)| match index(a, self.log_probs.ncols(), "action") {
                    Ok(a) => self.log_probs[[s, a]],
                    Err(_) => f32::NEG_INFINITY,
                },
            )
            .collect()
    }

    /// The most probable action of each state.
    fn mode(&self, obs: ArrayView2<'_, f32>) -> Option<Array2<f32>> {
        let states = self.check_obs(obs).ok()?;
        let modes = states
            .iter()
            .map(|&s| argmax(self.log_probs.row(s).iter().copied()).map(|a| a as f32))
            .collect::<Option<Array1<f32>>>()?;
        Some(modes.insert_axis(ndarray::Axis(1)))
    }
}

/// Options of a [`CategoricalMlpPolicy`].
#[derive(Clone, Debug, PartialEq)]
pub struct CategoricalMlpBuilder {
    obs_dim: usize,
    n_actions: usize,
    hidden: Vec<usize>,
    activation: Activation,
    device: Device,
    seed: u64,
}

impl CategoricalMlpBuilder {
    /// A policy from `obs_dim` features to `n_actions` actions; by default two tanh hidden layers
    /// of 64, CPU, seed 0.
    pub fn new(obs_dim: usize, n_actions: usize) -> Self {
        Self {
            obs_dim,
            n_actions,
            hidden: vec![64, 64],
            activation: Activation::Tanh,
            device: Device::Cpu,
            seed: 0,
        }
    }

    /// Hidden layer widths.
    pub fn hidden(mut self, sizes: &[usize]) -> Self {
        self.hidden = sizes.to_vec();
        self
    }

    /// Hidden nonlinearity.
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
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

    /// Builds the policy. Errors on zero sizes.
    pub fn build(self) -> Result<CategoricalMlpPolicy> {
        let mut params = ParamSet::new(self.device)?;
        let net = MlpBuilder::new(self.obs_dim, self.n_actions)
            .hidden(&self.hidden)
            .activation(self.activation)
            .output_gain(0.01)
            .build(&mut params, "logits", &mut episode_rng(self.seed, 0))?;
        Ok(CategoricalMlpPolicy { params, net })
    }
}

/// `π(a | x) = softmax(f_θ(x))_a` with an MLP `f_θ` over observation features.
#[derive(Clone, Debug)]
pub struct CategoricalMlpPolicy {
    params: ParamSet,
    net: Mlp,
}

impl CategoricalMlpPolicy {
    /// Number of actions.
    pub fn n_actions(&self) -> usize {
        self.net.output_dim()
    }

    /// The logits network.
    pub fn net(&self) -> &Mlp {
        &self.net
    }
}

impl TrainablePolicy for CategoricalMlpPolicy {
    type Snapshot = CategoricalMlpSnapshot;

    fn obs_dim(&self) -> usize {
        self.net.input_dim()
    }

    fn act_dim(&self) -> usize {
        1
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
        check_batch(obs, acts, self.obs_dim(), 1)?;
        let actions = action_indices(acts, self.n_actions())?;
        self.net
            .forward_array(&self.params, graph, obs)?
            .log_softmax_rows()
            .pick(&actions)
    }

    fn snapshot(&self) -> CategoricalMlpSnapshot {
        CategoricalMlpSnapshot {
            net: Arc::new(self.net.to_host(&self.params)),
        }
    }
}

/// A CPU copy of a [`CategoricalMlpPolicy`]; cloning shares the weights.
#[derive(Clone, Debug)]
pub struct CategoricalMlpSnapshot {
    net: Arc<HostMlp>,
}

impl CategoricalMlpSnapshot {
    /// `log π(· | x)` for each row, `[n, n_actions]`.
    pub fn log_probs(&self, obs: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        let mut logits = self.net.forward(obs)?;
        log_softmax(&mut logits);
        Ok(logits)
    }

    /// [`Policy::act`] with errors for a wrong observation width or too few generators.
    pub fn try_act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Result<Array2<f32>> {
        check_rngs(obs.nrows(), rngs.len())?;
        let lp = self.log_probs(obs)?;
        Ok(lp
            .rows()
            .into_iter()
            .zip(rngs.iter_mut())
            .map(|(row, rng)| sample(row, rng) as f32)
            .collect::<Array1<f32>>()
            .insert_axis(ndarray::Axis(1)))
    }

    /// [`Policy::log_prob`] with errors for mismatched shapes or invalid actions.
    pub fn try_log_prob(
        &self,
        obs: ArrayView2<'_, f32>,
        acts: ArrayView2<'_, f32>,
    ) -> Result<Array1<f32>> {
        check_batch(obs, acts, self.net.input_dim(), 1)?;
        let actions = action_indices(acts, self.net.output_dim())?;
        let lp = self.log_probs(obs)?;
        Ok(actions
            .iter()
            .enumerate()
            .map(|(i, &a)| lp[[i, a]])
            .collect())
    }
}

impl Policy for CategoricalMlpSnapshot {
    /// Samples one action per row from `rngs[i]`; a wrong observation width gives NaN.
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        self.try_act(obs, rngs)
            .unwrap_or_else(|_| Array2::from_elem((obs.nrows(), 1), f32::NAN))
    }

    /// `log π(a|x)`; an action outside `0..n` has probability zero (−∞), bad shapes give NaN.
    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        let Ok(lp) = self.log_probs(obs) else {
            return Array1::from_elem(obs.nrows(), f32::NAN);
        };
        if acts.dim() != (obs.nrows(), 1) {
            return Array1::from_elem(obs.nrows(), f32::NAN);
        }
        acts.column(0)
            .iter()
            .enumerate()
            .map(|(i, &a)| match index(a, lp.ncols(), "action") {
                Ok(a) => lp[[i, a]],
                Err(_) => f32::NEG_INFINITY,
            })
            .collect()
    }

    /// The most probable action of each row.
    fn mode(&self, obs: ArrayView2<'_, f32>) -> Option<Array2<f32>> {
        let lp = self.log_probs(obs).ok()?;
        let modes = lp
            .rows()
            .into_iter()
            .map(|row| argmax(row.iter().copied()).map(|a| a as f32))
            .collect::<Option<Array1<f32>>>()?;
        Some(modes.insert_axis(ndarray::Axis(1)))
    }
}
