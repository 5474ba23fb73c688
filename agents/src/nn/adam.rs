//! The Adam optimizer over a [`ParamSet`], with optional global-norm gradient clipping.

use super::backend::{with_device, DMat, Dev};
use super::device::Device;
use super::error::{NnError, Result};
use super::params::{to_array, ParamGrads, ParamId, ParamSet};
use ndarray::Array2;
use std::path::Path;

/// Name of the step count in a saved optimiser state.
const STEP_TENSOR: &str = "adam.step";

/// Adam (Kingma & Ba 2015) with bias correction; optionally clips the global gradient norm first.
#[derive(Clone)]
pub struct Adam {
    lr: f32,
    beta1: f32,
    beta2: f32,
    eps: f32,
    max_grad_norm: Option<f32>,
    step: i32,
    moments: Vec<(DMat, DMat)>,
}

impl std::fmt::Debug for Adam {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Adam")
            .field("lr", &self.lr)
            .field("beta1", &self.beta1)
            .field("beta2", &self.beta2)
            .field("eps", &self.eps)
            .field("max_grad_norm", &self.max_grad_norm)
            .field("step", &self.step)
            .finish()
    }
}

/// What one [`Adam::step`] did.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepInfo {
    /// Global gradient norm before clipping.
    pub grad_norm: f32,
    /// Whether the gradients were scaled down.
    pub clipped: bool,
}

impl Adam {
    /// Adam with learning rate `lr`, `β = (0.9, 0.999)`, `ε = 1e-8`, no clipping.
    pub fn new(lr: f32) -> Self {
        Self {
            lr,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            max_grad_norm: None,
            step: 0,
            moments: Vec::new(),
        }
    }

    /// Decay rates of the first and second moment estimates.
    pub fn betas(mut self, beta1: f32, beta2: f32) -> Self {
        self.beta1 = beta1;
        self.beta2 = beta2;
        self
    }

    /// The constant added to the denominator.
    pub fn eps(mut self, eps: f32) -> Self {
        self.eps = eps;
        self
    }

    /// Clip the global gradient norm to `max_norm` before every step.
    pub fn max_grad_norm(mut self, max_norm: f32) -> Self {
        self.max_grad_norm = Some(max_norm);
        self
    }

    /// Sets the learning rate (e.g. for a schedule).
    pub fn set_lr(&mut self, lr: f32) {
        self.lr = lr;
    }

    /// The learning rate.
    pub fn lr(&self) -> f32 {
        self.lr
    }

    /// Number of steps taken.
    pub fn steps(&self) -> i32 {
        self.step
    }

    fn validate(&self) -> Result<()> {
        let ok = self.lr.is_finite()
            && self.lr >= 0.0
            && (0.0..1.0).contains(&self.beta1)
            && (0.0..1.0).contains(&self.beta2)
            && self.eps.is_finite()
            && self.eps > 0.0
            && self
                .max_grad_norm
                .map_or(true, |m| m.is_finite() && m > 0.0);
        if ok {
            Ok(())
        } else {
            Err(NnError::InvalidConfig(format!(
                "bad Adam settings: {self:?}"
            )))
        }
    }

    /// Updates `params` in place from `grads` (which must come from the same set). Non-finite
    /// gradients leave the parameters untouched and are reported as an error.
    pub fn step(&mut self, params: &mut ParamSet, mut grads: ParamGrads) -> Result<StepInfo> {
        self.validate()?;
        if grads.len() != params.len() {
            return Err(NnError::InvalidConfig(format!(
                "{} gradients for {} parameters",
                grads.len(),
                params.len()
            )));
        }
        for (g, p) in grads.values.iter().zip(params.values()) {
            if g.shape() != p.shape() {
                return Err(NnError::ShapeMismatch {
                    op: "adam step",
                    left: p.shape(),
                    right: g.shape(),
                });
            }
        }
        let grad_norm = match self.max_grad_norm {
            Some(max) => grads.clip_global_norm(max),
            None => grads.global_norm(),
        };
        if !grad_norm.is_finite() {
            return Err(NnError::InvalidConfig(format!(
                "non-finite gradient norm {grad_norm}"
            )));
        }
        let clipped = self.max_grad_norm.is_some_and(|m| grad_norm > m);
        if self.moments.len() != params.len()
            || self
                .moments
                .iter()
                .zip(params.values())
                .any(|(m, p)| m.0.shape() != p.shape())
        {
            self.moments = params
                .values()
                .iter()
                .map(|p| (zeros_like(p), zeros_like(p)))
                .collect();
            self.step = 0;
        }
        self.step += 1;
        let (b1, b2) = (self.beta1, self.beta2);
        let c1 = 1.0 - b1.powi(self.step);
        let c2 = 1.0 - b2.powi(self.step);
        let step_size = self.lr / c1;
        let eps = self.eps * c2.sqrt();
        for (i, g) in grads.values.iter().enumerate() {
            let p = &params.values()[i];
            let (m, v) = &self.moments[i];
            let (new_p, new_m, new_v) = with_device!(g, D => {
                let g = D::unwrap(g).clone();
                let m = D::unwrap(m).clone() * b1 + g.clone() * (1.0 - b1);
                let v = D::unwrap(v).clone() * b2 + g.square() * (1.0 - b2);
                // p - lr·m̂/(√v̂ + ε) with m̂ = m/c1, v̂ = v/c2, rearranged to one division.
                let denom = v.clone().sqrt() + eps;
                let update = (m.clone() / denom) * (step_size * c2.sqrt());
                let p = D::unwrap(p).clone() - update;
                (D::wrap(p), D::wrap(m), D::wrap(v))
            });
            params.replace(i, new_p);
            self.moments[i] = (new_m, new_v);
        }
        Ok(StepInfo { grad_norm, clipped })
    }
}

impl Adam {
    /// Saves the optimiser's state for the parameters `params` (the set it steps) to a safetensors
    /// file, atomically: the step count as `adam.step` (`1×1`) and the first and second moment
    /// estimates of each parameter `p` as `m/p` and `v/p` (zeros before the first step). The
    /// settings (learning rate, betas, clipping) are not saved: they come from the configuration.
    pub fn save_state(&self, params: &ParamSet, path: impl AsRef<Path>) -> Result<()> {
        let mut state = ParamSet::new(Device::Cpu)?;
        state.add(STEP_TENSOR, Array2::from_elem((1, 1), self.step as f32))?;
        let started = self.moments.len() == params.len();
        for (i, name) in params.names().iter().enumerate() {
            let (m, v) = if started {
                let (m, v) = &self.moments[i];
                (to_array(m), to_array(v))
            } else {
                let zeros = Array2::zeros(params.shape(ParamId(i)));
                (zeros.clone(), zeros)
            };
            state.add(format!("m/{name}"), m)?;
            state.add(format!("v/{name}"), v)?;
        }
        state.save(path)
    }

    /// Restores the state written by [`Adam::save_state`] for the same parameters, so that the next
    /// [`Adam::step`] is the one the saved optimiser would have taken. On error nothing changes and
    /// the error names the file and the first problem found.
    pub fn load_state(&mut self, params: &ParamSet, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let mut state = ParamSet::new(params.device())?;
        let step = state.add(STEP_TENSOR, Array2::zeros((1, 1)))?;
        for (i, name) in params.names().iter().enumerate() {
            let zeros = Array2::zeros(params.shape(ParamId(i)));
            state.add(format!("m/{name}"), zeros.clone())?;
            state.add(format!("v/{name}"), zeros)?;
        }
        state.load(path)?;
        let count = state.get(step)[[0, 0]];
        if !(count >= 0.0 && count.fract() == 0.0 && count <= i32::MAX as f32) {
            return Err(NnError::BadWeights {
                path: path.to_path_buf(),
                reason: format!("`{STEP_TENSOR}` is {count}, not a step count"),
            });
        }
        let values = state.values();
        self.moments = (0..params.len())
            .map(|i| (values[1 + 2 * i].clone(), values[2 + 2 * i].clone()))
            .collect();
        self.step = count as i32;
        Ok(())
    }
}

fn zeros_like(m: &DMat) -> DMat {
    with_device!(m, D => D::wrap(D::unwrap(m).clone() * 0.0))
}
