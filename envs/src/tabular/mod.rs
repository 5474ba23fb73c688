//! Tabular MDPs with known dynamics: the model ([`Mdp`]), its [`Env`](crate::Env) wrapper, the
//! built-in grid tasks, and finite-horizon soft value iteration (the MaxEnt-optimal planner).

pub mod gridworld;
pub mod mdp;
pub mod objectworld;
pub mod soft_vi;

pub use mdp::Mdp;
