//! The features `φ(s)` of a tabular task's states, read from its observations `[row, col, t]`:
//! the input of a cost over state features (the cost of exact MaxEnt IRL).

use super::error::{GclError, Result};
use costlearn_envs::tabular::{observation, Mdp};
use ndarray::{Array2, ArrayView1};
use std::sync::Arc;

/// The feature rows `φ(s)` of a tabular task's states, looked up from observations `[row, col, t]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FeatureMap {
    features: Arc<Array2<f32>>,
    width: usize,
}

impl FeatureMap {
    /// The feature matrix `φ [S, K]` of states on a grid of width `width`. Errors unless `S, K ≥ 1`
    /// and `width` divides `S`.
    pub fn new(features: Arc<Array2<f32>>, width: usize) -> Result<Self> {
        let (s, k) = features.dim();
        if s == 0 || k == 0 || width == 0 || s % width != 0 {
            return Err(GclError::InvalidConfig(format!(
                "a feature map needs S, K ≥ 1 and a width dividing S; got [{s}, {k}] with width {width}"
            )));
        }
        Ok(Self { features, width })
    }

    /// The features of a tabular task's model.
    pub fn of_mdp(mdp: &Mdp) -> Result<Self> {
        Self::new(Arc::new(mdp.features.clone()), mdp.width)
    }

    /// Number of features `K`.
    pub fn num_features(&self) -> usize {
        self.features.ncols()
    }

    /// `φ(s)` of the state of observation `obs`, or `None` when it is not a cell of the grid.
    pub(super) fn of(&self, obs: ArrayView1<'_, f32>) -> Option<ArrayView1<'_, f32>> {
        let obs = obs.to_vec();
        let s = observation::decode_state(&obs, self.width, self.features.nrows())?;
        Some(self.features.row(s))
    }
}
