//! One module per CLI verb.

pub mod bench;
pub mod envs;
pub mod eval;
pub mod inspect;
pub mod record;
pub mod render;
pub mod train;
