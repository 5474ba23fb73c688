//! A built-in tabular task: its model built once, its environment and its expert (soft value iteration
//! on the true reward) derived from it on first use and shared afterwards.

use super::env::TabularEnv;
use super::error::TabularError;
use super::mdp::Mdp;
use super::policy::TabularPolicy;
use super::soft_vi::soft_value_iteration_true;
use crate::registry::EnvEntry;
use std::sync::{Arc, OnceLock};

/// The default configuration of a tabular task, cached for the life of the process.
pub(crate) struct BuiltinTask {
    name: &'static str,
    build: fn() -> Result<Mdp, TabularError>,
    expert_temperature: f64,
    env: OnceLock<TabularEnv>,
    expert: OnceLock<TabularPolicy>,
}

impl BuiltinTask {
    /// A task named `name` whose model `build` makes and whose expert plans at `expert_temperature`.
    pub(crate) const fn new(
        name: &'static str,
        build: fn() -> Result<Mdp, TabularError>,
        expert_temperature: f64,
    ) -> Self {
        Self {
            name,
            build,
            expert_temperature,
            env: OnceLock::new(),
            expert: OnceLock::new(),
        }
    }

    /// Panics if the built-in parameters do not build a valid model, which the tasks' tests rule out.
    fn cached_env(&self) -> &TabularEnv {
        self.env.get_or_init(|| {
            (self.build)()
                .and_then(|mdp| TabularEnv::new(self.name, mdp))
                .unwrap_or_else(|e| panic!("the built-in {} is invalid: {e}", self.name))
        })
    }

    /// The task as an environment (a cheap clone sharing the model).
    pub(crate) fn env(&self) -> TabularEnv {
        self.cached_env().clone()
    }

    /// The task's model.
    pub(crate) fn mdp(&self) -> Arc<Mdp> {
        self.cached_env().mdp().clone()
    }

    /// The expert: soft value iteration on the true reward.
    pub(crate) fn expert(&self) -> TabularPolicy {
        self.expert
            .get_or_init(|| {
                let mdp = self.mdp();
                soft_value_iteration_true(&mdp, self.expert_temperature)
                    .and_then(|sv| sv.policy(&mdp))
                    .unwrap_or_else(|e| panic!("planning the {} expert failed: {e}", self.name))
            })
            .clone()
    }

    /// The registry entry, with the expert.
    pub(crate) fn entry(&'static self, summary: &str) -> EnvEntry {
        EnvEntry::new(self.name, summary, || Box::new(self.env()))
            .with_expert(|| Box::new(self.expert()))
    }
}
