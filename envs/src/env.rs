//! The [`Env`] trait (one episode at a time, Gymnasium's reset/step vocabulary) and the [`VecEnv`]
//! trait (many copies stepped in lock-step).

use crate::spec::EnvSpec;
use crate::tabular::Mdp;

/// A task with a fixed horizon, stepped one episode at a time.
///
/// Object safe: the registry hands out `Box<dyn Env>`, and a user's own type plugs in the same way
/// (see `examples/custom_env.rs`). Observations and actions are flat `f32` slices whose lengths are
/// `spec().obs_dim()` and `spec().act_dim()`. An episode is one `reset` followed by exactly
/// `spec().horizon` calls to `step`; there is no early termination.
pub trait Env: Send {
    /// Name, spaces, horizon and time step.
    fn spec(&self) -> &EnvSpec;

    /// Starts an episode and writes the first observation `x_1` into `obs`. Every random choice of the
    /// episode (initial state, stochastic transitions) is derived from `seed`, so the same seed replays
    /// the same episode given the same actions.
    fn reset(&mut self, seed: u64, obs: &mut [f32]);

    /// Applies `action` in state `x_t`, writes `x_{t+1}` into `obs` and returns the true reward
    /// `r(x_t, u_t)`. Box actions outside the action space are clipped by the environment; the
    /// trajectory records the action as given.
    fn step(&mut self, action: &[f32], obs: &mut [f32]) -> f32;

    /// The tabular model behind the task, for tasks with known dynamics (used by exact MaxEnt IRL).
    fn tabular(&self) -> Option<&Mdp> {
        None
    }
}

/// `num_envs()` copies of a task stepped in lock-step; arrays are row-major `[num_envs, dim]`.
///
/// [`ParallelEnvs`](crate::vec_env::ParallelEnvs) implements it over any [`Env`]; a task may provide
/// a faster batched implementation (for example many bodies in one physics world) through its
/// registry entry. Implementations must give each copy the result it would have on its own, whatever
/// the number of threads.
pub trait VecEnv: Send {
    /// Spec shared by every copy.
    fn spec(&self) -> &EnvSpec;

    /// Number of copies.
    fn num_envs(&self) -> usize;

    /// Resets copy `i` with `seeds[i]`, writing its first observation into row `i` of `obs`.
    fn reset(&mut self, seeds: &[u64], obs: &mut [f32]);

    /// Steps copy `i` with row `i` of `actions`, writing row `i` of `obs` and `rewards[i]`.
    fn step(&mut self, actions: &[f32], obs: &mut [f32], rewards: &mut [f32]);
}
