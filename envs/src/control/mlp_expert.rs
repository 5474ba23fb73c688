//! [`MlpController`]: the mean network of a trained Gaussian policy as a plain forward pass, so that
//! a policy trained elsewhere can serve as a task's expert controller.
//!
//! The controller is `μ(x) = W_L h_{L−1} + b_L`, `h_k = tanh(W_k h_{k−1} + b_k)`, on the normalised
//! observation `h_0 = clip((x − m) · s, −c, c)`. Each row is computed by sequential `f32` loops, so
//! an action depends on nothing but its observation (not on the batch or the thread count).
//!
//! # File format
//!
//! One safetensors file of little-endian `f32` tensors:
//!
//! | name | shape | meaning |
//! |---|---|---|
//! | `obs_mean` | `[d]` | `m`, subtracted from each observation |
//! | `obs_scale` | `[d]` | `s`, multiplied after (`1/√(var + 1e-8)` of the training statistics) |
//! | `obs_clip` | `[1]` | `c`, the clip of the normalised observation |
//! | `layers.{k}.weight` | `[in, out]` | `W_k` of layer `k = 0, 1, …` (input × output) |
//! | `layers.{k}.bias` | `[out]` | `b_k` |

use crate::atomic::write_atomically;
use ndarray::{Array1, Array2};
use safetensors::tensor::{Dtype, TensorView};
use safetensors::SafeTensors;
use std::io::Write;
use std::path::{Path, PathBuf};

/// What can go wrong building, reading or writing an [`MlpController`].
#[derive(Debug, thiserror::Error)]
pub enum MlpControllerError {
    /// Weights that do not form a network.
    #[error("invalid MLP controller: {0}")]
    Invalid(String),
    /// The file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

type Result<T> = std::result::Result<T, MlpControllerError>;

fn invalid(reason: impl Into<String>) -> MlpControllerError {
    MlpControllerError::Invalid(reason.into())
}

/// One affine layer: weight `[in, out]` and bias `[out]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Layer {
    /// `W`, input × output.
    pub weight: Array2<f32>,
    /// `b`.
    pub bias: Array1<f32>,
}

/// A tanh MLP on normalised observations (see the module documentation).
#[derive(Clone, Debug, PartialEq)]
pub struct MlpController {
    obs_mean: Array1<f32>,
    obs_scale: Array1<f32>,
    obs_clip: f32,
    layers: Vec<Layer>,
}

impl MlpController {
    /// A controller from its parts. Errors unless the layers chain from the observation width, every
    /// number is finite and the clip is positive.
    pub fn new(
        obs_mean: Array1<f32>,
        obs_scale: Array1<f32>,
        obs_clip: f32,
        layers: Vec<Layer>,
    ) -> Result<Self> {
        if layers.is_empty() {
            return Err(invalid("no layers"));
        }
        if obs_scale.len() != obs_mean.len() {
            return Err(invalid(format!(
                "obs_mean has {} entries but obs_scale {}",
                obs_mean.len(),
                obs_scale.len()
            )));
        }
        if !(obs_clip.is_finite() && obs_clip > 0.0) {
            return Err(invalid(format!(
                "obs_clip must be positive, got {obs_clip}"
            )));
        }
        let mut width = obs_mean.len();
        for (k, layer) in layers.iter().enumerate() {
            if layer.weight.nrows() != width || layer.bias.len() != layer.weight.ncols() {
                return Err(invalid(format!(
                    "layer {k} has weight {:?} and bias [{}] after an input of {width}",
                    layer.weight.dim(),
                    layer.bias.len()
                )));
            }
            width = layer.weight.ncols();
        }
        let all = obs_mean
            .iter()
            .chain(&obs_scale)
            .chain(layers.iter().flat_map(|l| l.weight.iter().chain(&l.bias)));
        if all.into_iter().any(|v| !v.is_finite()) {
            return Err(invalid("non-finite weight or statistic"));
        }
        Ok(Self {
            obs_mean,
            obs_scale,
            obs_clip,
            layers,
        })
    }

    /// Floats per observation.
    pub fn input_dim(&self) -> usize {
        self.obs_mean.len()
    }

    /// Floats per action.
    pub fn output_dim(&self) -> usize {
        self.layers[self.layers.len() - 1].bias.len()
    }

    /// Writes `μ(obs)` into `out`. Panics unless `obs` has [`input_dim`](Self::input_dim) and
    /// `out` [`output_dim`](Self::output_dim) entries.
    pub fn mean_action(&self, obs: &[f32], out: &mut [f32]) {
        assert_eq!(obs.len(), self.input_dim(), "observation width");
        assert_eq!(out.len(), self.output_dim(), "action width");
        let c = self.obs_clip;
        let mut h: Vec<f32> = obs
            .iter()
            .zip(&self.obs_mean)
            .zip(&self.obs_scale)
            .map(|((&x, &m), &s)| ((x - m) * s).clamp(-c, c))
            .collect();
        let last = self.layers.len() - 1;
        for (k, layer) in self.layers.iter().enumerate() {
            let mut next = layer.bias.to_vec();
            for (&hi, w_row) in h.iter().zip(layer.weight.rows()) {
                for (n, &w) in next.iter_mut().zip(w_row) {
                    *n += hi * w;
                }
            }
            if k < last {
                next.iter_mut().for_each(|v| *v = v.tanh());
            }
            h = next;
        }
        out.copy_from_slice(&h);
    }

    /// Reads a controller from safetensors bytes (see the module documentation).
    pub fn from_safetensors(bytes: &[u8]) -> Result<Self> {
        let file = SafeTensors::deserialize(bytes).map_err(|e| invalid(e.to_string()))?;
        let read = |name: &str| -> Result<(Vec<usize>, Vec<f32>)> {
            let view = file
                .tensor(name)
                .map_err(|_| invalid(format!("missing tensor `{name}`")))?;
            if view.dtype() != Dtype::F32 {
                return Err(invalid(format!("`{name}` is {:?}, not F32", view.dtype())));
            }
            let values = view
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            Ok((view.shape().to_vec(), values))
        };
        let vector = |name: &str| -> Result<Array1<f32>> {
            match read(name)? {
                (shape, values) if shape.len() == 1 => Ok(Array1::from(values)),
                (shape, _) => Err(invalid(format!("`{name}` has shape {shape:?}, not [n]"))),
            }
        };
        let clip = vector("obs_clip")?;
        if clip.len() != 1 {
            return Err(invalid("`obs_clip` must hold one number"));
        }
        let mut layers = Vec::new();
        while file
            .tensor(&format!("layers.{}.weight", layers.len()))
            .is_ok()
        {
            let k = layers.len();
            let name = format!("layers.{k}.weight");
            let weight = match read(&name)? {
                (shape, values) if shape.len() == 2 => {
                    Array2::from_shape_vec((shape[0], shape[1]), values)
                        .expect("the shape matches the data")
                }
                (shape, _) => {
                    return Err(invalid(format!(
                        "`{name}` has shape {shape:?}, not [in, out]"
                    )))
                }
            };
            let bias = vector(&format!("layers.{k}.bias"))?;
            layers.push(Layer { weight, bias });
        }
        Self::new(vector("obs_mean")?, vector("obs_scale")?, clip[0], layers)
    }

    /// The controller as safetensors bytes (see the module documentation).
    pub fn to_safetensors(&self) -> Result<Vec<u8>> {
        let bytes = |values: &mut dyn Iterator<Item = &f32>| -> Vec<u8> {
            values.flat_map(|v| v.to_le_bytes()).collect()
        };
        let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = vec![
            (
                "obs_mean".into(),
                vec![self.input_dim()],
                bytes(&mut self.obs_mean.iter()),
            ),
            (
                "obs_scale".into(),
                vec![self.input_dim()],
                bytes(&mut self.obs_scale.iter()),
            ),
            (
                "obs_clip".into(),
                vec![1],
                self.obs_clip.to_le_bytes().into(),
            ),
        ];
        for (k, layer) in self.layers.iter().enumerate() {
            let (rows, cols) = layer.weight.dim();
            tensors.push((
                format!("layers.{k}.weight"),
                vec![rows, cols],
                bytes(&mut layer.weight.iter()),
            ));
            tensors.push((
                format!("layers.{k}.bias"),
                vec![cols],
                bytes(&mut layer.bias.iter()),
            ));
        }
        let views = tensors
            .iter()
            .map(|(name, shape, data)| {
                TensorView::new(Dtype::F32, shape.clone(), data).map(|view| (name.as_str(), view))
            })
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| invalid(e.to_string()))?;
        safetensors::serialize(views, None).map_err(|e| invalid(e.to_string()))
    }

    /// Writes the controller to `path` atomically.
    pub fn save(&self, path: &Path) -> Result<()> {
        let bytes = self.to_safetensors()?;
        write_atomically(path, |file| file.write_all(&bytes)).map_err(|source| {
            MlpControllerError::Write {
                path: path.to_path_buf(),
                source,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// 2 → 2 → 1 with hand-picked weights.
    fn tiny() -> MlpController {
        MlpController::new(
            array![1.0, -1.0],
            array![0.5, 2.0],
            3.0,
            vec![
                Layer {
                    weight: array![[1.0, -1.0], [0.5, 2.0]],
                    bias: array![0.1, 0.0],
                },
                Layer {
                    weight: array![[2.0], [-1.0]],
                    bias: array![0.25],
                },
            ],
        )
        .unwrap()
    }

    #[test]
    fn forward_pass_normalises_clips_and_applies_tanh_between_layers() {
        let net = tiny();
        let mut u = [0.0];
        // Normalised input: ((3 − 1)·0.5, (0 + 1)·2) = (1, 2); the second is within the clip.
        net.mean_action(&[3.0, 0.0], &mut u);
        let h = [(1.0f32 + 1.0 + 0.1).tanh(), (-1.0f32 + 4.0).tanh()];
        assert!((u[0] - (2.0 * h[0] - h[1] + 0.25)).abs() < 1e-6, "{}", u[0]);
        // A far observation is clipped to ±3 before the first layer.
        net.mean_action(&[3.0, 100.0], &mut u);
        let h = [(1.0f32 + 1.5 + 0.1).tanh(), (-1.0f32 + 6.0).tanh()];
        assert!((u[0] - (2.0 * h[0] - h[1] + 0.25)).abs() < 1e-6, "{}", u[0]);
    }

    #[test]
    fn safetensors_round_trip_is_exact() {
        let net = tiny();
        let back = MlpController::from_safetensors(&net.to_safetensors().unwrap()).unwrap();
        assert_eq!(back, net);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("net.safetensors");
        net.save(&path).unwrap();
        let read = MlpController::from_safetensors(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(read, net);
    }

    #[test]
    fn rejects_malformed_weights() {
        let mut layers = tiny().layers;
        layers[1].weight = Array2::zeros((3, 1));
        let err = MlpController::new(array![0.0, 0.0], array![1.0, 1.0], 1.0, layers);
        assert!(err.unwrap_err().to_string().contains("layer 1"));
        let err = MlpController::new(array![f32::NAN, 0.0], array![1.0, 1.0], 1.0, tiny().layers);
        assert!(err.is_err());
        assert!(MlpController::from_safetensors(b"not a safetensors file").is_err());
    }
}
