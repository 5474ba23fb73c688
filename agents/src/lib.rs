//! # costlearn-agents
//!
//! The learning side of costlearn. Depends on `costlearn-envs` only.
