//! The description of a task that travels with every demonstration file.

use crate::space::Space;
use serde::{Deserialize, Serialize};

/// Name, spaces, horizon and time step of a task. Serialised (as JSON) into every demo file, so a file
/// always says which task produced it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EnvSpec {
    /// Registry name, e.g. `"pendulum"`.
    pub name: String,
    /// Space of observations `x_t`.
    pub observation_space: Space,
    /// Space of actions `u_t`.
    pub action_space: Space,
    /// Fixed number of steps `T` of every episode (no early termination).
    pub horizon: usize,
    /// Simulated seconds per step (1.0 for tabular tasks).
    pub dt: f32,
}

impl EnvSpec {
    /// Floats per observation.
    pub fn obs_dim(&self) -> usize {
        self.observation_space.dim()
    }

    /// Floats per action (1 for a discrete action).
    pub fn act_dim(&self) -> usize {
        self.action_space.dim()
    }

    /// Checks that the spec is usable: a name, well-formed spaces, `T ≥ 1`, a positive finite `dt`.
    pub fn validate(&self) -> Result<(), String> {
        if self.name.trim().is_empty() {
            return Err("spec has an empty name".into());
        }
        self.observation_space
            .validate()
            .map_err(|e| format!("observation space: {e}"))?;
        self.action_space
            .validate()
            .map_err(|e| format!("action space: {e}"))?;
        if self.horizon == 0 {
            return Err("horizon is zero".into());
        }
        if !(self.dt.is_finite() && self.dt > 0.0) {
            return Err(format!("dt must be positive and finite, got {}", self.dt));
        }
        Ok(())
    }
}
