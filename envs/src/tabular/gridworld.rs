//! `gridworld`: the classic MaxEnt IRL benchmark, an `N × N` grid with slippery moves and one goal.
//!
//! - States: the `N²` cells (default `N = 8`), `s = row·N + col`, row 0 at the top.
//! - Actions: stay, up, down, left, right ([`Move`](super::grid::Move)). With probability `slip`
//!   (default 0.1) the chosen move is replaced by one of the four other moves, uniformly; a move into
//!   a wall leaves the agent in place.
//! - True reward: `r(s, a) = 1` when `s` is the goal, the bottom-right cell `(N−1, N−1)`, and 0
//!   elsewhere, whatever the action (the reward is paid for the state the action is taken in).
//! - Features: the one-hot encoding of the state, `φ = I_{N²}`, so a linear cost in `φ` can
//!   represent any state cost.
//! - `p_0` uniform over all cells; horizon `T = 32`.
//!
//! The expert is the soft-value-iteration policy on the true reward at temperature
//! [`EXPERT_TEMPERATURE`].

use super::env::TabularEnv;
use super::error::{invalid, TabularError};
use super::grid::{self, NUM_MOVES};
use super::mdp::Mdp;
use super::policy::TabularPolicy;
use super::task::BuiltinTask;
use crate::registry::EnvEntry;
use ndarray::{Array1, Array2};
use std::sync::Arc;

/// Registry name.
pub const NAME: &str = "gridworld";

/// Temperature `α` of the expert's soft value iteration.
///
/// On the default task the expert's exact expected return is 20.86, against 0.50 for the uniformly
/// random policy and 22.70 for the near-deterministic optimum (soft value iteration at `α = 0.001`),
/// while its entropy averages 1.07 nats per step (ln 5 ≈ 1.61 is uniform): clearly better than
/// random, yet stochastic in the MaxEnt sense.
pub const EXPERT_TEMPERATURE: f64 = 0.5;

/// Builder of a gridworld [`Mdp`].
#[derive(Clone, Debug, PartialEq)]
pub struct GridWorld {
    size: usize,
    slip: f32,
    horizon: usize,
}

impl Default for GridWorld {
    fn default() -> Self {
        Self {
            size: 8,
            slip: 0.1,
            horizon: 32,
        }
    }
}

impl GridWorld {
    /// The default task: 8 × 8, slip 0.1, `T = 32`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Side length `N` of the grid (at least 1).
    pub fn size(mut self, size: usize) -> Self {
        self.size = size;
        self
    }

    /// Probability that a move is replaced by one of the other four (in `[0, 1]`).
    pub fn slip(mut self, slip: f32) -> Self {
        self.slip = slip;
        self
    }

    /// Horizon `T` (at least 1).
    pub fn horizon(mut self, horizon: usize) -> Self {
        self.horizon = horizon;
        self
    }

    /// The goal state, the bottom-right cell.
    pub fn goal(&self) -> usize {
        (self.size * self.size).saturating_sub(1)
    }

    /// Builds the MDP. Errors if the size is zero, the slip is outside `[0, 1]`, or the horizon is
    /// zero.
    pub fn build(&self) -> Result<Mdp, TabularError> {
        if self.size == 0 {
            return Err(invalid("size", "the grid needs at least one cell"));
        }
        grid::check_slip(self.slip)?;
        grid::check_horizon(self.horizon)?;
        let n = self.size * self.size;
        let mut reward = Array2::zeros((n, NUM_MOVES));
        reward.row_mut(self.goal()).fill(1.0);
        Ok(Mdp {
            transitions: grid::transitions(self.size, self.slip),
            reward,
            features: Array2::eye(n),
            initial: Array1::from_elem(n, 1.0 / n as f32),
            horizon: self.horizon,
            width: self.size,
        })
    }
}

static TASK: BuiltinTask = BuiltinTask::new(NAME, || GridWorld::new().build(), EXPERT_TEMPERATURE);

/// The default task's model, built once.
pub fn default_mdp() -> Arc<Mdp> {
    TASK.mdp()
}

/// The default task as an environment.
pub fn make() -> TabularEnv {
    TASK.env()
}

/// The expert of the default task: soft value iteration on the true reward at
/// [`EXPERT_TEMPERATURE`], computed once.
pub fn expert() -> TabularPolicy {
    TASK.expert()
}

/// The registry entry of `gridworld`, with its expert.
pub fn entry() -> EnvEntry {
    TASK.entry("8x8 grid, 5 moves with 10% slip, +1 per step in the bottom-right goal, T = 32")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_task_has_the_documented_shape() {
        let mdp = GridWorld::new().build().unwrap();
        assert_eq!(mdp.validate(), Ok(()));
        assert_eq!(
            (mdp.num_states(), mdp.num_actions(), mdp.num_features()),
            (64, 5, 64)
        );
        assert_eq!(mdp.horizon, 32);
        assert_eq!(mdp.width, 8);
        // +1 exactly in the bottom-right cell, for every action.
        for s in 0..64 {
            let want = if mdp.cell(s) == (7, 7) { 1.0 } else { 0.0 };
            assert!(mdp.reward.row(s).iter().all(|&r| r == want));
        }
        assert!(mdp.initial.iter().all(|&p| (p - 1.0 / 64.0).abs() < 1e-9));
    }

    #[test]
    fn builder_options_are_applied() {
        let mdp = GridWorld::new()
            .size(3)
            .slip(0.0)
            .horizon(5)
            .build()
            .unwrap();
        assert_eq!((mdp.num_states(), mdp.horizon, mdp.width), (9, 5, 3));
        // No slip: moving right from the centre always lands right of it.
        assert_eq!(mdp.transitions[[4, grid::Move::Right as usize, 5]], 1.0);
        assert_eq!(mdp.reward[[8, 0]], 1.0);
    }

    #[test]
    fn bad_parameters_are_errors() {
        let err = |g: GridWorld| match g.build() {
            Err(TabularError::InvalidParameter { name, .. }) => name,
            other => panic!("expected an invalid parameter, got {other:?}"),
        };
        assert_eq!(err(GridWorld::new().size(0)), "size");
        assert_eq!(err(GridWorld::new().slip(-0.01)), "slip");
        assert_eq!(err(GridWorld::new().slip(1.5)), "slip");
        assert_eq!(err(GridWorld::new().slip(f32::NAN)), "slip");
        assert_eq!(err(GridWorld::new().horizon(0)), "horizon");
        assert!(GridWorld::new().size(1).build().is_ok());
    }
}
