//! The tabular model `(S, A, P, r, φ, p_0, T)`.

use ndarray::{Array1, Array2, Array3};

/// A finite MDP with a fixed horizon, as exact MaxEnt IRL needs it.
#[derive(Clone, Debug)]
pub struct Mdp {
    /// Transition tensor `P[s, a, s']`; each `P[s, a, ·]` sums to one.
    pub transitions: Array3<f32>,
    /// True reward `r[s, a]`.
    pub reward: Array2<f32>,
    /// Feature matrix `φ[s, k]` (the input of linear and neural costs in exact MaxEnt IRL).
    pub features: Array2<f32>,
    /// Initial state distribution `p_0[s]`.
    pub initial: Array1<f32>,
    /// Horizon `T`.
    pub horizon: usize,
    /// Grid width: state `s` is the cell at row `s / width`, column `s % width`.
    pub width: usize,
}
