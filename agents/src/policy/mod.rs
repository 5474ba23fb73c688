//! Policies: trained through [`crate::nn`], acting through cheap CPU snapshots.
//!
//! Each trainable policy owns a [`ParamSet`] and exposes
//! - [`TrainablePolicy::log_prob_var`]: `log π(u|x)` of given `(obs, act)` batches as a
//!   differentiable `n×1` [`Var`], for losses (policy gradient, behavioral cloning, GCL);
//! - [`TrainablePolicy::snapshot`]: a copy of the current weights implementing
//!   [`costlearn_envs::Policy`] on plain ndarray arrays, with no device and no recording. Rollouts
//!   and the fusion density use snapshots; a snapshot's log-probabilities equal the training
//!   network's.
//!
//! Kinds: [`GaussianMlpPolicy`] for box actions (optionally tanh-squashed into the box), and for
//! discrete actions [`TabularSoftmaxPolicy`] (one row of logits per state) and
//! [`CategoricalMlpPolicy`] (logits from an MLP over observation features).

mod categorical;
mod gaussian;

pub use categorical::{
    CategoricalMlpBuilder, CategoricalMlpPolicy, CategoricalMlpSnapshot, StateEncoding,
    TabularSnapshot, TabularSoftmaxBuilder, TabularSoftmaxPolicy,
};
pub use gaussian::{GaussianMlpBuilder, GaussianMlpPolicy, GaussianSnapshot};

use crate::nn::{Graph, NnError, ParamSet, Result, Var};
use costlearn_envs::Policy;
use ndarray::ArrayView2;
use std::path::Path;

/// The training side of a policy.
pub trait TrainablePolicy {
    /// The CPU snapshot type handed to rollouts.
    type Snapshot: Policy + Clone + 'static;

    /// Floats per observation.
    fn obs_dim(&self) -> usize;

    /// Floats per action (1 for a discrete action).
    fn act_dim(&self) -> usize;

    /// The trainable parameters.
    fn params(&self) -> &ParamSet;

    /// The trainable parameters, for an optimizer step or loading weights.
    fn params_mut(&mut self) -> &mut ParamSet;

    /// `log π(act_i | obs_i)` for each row, as an `n×1` variable of `graph` (which must come from
    /// [`TrainablePolicy::params`]). Errors on mismatched shapes or invalid actions.
    fn log_prob_var(
        &self,
        graph: &Graph,
        obs: ArrayView2<'_, f32>,
        acts: ArrayView2<'_, f32>,
    ) -> Result<Var>;

    /// A copy of the current weights for acting on the CPU.
    fn snapshot(&self) -> Self::Snapshot;

    /// Saves the weights as safetensors (atomically).
    fn save(&self, path: &Path) -> Result<()> {
        self.params().save(path)
    }

    /// Loads weights saved by [`TrainablePolicy::save`] from a policy of the same architecture.
    fn load(&mut self, path: &Path) -> Result<()> {
        self.params_mut().load(path)
    }
}

/// Checks that `obs` and `acts` have matching rows and the expected widths.
fn check_batch(
    obs: ArrayView2<'_, f32>,
    acts: ArrayView2<'_, f32>,
    obs_dim: usize,
    act_dim: usize,
) -> Result<()> {
    if obs.ncols() != obs_dim {
        return Err(NnError::ShapeMismatch {
            op: "policy observations",
            left: obs.dim(),
            right: (obs.nrows(), obs_dim),
        });
    }
    if acts.ncols() != act_dim || acts.nrows() != obs.nrows() {
        return Err(NnError::ShapeMismatch {
            op: "policy actions",
            left: acts.dim(),
            right: (obs.nrows(), act_dim),
        });
    }
    Ok(())
}

/// Checks that there is one generator per row.
fn check_rngs(rows: usize, rngs: usize) -> Result<()> {
    if rngs < rows {
        return Err(NnError::ShapeMismatch {
            op: "one generator per observation",
            left: (rows, 1),
            right: (rngs, 1),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests;
