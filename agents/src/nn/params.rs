//! Named parameter matrices on a device ([`ParamSet`]), their gradients ([`ParamGrads`]) and their
//! safetensors files.

use super::backend::{with_device, Backend, DMat, Dev};
use super::device::Device;
use super::error::{NnError, Result};
use super::graph::{fresh_key, Gradients, Graph, Var};
use dfdx::tensor::Tensor;
use dfdx::tensor_ops::SumTo;
use ndarray::Array2;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::fmt;
use std::io::Write;
use std::path::Path;

/// Handle of one parameter inside its [`ParamSet`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ParamId(pub(crate) usize);

/// The trainable matrices of one model, each with a unique name, all on one device.
///
/// A model registers its parameters here (e.g. `"mean.0.weight"`); the optimizer, the gradients
/// and the weights file all follow the order of registration.
#[derive(Clone)]
pub struct ParamSet {
    device: Device,
    backend: Backend,
    names: Vec<String>,
    values: Vec<DMat>,
    /// Identity of each stored value, renewed whenever the value is replaced.
    keys: Vec<u64>,
}

impl fmt::Debug for ParamSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (name, v) in self.names.iter().zip(&self.values) {
            m.entry(name, &v.shape());
        }
        m.finish()
    }
}

impl ParamSet {
    /// An empty set on `device`. Errors if the device is not compiled in or cannot be opened.
    pub fn new(device: Device) -> Result<Self> {
        Ok(Self {
            device,
            backend: Backend::new(device)?,
            names: Vec::new(),
            values: Vec::new(),
            keys: Vec::new(),
        })
    }

    /// The device the parameters live on.
    pub fn device(&self) -> Device {
        self.device
    }

    /// Registers a parameter with initial value `value`. Errors on a name already taken.
    pub fn add(&mut self, name: impl Into<String>, value: Array2<f32>) -> Result<ParamId> {
        let name = name.into();
        if self.names.contains(&name) {
            return Err(NnError::DuplicateParam(name));
        }
        let (r, c) = value.dim();
        let data = value.iter().copied().collect();
        self.values.push(self.backend.upload(data, r, c));
        self.keys.push(fresh_key());
        self.names.push(name);
        Ok(ParamId(self.values.len() - 1))
    }

    /// Number of parameter matrices.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether no parameter is registered.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// Total number of scalar parameters.
    pub fn num_scalars(&self) -> usize {
        self.values
            .iter()
            .map(|v| {
                let (r, c) = v.shape();
                r * c
            })
            .sum()
    }

    /// Names in registration order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The id of the parameter called `name`.
    pub fn id(&self, name: &str) -> Option<ParamId> {
        self.names.iter().position(|n| n == name).map(ParamId)
    }

    /// Shape of a parameter.
    pub fn shape(&self, id: ParamId) -> (usize, usize) {
        self.values[id.0].shape()
    }

    /// A host copy of a parameter.
    pub fn get(&self, id: ParamId) -> Array2<f32> {
        to_array(&self.values[id.0])
    }

    /// Overwrites a parameter with a host value of the same shape.
    pub fn set(&mut self, id: ParamId, value: &Array2<f32>) -> Result<()> {
        let have = self.shape(id);
        if value.dim() != have {
            return Err(NnError::ShapeMismatch {
                op: "set parameter",
                left: have,
                right: value.dim(),
            });
        }
        let data = value.iter().copied().collect();
        self.replace(id.0, self.backend.upload(data, have.0, have.1));
        Ok(())
    }

    /// A new [`Graph`] on this set's device.
    pub fn graph(&self) -> Graph {
        Graph::new(self.device, &self.backend)
    }

    /// The parameter as a variable of `graph`, so that gradients flow to it.
    pub fn var(&self, graph: &Graph, id: ParamId) -> Result<Var> {
        if graph.device() != self.device {
            return Err(NnError::DeviceMismatch(
                graph.device().to_string(),
                self.device.to_string(),
            ));
        }
        Ok(graph.wrap_keyed(self.values[id.0].clone(), self.keys[id.0]))
    }

    pub(crate) fn values(&self) -> &[DMat] {
        &self.values
    }

    pub(crate) fn replace(&mut self, i: usize, value: DMat) {
        self.values[i] = value;
        self.keys[i] = fresh_key();
    }

    /// The gradient of every parameter, in order (zeros for parameters the loss did not use).
    pub fn grads(&self, mut grads: Gradients) -> Result<ParamGrads> {
        if grads.device() != self.device {
            return Err(NnError::DeviceMismatch(
                grads.device().to_string(),
                self.device.to_string(),
            ));
        }
        Ok(ParamGrads {
            values: self.values.iter().map(|v| grads.take_for(v)).collect(),
        })
    }

    /// Writes every parameter to a safetensors file, atomically: the bytes go to a temporary file
    /// in the same directory, which is then renamed over `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let hosts: Vec<(String, Vec<usize>, Vec<u8>)> = self
            .names
            .iter()
            .zip(&self.values)
            .map(|(name, v)| {
                let (r, c) = v.shape();
                let bytes = v.to_vec().iter().flat_map(|x| x.to_le_bytes()).collect();
                (name.clone(), vec![r, c], bytes)
            })
            .collect();
        let views = hosts
            .iter()
            .map(|(name, shape, bytes)| {
                TensorView::new(Dtype::F32, shape.clone(), bytes).map(|v| (name.as_str(), v))
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| bad(path, e))?;
        let bytes = safetensors::serialize(views, None).map_err(|e| bad(path, e))?;
        write_atomically(path, &bytes)
    }

    /// Replaces every parameter with the one of the same name in a safetensors file. The file must
    /// hold exactly these names, as `f32` matrices of the same shapes; otherwise nothing changes and
    /// the error names the file and the first problem found.
    pub fn load(&mut self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| NnError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let file = SafeTensors::deserialize(&bytes).map_err(|e| bad(path, e))?;
        if let Some(extra) = file
            .names()
            .into_iter()
            .find(|n| !self.names.iter().any(|m| m == n))
        {
            return Err(bad(path, format!("unexpected tensor `{extra}`")));
        }
        let mut loaded = Vec::with_capacity(self.len());
        for (name, v) in self.names.iter().zip(&self.values) {
            let view = file
                .tensor(name)
                .map_err(|_| bad(path, format!("missing tensor `{name}`")))?;
            if view.dtype() != Dtype::F32 {
                return Err(bad(
                    path,
                    format!("tensor `{name}` is {:?}, expected F32", view.dtype()),
                ));
            }
            let (r, c) = v.shape();
            if view.shape() != [r, c] {
                return Err(bad(
                    path,
                    format!(
                        "tensor `{name}` has shape {:?}, expected [{r}, {c}]",
                        view.shape()
                    ),
                ));
            }
            let data: Vec<f32> = view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            if let Some(x) = data.iter().find(|x| !x.is_finite()) {
                return Err(bad(
                    path,
                    format!("tensor `{name}` holds a non-finite value {x}"),
                ));
            }
            loaded.push(self.backend.upload(data, r, c));
        }
        for (i, value) in loaded.into_iter().enumerate() {
            self.replace(i, value);
        }
        Ok(())
    }
}

fn bad(path: &Path, reason: impl fmt::Display) -> NnError {
    NnError::BadWeights {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
}

/// Writes `bytes` to a temporary file beside `path`, then renames it into place.
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    costlearn_envs::atomic::write_atomically(path, |file| file.write_all(bytes)).map_err(|source| {
        NnError::Io {
            path: path.to_path_buf(),
            source,
        }
    })
}

pub(crate) fn to_array(m: &DMat) -> Array2<f32> {
    Array2::from_shape_vec(m.shape(), m.to_vec()).expect("a matrix has rows × columns values")
}

/// The gradient of every parameter of a [`ParamSet`], in its order, still on the device.
#[derive(Clone)]
pub struct ParamGrads {
    pub(crate) values: Vec<DMat>,
}

impl fmt::Debug for ParamGrads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.values.iter().map(DMat::shape))
            .finish()
    }
}

impl ParamGrads {
    /// The global L2 norm `√(Σ_k ‖g_k‖²)` over all parameters.
    pub fn global_norm(&self) -> f32 {
        let sq: f32 = self
            .values
            .iter()
            .map(|g| {
                with_device!(g, D => {
                    let t: &Tensor<(usize, usize), f32, D> = D::unwrap(g);
                    t.clone().square().sum::<(), _>().as_vec()[0]
                })
            })
            .sum();
        sq.sqrt()
    }

    /// Scales every gradient by `max_norm / norm` when the global norm exceeds `max_norm`.
    /// Returns the norm before clipping.
    pub fn clip_global_norm(&mut self, max_norm: f32) -> f32 {
        let norm = self.global_norm();
        if norm.is_finite() && norm > max_norm {
            let c = max_norm / norm;
            for g in &mut self.values {
                *g = with_device!(&*g, D => D::wrap(D::unwrap(g).clone() * c));
            }
        }
        norm
    }

    /// Host copies, in parameter order.
    pub fn to_arrays(&self) -> Vec<Array2<f32>> {
        self.values.iter().map(to_array).collect()
    }

    /// Number of parameter matrices.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}
