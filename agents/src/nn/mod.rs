//! Networks on dfdx tensors with sizes chosen at run time.
//!
//! - [`ParamSet`]: the named parameter matrices of a model on one [`Device`], saved and loaded as
//!   safetensors;
//! - [`Graph`] and [`Var`]: differentiable computations on 2-D matrices, and [`Var::backward`];
//! - [`Mlp`] (built by [`MlpBuilder`]) and its tape-free CPU copy [`HostMlp`];
//! - [`Adam`] with global-norm gradient clipping.
//!
//! No type of the tensor backend leaves this module, so the backend can be replaced.
//!
//! Training state ([`ParamSet`], [`Adam`], the policies built on them) is `Send` in CPU-only builds;
//! the CUDA backend's handles are not, so training stays on the thread that created it. A
//! [`Graph`] is never `Send`. Policy snapshots, plain ndarray, are always `Send + Sync`.
//!
//! ```
//! use costlearn_agents::nn::{Adam, Device, MlpBuilder, ParamSet};
//! use costlearn_envs::episode_rng;
//! use ndarray::array;
//!
//! let mut params = ParamSet::new(Device::Cpu).unwrap();
//! let mlp = MlpBuilder::new(2, 1).hidden(&[8]).build(&mut params, "f", &mut episode_rng(0, 0)).unwrap();
//! let mut adam = Adam::new(1e-2).max_grad_norm(1.0);
//! let (x, y) = (array![[0.0f32, 1.0], [1.0, 0.0]], array![[1.0f32], [-1.0]]);
//! let graph = params.graph();
//! let pred = mlp.forward_array(&params, &graph, x.view()).unwrap();
//! let loss = pred.sub(&graph.constant(y.view())).unwrap().square().mean();
//! let grads = params.grads(loss.backward().unwrap()).unwrap();
//! adam.step(&mut params, grads).unwrap();
//! ```

mod adam;
pub(crate) mod backend;
mod bias_add;
mod dense;
mod device;
mod error;
mod fast_tanh;
mod graph;
mod mlp;
mod params;
mod pointwise;

pub use adam::{Adam, StepInfo};
pub use device::Device;
pub use error::{NnError, Result};
pub use graph::{Gradients, Graph, Var};
pub use mlp::{Activation, HostMlp, Mlp, MlpBuilder};
pub use params::{ParamGrads, ParamId, ParamSet};

#[cfg(test)]
mod tests;
