//! Tabular MDPs with known dynamics: the model ([`Mdp`]), its [`Env`](crate::Env) wrapper
//! ([`TabularEnv`]), time-indexed policy tables ([`TabularPolicy`]), the built-in grid tasks
//! ([`gridworld`], [`objectworld`]), and finite-horizon soft value iteration with the visitation
//! forward pass ([`soft_vi`]), on which exact MaxEnt IRL is built.

pub mod env;
pub mod error;
pub mod grid;
pub mod gridworld;
pub mod mdp;
pub mod objectworld;
pub mod observation;
pub mod policy;
pub mod soft_vi;
mod sparse;
mod task;

pub use env::TabularEnv;
pub use error::TabularError;
pub use grid::Move;
pub use gridworld::GridWorld;
pub use mdp::Mdp;
pub use objectworld::{Object, ObjectWorld};
pub use policy::TabularPolicy;
pub use soft_vi::{
    empirical_visitation, expected_return, feature_expectations, soft_value_iteration,
    soft_value_iteration_true, state_action_visitation, SoftValues,
};
