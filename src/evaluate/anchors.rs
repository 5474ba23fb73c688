//! Normalisation anchors: the expert's and a uniform random policy's return on each task, from
//! `demos/manifest.toml` (built into the binary), and the normalised score they define.

use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;

/// The manifest of the shipped demonstrations.
const MANIFEST: &str = include_str!("../../demos/manifest.toml");

/// The returns that a normalised score of 1 (expert) and 0 (random) stand for.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq)]
pub struct Anchors {
    /// Mean return of the expert's demonstrations.
    pub expert_return_mean: f64,
    /// Mean return of a uniform random policy.
    pub random_return_mean: f64,
}

impl Anchors {
    /// `(R − R_random) / (R_expert − R_random)`, or `None` when the anchors coincide.
    pub fn normalize(&self, ret: f64) -> Option<f64> {
        let span = self.expert_return_mean - self.random_return_mean;
        (span.abs() > f64::EPSILON).then(|| (ret - self.random_return_mean) / span)
    }
}

/// The anchors of `env`, or `None` when the manifest has none for it.
pub fn for_env(env: &str) -> Result<Option<Anchors>> {
    let table: BTreeMap<String, toml::Value> =
        toml::from_str(MANIFEST).context("demos/manifest.toml is not valid TOML")?;
    match table.get(env) {
        None => Ok(None),
        Some(entry) => {
            let anchors: Anchors = entry
                .clone()
                .try_into()
                .with_context(|| format!("demos/manifest.toml: bad anchors for `{env}`"))?;
            Ok(Some(anchors))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_task_has_anchors_and_unknown_ones_do_not() {
        for entry in costlearn_envs::registry::entries() {
            if !entry.has_expert() {
                continue;
            }
            let env = entry.name();
            let a = for_env(env).unwrap().unwrap_or_else(|| panic!("{env}"));
            assert_eq!(a.normalize(a.expert_return_mean), Some(1.0));
            assert_eq!(a.normalize(a.random_return_mean), Some(0.0));
        }
        assert!(for_env("no-such-task").unwrap().is_none());
    }
}
