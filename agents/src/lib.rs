//! # costlearn-agents
//!
//! The learning side of costlearn. Depends on `costlearn-envs` only.
#![warn(missing_docs)]

pub mod fusion;
pub mod maxent_irl;
