//! Multi-layer perceptrons whose sizes are chosen at run time, and their plain-ndarray CPU copies.

use super::error::{NnError, Result};
use super::graph::{Graph, Var};
use super::params::{ParamId, ParamSet};
use costlearn_envs::Rng;
use ndarray::{Array2, ArrayView2, Axis};
use rand::Rng as _;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A pointwise nonlinearity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Activation {
    /// `tanh(x)`.
    #[default]
    Tanh,
    /// `max(x, 0)`.
    Relu,
    /// `x` (no nonlinearity).
    Identity,
}

impl Activation {
    fn apply_var(self, x: Var) -> Var {
        match self {
            Activation::Tanh => x.tanh(),
            Activation::Relu => x.relu(),
            Activation::Identity => x,
        }
    }

    fn apply_host(self, x: &mut Array2<f32>) {
        match self {
            Activation::Tanh => match x.as_slice_mut() {
                Some(values) => super::fast_tanh::tanh_in_place(values),
                None => x.mapv_inplace(super::fast_tanh::tanh),
            },
            Activation::Relu => x.mapv_inplace(|v| v.max(0.0)),
            Activation::Identity => {}
        }
    }
}

impl fmt::Display for Activation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Identity => "identity",
        })
    }
}

impl FromStr for Activation {
    type Err = NnError;

    /// Parses `tanh`, `relu` or `identity`.
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "tanh" => Ok(Activation::Tanh),
            "relu" => Ok(Activation::Relu),
            "identity" | "linear" | "none" => Ok(Activation::Identity),
            _ => Err(NnError::InvalidConfig(format!(
                "unknown activation `{s}` (expected tanh, relu or identity)"
            ))),
        }
    }
}

/// Options of an [`Mlp`]: `input → hidden… → output`, with `activation` after every hidden layer
/// and `output_activation` after the last.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MlpBuilder {
    input: usize,
    hidden: Vec<usize>,
    output: usize,
    activation: Activation,
    output_activation: Activation,
    output_gain: f32,
}

impl MlpBuilder {
    /// An MLP from `input` to `output` features, by default with two hidden layers of 64 and tanh.
    pub fn new(input: usize, output: usize) -> Self {
        Self {
            input,
            hidden: vec![64, 64],
            output,
            activation: Activation::Tanh,
            output_activation: Activation::Identity,
            output_gain: 1.0,
        }
    }

    /// Widths of the hidden layers (empty for a linear model).
    pub fn hidden(mut self, sizes: &[usize]) -> Self {
        self.hidden = sizes.to_vec();
        self
    }

    /// Nonlinearity after each hidden layer.
    pub fn activation(mut self, activation: Activation) -> Self {
        self.activation = activation;
        self
    }

    /// Nonlinearity after the output layer (identity by default).
    pub fn output_activation(mut self, activation: Activation) -> Self {
        self.output_activation = activation;
        self
    }

    /// Scale of the output layer's initial weights relative to the others (e.g. 0.01 for the mean
    /// head of a policy, so that it starts close to zero).
    pub fn output_gain(mut self, gain: f32) -> Self {
        self.output_gain = gain;
        self
    }

    /// Registers the layers in `params` as `{prefix}.{k}.weight` (`in×out`) and `{prefix}.{k}.bias`
    /// (`1×out`). Weights are drawn from `rng` (Glorot-uniform), biases start at zero.
    pub fn build(&self, params: &mut ParamSet, prefix: &str, rng: &mut Rng) -> Result<Mlp> {
        let mut sizes = vec![self.input];
        sizes.extend(&self.hidden);
        sizes.push(self.output);
        if let Some(k) = sizes.iter().position(|&s| s == 0) {
            return Err(NnError::InvalidConfig(format!(
                "layer {k} of `{prefix}` has zero width"
            )));
        }
        if !(self.output_gain.is_finite() && self.output_gain >= 0.0) {
            return Err(NnError::InvalidConfig(format!(
                "output gain must be finite and non-negative, got {}",
                self.output_gain
            )));
        }
        let last = sizes.len() - 2;
        let mut layers = Vec::with_capacity(sizes.len() - 1);
        for (k, pair) in sizes.windows(2).enumerate() {
            let (fan_in, fan_out) = (pair[0], pair[1]);
            let gain = if k == last { self.output_gain } else { 1.0 };
            let bound = gain * (6.0 / (fan_in + fan_out) as f32).sqrt();
            let w = Array2::from_shape_simple_fn((fan_in, fan_out), || {
                rng.gen_range(-1.0f32..=1.0) * bound
            });
            let weight = params.add(format!("{prefix}.{k}.weight"), w)?;
            let bias = params.add(format!("{prefix}.{k}.bias"), Array2::zeros((1, fan_out)))?;
            layers.push(Layer { weight, bias });
        }
        Ok(Mlp {
            layers,
            input: self.input,
            output: self.output,
            activation: self.activation,
            output_activation: self.output_activation,
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Layer {
    weight: ParamId,
    bias: ParamId,
}

/// A multi-layer perceptron whose weights live in a [`ParamSet`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mlp {
    layers: Vec<Layer>,
    input: usize,
    output: usize,
    activation: Activation,
    output_activation: Activation,
}

impl Mlp {
    /// Number of input features.
    pub fn input_dim(&self) -> usize {
        self.input
    }

    /// Number of outputs.
    pub fn output_dim(&self) -> usize {
        self.output
    }

    /// `[n, input] → [n, output]` on a graph, differentiable in the weights (and in `x`).
    pub fn forward(&self, params: &ParamSet, x: &Var) -> Result<Var> {
        let (n, d) = x.shape();
        if d != self.input {
            return Err(NnError::ShapeMismatch {
                op: "mlp input",
                left: (n, d),
                right: (n, self.input),
            });
        }
        let graph = x.graph();
        let last = self.layers.len() - 1;
        let mut layers = Vec::with_capacity(self.layers.len());
        for (k, layer) in self.layers.iter().enumerate() {
            let act = if k == last {
                self.output_activation
            } else {
                self.activation
            };
            layers.push((
                params.var(graph, layer.weight)?,
                params.var(graph, layer.bias)?,
                act,
            ));
        }
        if let Some(y) = x.dense_stack(&layers) {
            return Ok(y);
        }
        let mut h = x.clone();
        for (w, b, act) in &layers {
            h = act.apply_var(h.matmul(w)?.add(b)?);
        }
        Ok(h)
    }

    /// [`Mlp::forward`] of host data on a fresh constant of `graph`.
    pub fn forward_array(
        &self,
        params: &ParamSet,
        graph: &Graph,
        x: ArrayView2<'_, f32>,
    ) -> Result<Var> {
        self.forward(params, &graph.constant(x))
    }

    /// A CPU copy of the network for fast inference without a graph.
    pub fn to_host(&self, params: &ParamSet) -> HostMlp {
        HostMlp {
            layers: self
                .layers
                .iter()
                .map(|l| (params.get(l.weight), params.get(l.bias)))
                .collect(),
            activation: self.activation,
            output_activation: self.output_activation,
        }
    }
}

/// An MLP on plain ndarray matrices: no device, no recording. Used by policy snapshots.
#[derive(Clone, Debug, PartialEq)]
pub struct HostMlp {
    layers: Vec<(Array2<f32>, Array2<f32>)>,
    activation: Activation,
    output_activation: Activation,
}

impl HostMlp {
    /// Number of input features.
    pub fn input_dim(&self) -> usize {
        self.layers[0].0.nrows()
    }

    /// Number of outputs.
    pub fn output_dim(&self) -> usize {
        self.layers[self.layers.len() - 1].0.ncols()
    }

    /// The layers' `(weight [in, out], bias [1, out])`, input layer first.
    pub fn layers(&self) -> &[(Array2<f32>, Array2<f32>)] {
        &self.layers
    }

    /// The nonlinearity after each hidden layer and after the output layer.
    pub fn activations(&self) -> (Activation, Activation) {
        (self.activation, self.output_activation)
    }

    /// `[n, input] → [n, output]`. Errors if `x` has the wrong number of columns.
    pub fn forward(&self, x: ArrayView2<'_, f32>) -> Result<Array2<f32>> {
        if x.ncols() != self.input_dim() {
            return Err(NnError::ShapeMismatch {
                op: "mlp input",
                left: x.dim(),
                right: (x.nrows(), self.input_dim()),
            });
        }
        let last = self.layers.len() - 1;
        let mut h = x.to_owned();
        for (k, (w, b)) in self.layers.iter().enumerate() {
            h = h.dot(w);
            h += &b.index_axis(Axis(0), 0);
            let act = if k == last {
                self.output_activation
            } else {
                self.activation
            };
            act.apply_host(&mut h);
        }
        Ok(h)
    }
}
