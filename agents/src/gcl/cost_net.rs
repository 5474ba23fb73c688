//! The learned cost `c_θ(x, u)`, an MLP over the state and action (or over the state alone, or over
//! the features `φ(s)` of a tabular task's state), its optional shaping potential and its optional
//! regularisers.
//!
//! The trajectory cost is `c_θ(τ) = Σ_{t=1..T} c_θ(x_t, u_t)`: the steps of a trajectory are its
//! first `T` observations with their actions (the final observation `x_{T+1}` has no action and
//! takes no part).
//!
//! **Shaped form** (AIRL, Fu, Luo, Levine 2018, in cost terms). With a potential `h_φ(x)` the cost of
//! step `t` is
//!
//! ```text
//! f(x_t, u_t, x_{t+1}) = g_θ(x_t, u_t) + h_φ(x_{t+1}) − h_φ(x_t),   h_φ(x_{T+1}) := 0
//! ```
//!
//! `g_θ` is the task's part (state-only for a cost meant to transfer) and the potential difference
//! is shaping. The horizon is fixed and the potential after the last step is 0, so over a whole
//! trajectory the shaping telescopes to `−h_φ(x_1)`: it depends on the start state alone, which no
//! policy changes, so the trajectory-level optimum is that of `g_θ` (Ng, Harada, Russell 1999).
//! [`CostPart::Task`] reads `g_θ` alone, e.g. to re-optimise a fresh policy on it.

mod regulariser;

use super::error::{check_finite, GclError, Result};
pub use super::features::FeatureMap;
pub use super::step_batch::StepBatch;
use crate::nn::{Activation, Graph, HostMlp, Mlp, MlpBuilder, ParamSet, Var};
use costlearn_envs::tabular::observation;
use costlearn_envs::Rng;
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

/// What the cost network sees at each step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostInput {
    /// `c_θ(x, u)` over the concatenated state and action.
    #[default]
    StateAction,
    /// `c_θ(x)` over the state only (an energy, as in the paper's §4).
    State,
    /// `c_θ(x, u) = g_θ(x) + k_θ(u)`: a cost of the state plus a cost of the action, two networks
    /// with no term that couples them, so the cost cannot encode which action suits which state
    /// (the expert's policy) but can still price effort.
    Separable,
    /// `c_θ(φ(s))` over the features of the tabular state `s` read from the observation
    /// `[row, col, t]` (the input of exact MaxEnt IRL's costs); needs a [`FeatureMap`].
    StateFeatures,
}

/// Which part of a learned cost to read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CostPart {
    /// The whole cost the discriminator was trained with: `f = g_θ + h_φ(x') − h_φ(x)` for a
    /// shaped cost, `c_θ` otherwise.
    #[default]
    Full,
    /// The task's part `g_θ` without the shaping terms (the same as [`CostPart::Full`] for an
    /// unshaped cost).
    Task,
}

impl std::fmt::Display for CostPart {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            CostPart::Full => "full",
            CostPart::Task => "task",
        })
    }
}

/// Options of a [`CostNet`]: its input, its hidden layers, its shaping potential (off by default)
/// and the weights of its regularisers (both off by default).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CostNetBuilder {
    input: CostInput,
    hidden: Vec<usize>,
    activation: Activation,
    local_constant_rate: f32,
    monotonic: f32,
    /// Hidden layers of the shaping potential `h_φ(x)` (`None`: no shaping).
    shaping: Option<Vec<usize>>,
    /// The feature table of [`CostInput::StateFeatures`] (part of the task, not of the settings).
    #[serde(skip)]
    features: Option<FeatureMap>,
}

impl Default for CostNetBuilder {
    fn default() -> Self {
        Self {
            input: CostInput::StateAction,
            hidden: vec![64, 64],
            activation: Activation::Relu,
            local_constant_rate: 0.0,
            monotonic: 0.0,
            shaping: None,
            features: None,
        }
    }
}

impl CostNetBuilder {
    /// A state-action cost with two hidden layers of 64 ReLU units and no regulariser.
    pub fn new() -> Self {
        Self::default()
    }

    /// What the network sees.
    pub fn input(mut self, input: CostInput) -> Self {
        self.input = input;
        self
    }

    /// A cost over the features `φ(s)` of tabular states ([`CostInput::StateFeatures`]).
    pub fn state_features(mut self, features: FeatureMap) -> Self {
        self.input = CostInput::StateFeatures;
        self.features = Some(features);
        self
    }

    /// What the network sees.
    pub fn input_kind(&self) -> CostInput {
        self.input
    }

    /// Widths of the hidden layers (empty for a linear cost).
    pub fn hidden(mut self, sizes: &[usize]) -> Self {
        self.hidden = sizes.to_vec();
        self
    }

    /// Nonlinearity after each hidden layer.
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// Weight of the local constant rate regulariser (0 turns it off).
    pub fn local_constant_rate(mut self, weight: f32) -> Self {
        self.local_constant_rate = weight;
        self
    }

    /// Weight of the monotonic decrease regulariser (0 turns it off).
    pub fn monotonic(mut self, weight: f32) -> Self {
        self.monotonic = weight;
        self
    }

    /// The shaped form `g_θ + h_φ(x') − h_φ(x)` with a potential `h_φ` over the state of these
    /// hidden layers (`None`: no shaping).
    pub fn shaping(mut self, hidden: Option<&[usize]>) -> Self {
        self.shaping = hidden.map(<[usize]>::to_vec);
        self
    }

    /// The shaped form with a potential of the same hidden layers as the cost (`false`: no
    /// shaping).
    pub fn shaped(self, on: bool) -> Self {
        let hidden = self.hidden.clone();
        self.shaping(on.then_some(&hidden))
    }

    /// Hidden layers of the shaping potential, if the cost is shaped.
    pub fn shaping_hidden(&self) -> Option<&[usize]> {
        self.shaping.as_deref()
    }

    /// Registers the network in `params` as `{prefix}.{k}.weight` and `{prefix}.{k}.bias`.
    /// `act_dim` is ignored by a state-only cost.
    pub fn build(
        &self,
        params: &mut ParamSet,
        prefix: &str,
        obs_dim: usize,
        act_dim: usize,
        rng: &mut Rng,
    ) -> Result<CostNet> {
        for (name, w) in [
            ("local constant rate", self.local_constant_rate),
            ("monotonic", self.monotonic),
        ] {
            if !(w.is_finite() && w >= 0.0) {
                return Err(GclError::InvalidConfig(format!(
                    "the {name} weight must be finite and non-negative, got {w}"
                )));
            }
        }
        let (act_dim, features) = match (self.input, &self.features) {
            (CostInput::StateAction | CostInput::Separable, _) => (act_dim, None),
            (CostInput::State, _) => (0, None),
            (CostInput::StateFeatures, Some(map)) if obs_dim == observation::OBS_DIM => {
                (0, Some(map.clone()))
            }
            (CostInput::StateFeatures, Some(_)) => {
                return Err(GclError::InvalidConfig(format!(
                "a cost over state features reads [row, col, t] observations, not {obs_dim} floats"
            )))
            }
            (CostInput::StateFeatures, None) => {
                return Err(GclError::InvalidConfig(
                    "a cost over state features needs the task's feature table".into(),
                ))
            }
        };
        let width = features.as_ref().map_or(obs_dim, FeatureMap::num_features);
        let separable = self.input == CostInput::Separable;
        let mlp = MlpBuilder::new(if separable { width } else { width + act_dim }, 1)
            .hidden(&self.hidden)
            .activation(self.activation)
            .build(params, prefix, rng)?;
        let action_term = if separable {
            Some(
                MlpBuilder::new(act_dim, 1)
                    .hidden(&self.hidden)
                    .activation(self.activation)
                    .build(params, &format!("{prefix}.action"), rng)?,
            )
        } else {
            None
        };
        let potential = match &self.shaping {
            Some(hidden) => Some(
                MlpBuilder::new(width, 1)
                    .hidden(hidden)
                    .activation(self.activation)
                    .build(params, &format!("{prefix}.potential"), rng)?,
            ),
            None => None,
        };
        Ok(CostNet {
            mlp,
            action_term,
            potential,
            input: self.input,
            features,
            obs_dim,
            act_dim,
            local_constant_rate: self.local_constant_rate,
            monotonic: self.monotonic,
        })
    }
}

/// Per-step costs of whole trajectories on a graph, `[N·T, 1]` each (see
/// [`CostNet::step_cost_parts_var`]).
#[derive(Clone, Debug)]
pub struct StepCostVars {
    /// The task part `g_θ(x_t[, u_t])`: what a new learner should optimise.
    pub task: Var,
    /// The whole cost `f`: `g_θ + h_φ(x_{t+1}) − h_φ(x_t)` when shaped, else `g_θ`.
    pub full: Var,
}

/// The cost network `c_θ`, whose weights live in a [`ParamSet`].
#[derive(Clone, Debug, PartialEq)]
pub struct CostNet {
    mlp: Mlp,
    /// `k_θ(u)` of a [`CostInput::Separable`] cost.
    action_term: Option<Mlp>,
    potential: Option<Mlp>,
    input: CostInput,
    features: Option<FeatureMap>,
    obs_dim: usize,
    act_dim: usize,
    local_constant_rate: f32,
    monotonic: f32,
}

impl CostNet {
    /// What the network sees.
    pub fn input(&self) -> CostInput {
        self.input
    }

    /// Floats per state.
    pub fn obs_dim(&self) -> usize {
        self.obs_dim
    }

    /// Floats per action the network reads (0 for a state-only cost).
    pub fn act_dim(&self) -> usize {
        self.act_dim
    }

    /// The network's input rows `[N·T, obs_dim or K (+ act_dim)]`, trajectory after trajectory.
    fn inputs(&self, batch: &StepBatch<'_>) -> Result<Array2<f32>> {
        let (n, t, od) = batch.obs().dim();
        if od != self.obs_dim {
            return Err(GclError::Shape {
                what: "states",
                expected: format!("{} floats per state", self.obs_dim),
                found: format!("{od}"),
            });
        }
        let acts = match (self.input, batch.acts()) {
            (CostInput::State | CostInput::StateFeatures, _) => None,
            (CostInput::StateAction | CostInput::Separable, None) => {
                return Err(GclError::Shape {
                    what: "actions",
                    expected: format!("{} floats per action", self.act_dim),
                    found: "none".into(),
                })
            }
            (CostInput::StateAction | CostInput::Separable, Some(a))
                if a.len_of(Axis(2)) != self.act_dim =>
            {
                return Err(GclError::Shape {
                    what: "actions",
                    expected: format!("{} floats per action", self.act_dim),
                    found: format!("{}", a.len_of(Axis(2))),
                })
            }
            (CostInput::StateAction | CostInput::Separable, Some(a)) => Some(a),
        };
        let width = self.features.as_ref().map_or(od, FeatureMap::num_features);
        let mut x = Array2::zeros((n * t, width + self.act_dim));
        for (row, mut out) in x.outer_iter_mut().enumerate() {
            let (i, k) = (row / t, row % t);
            let state = batch.obs().slice_move(s![i, k, ..]);
            match &self.features {
                Some(map) => {
                    let phi = map.of(state).ok_or_else(|| GclError::Shape {
                        what: "tabular observation",
                        expected: "[row, col, t] of a grid cell".into(),
                        found: format!("{state} (trajectory {i}, step {k})"),
                    })?;
                    out.slice_mut(s![..width]).assign(&phi);
                }
                None => out.slice_mut(s![..od]).assign(&state),
            }
            if let Some(a) = acts {
                out.slice_mut(s![width..]).assign(&a.slice(s![i, k, ..]));
            }
        }
        if let Some(index) = x.iter().position(|v| !v.is_finite()) {
            return Err(GclError::NonFinite {
                what: "cost inputs",
                index,
                value: f64::from(x.as_slice().map_or(f32::NAN, |v| v[index])),
            });
        }
        Ok(x)
    }

    /// Whether the cost has the shaped form `g_θ + h_φ(x') − h_φ(x)`.
    pub fn is_shaped(&self) -> bool {
        self.potential.is_some()
    }

    /// Per-step costs `c_θ(x_t, u_t)` (the shaped `f(x_t, u_t, x_{t+1})` of a shaped cost) as an
    /// `[N·T, 1]` variable of `graph`, trajectory after trajectory, differentiable in the weights.
    /// The batch's trajectories are whole: the step after the last one is the end of the horizon.
    pub fn step_costs_var(
        &self,
        params: &ParamSet,
        graph: &Graph,
        batch: &StepBatch<'_>,
    ) -> Result<Var> {
        Ok(self.step_cost_parts_var(params, graph, batch)?.full)
    }

    /// Both parts of [`CostNet::step_costs_var`]: the task part `g_θ` and the whole cost `f`
    /// (the same variable for an unshaped cost).
    pub fn step_cost_parts_var(
        &self,
        params: &ParamSet,
        graph: &Graph,
        batch: &StepBatch<'_>,
    ) -> Result<StepCostVars> {
        let x = self.inputs(batch)?;
        let width = self.state_width();
        let g = match &self.action_term {
            Some(k) => self
                .mlp
                .forward_array(params, graph, x.slice(s![.., ..width]))?
                .add(&k.forward_array(params, graph, x.slice(s![.., width..]))?)?,
            None => self.mlp.forward_array(params, graph, x.view())?,
        };
        let Some(potential) = &self.potential else {
            return Ok(StepCostVars {
                task: g.clone(),
                full: g,
            });
        };
        let h = potential.forward_array(params, graph, x.slice(s![.., ..width]))?;
        // h_φ(x_{t+1}) of every step; the row of a trajectory's last step is masked to h(x_{T+1}) = 0.
        let (next, mask) = next_step_rows(batch.len(), batch.horizon());
        let h_next = h.take_rows(&next)?.mul(&graph.column(&mask))?;
        let full = g.add(&h_next)?.sub(&h)?;
        Ok(StepCostVars { task: g, full })
    }

    /// Floats of the state part of the network's input (the features of a tabular state).
    fn state_width(&self) -> usize {
        self.features
            .as_ref()
            .map_or(self.obs_dim, FeatureMap::num_features)
    }

    /// Segment costs `c_θ(σ) = Σ_{t∈σ} c_θ(x_t, u_t)`, `[N·⌈T/len⌉, 1]`, from the `[N·T, 1]` step
    /// costs of [`CostNet::step_costs_var`]: consecutive segments of `len` steps, the last one of
    /// each trajectory shorter when `len` does not divide `horizon` (`len = horizon` gives the
    /// trajectory costs `c_θ(τ)`).
    pub fn segment_costs_var(step_costs: &Var, horizon: usize, len: usize) -> Result<Var> {
        let (rows, cols) = step_costs.shape();
        if cols != 1 || horizon == 0 || len == 0 || rows % horizon != 0 {
            return Err(GclError::Shape {
                what: "step costs",
                expected: format!("[N·{horizon}, 1] in segments of at least one step"),
                found: format!("{:?} in segments of {len}", (rows, cols)),
            });
        }
        let per = horizon.div_ceil(len);
        let items = rows / horizon * per;
        // Row r of the summing matrix holds ones over the steps of segment r.
        let summing = Array2::from_shape_fn((items, rows), |(r, j)| {
            let (i, k) = (j / horizon, j % horizon);
            if i * per + k / len == r {
                1.0f32
            } else {
                0.0
            }
        });
        Ok(step_costs
            .graph()
            .constant(summing.view())
            .matmul(step_costs)?)
    }

    /// A plain CPU copy of the network, for scoring without a graph.
    pub fn to_host(&self, params: &ParamSet) -> HostCostNet {
        HostCostNet {
            mlp: self.mlp.to_host(params),
            action_term: self.action_term.as_ref().map(|k| k.to_host(params)),
            potential: self.potential.as_ref().map(|p| p.to_host(params)),
            net: self.clone(),
        }
    }
}

/// For `n` trajectories of `horizon` steps in rows, the row of each step's next step and a mask
/// that is 0 on each trajectory's last step (whose next state ends the horizon).
fn next_step_rows(n: usize, horizon: usize) -> (Vec<usize>, Vec<f32>) {
    (0..n * horizon)
        .map(|r| {
            if r % horizon + 1 < horizon {
                (r + 1, 1.0)
            } else {
                (r, 0.0)
            }
        })
        .unzip()
}

/// A CPU copy of a [`CostNet`]: scores arrays with no device and no recording.
#[derive(Clone, Debug, PartialEq)]
pub struct HostCostNet {
    mlp: HostMlp,
    action_term: Option<HostMlp>,
    potential: Option<HostMlp>,
    net: CostNet,
}

impl HostCostNet {
    /// What the network sees.
    pub fn input(&self) -> CostInput {
        self.net.input
    }

    /// Whether the cost has the shaped form `g_θ + h_φ(x') − h_φ(x)`.
    pub fn is_shaped(&self) -> bool {
        self.potential.is_some()
    }

    /// Per-step costs `c_θ(x_t, u_t)`, `[N, T]` (the shaped `f(x_t, u_t, x_{t+1})` of a shaped
    /// cost, on whole trajectories).
    pub fn step_costs(&self, batch: &StepBatch<'_>) -> Result<Array2<f32>> {
        self.step_costs_of(batch, CostPart::Full)
    }

    /// Per-step costs of one part of the cost, `[N, T]`: the whole cost, or the task's part `g_θ`.
    pub fn step_costs_of(&self, batch: &StepBatch<'_>, part: CostPart) -> Result<Array2<f32>> {
        let x = self.net.inputs(batch)?;
        let width = self.net.state_width();
        let mut c = match &self.action_term {
            Some(k) => {
                self.mlp.forward(x.slice(s![.., ..width]))? + k.forward(x.slice(s![.., width..]))?
            }
            None => self.mlp.forward(x.view())?,
        };
        if let (Some(potential), CostPart::Full) = (&self.potential, part) {
            let h = potential.forward(x.slice(s![.., ..width]))?;
            let (next, mask) = next_step_rows(batch.len(), batch.horizon());
            for (r, (&j, &m)) in next.iter().zip(&mask).enumerate() {
                c[[r, 0]] = (c[[r, 0]] + m * h[[j, 0]]) - h[[r, 0]];
            }
        }
        let c = c
            .into_shape_with_order((batch.len(), batch.horizon()))
            .map_err(|e| GclError::Shape {
                what: "step costs",
                expected: format!("[{}, {}]", batch.len(), batch.horizon()),
                found: e.to_string(),
            })?;
        let flat: Vec<f64> = c.iter().map(|&v| f64::from(v)).collect();
        check_finite("step costs", &flat)?;
        Ok(c)
    }

    /// Trajectory costs `c_θ(τ) = Σ_t c_θ(x_t, u_t)`, `[N]`.
    pub fn traj_costs(&self, batch: &StepBatch<'_>) -> Result<Array1<f32>> {
        Ok(self
            .segment_costs(batch, batch.horizon())?
            .remove_axis(Axis(1)))
    }

    /// Segment costs `c_θ(σ) = Σ_{t∈σ} c_θ(x_t, u_t)`, `[N, ⌈T/len⌉]` (see
    /// [`CostNet::segment_costs_var`]; `len = T` gives the trajectory costs).
    pub fn segment_costs(&self, batch: &StepBatch<'_>, len: usize) -> Result<Array2<f32>> {
        if len == 0 {
            return Err(GclError::InvalidConfig(
                "a segment must hold at least one step".into(),
            ));
        }
        let c = self.step_costs(batch)?;
        let t = c.ncols();
        Ok(Array2::from_shape_fn(
            (c.nrows(), t.div_ceil(len)),
            |(i, j)| c.slice(s![i, j * len..((j + 1) * len).min(t)]).sum(),
        ))
    }

    /// The generator's per-step reward `r_t = −c_θ(x_t, u_t) − α·log π(u_t | x_t)`, `[N, T]`,
    /// from the generator's own log-probabilities `log_pi` `[N, T]`. Maximising `E_q[Σ_t r_t]` is
    /// minimising `E_q[c_θ(τ)] + α·E_q[log q(τ)]`, the sampler loss of the paper's Eq. 2 when
    /// α = 1 (the dynamics terms of `log q` do not depend on the policy).
    pub fn rewards(
        &self,
        batch: &StepBatch<'_>,
        log_pi: ArrayView2<'_, f64>,
        alpha: f64,
    ) -> Result<Array2<f32>> {
        let c = self.step_costs(batch)?;
        if log_pi.dim() != c.dim() {
            return Err(GclError::Shape {
                what: "log π",
                expected: format!("{:?}", c.dim()),
                found: format!("{:?}", log_pi.dim()),
            });
        }
        check_finite("α", &[alpha])?;
        let flat: Vec<f64> = log_pi.iter().copied().collect();
        check_finite("log π", &flat)?;
        Ok(ndarray::Zip::from(&c)
            .and(&log_pi)
            .map_collect(|&c, &lp| (-f64::from(c) - alpha * lp) as f32))
    }
}
