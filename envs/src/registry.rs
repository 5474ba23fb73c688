//! Tasks by name: the built-in ones, and a user's own, registered at run time.
//!

use crate::env::{Env, VecEnv};
use crate::error::EnvError;
use crate::policy::Policy;
use crate::vec_env::ParallelEnvs;
use std::collections::BTreeMap;
use std::sync::{Arc, OnceLock, RwLock};

type MakeEnv = Arc<dyn Fn() -> Box<dyn Env> + Send + Sync>;
type MakeVecEnv = Arc<dyn Fn(usize) -> Box<dyn VecEnv> + Send + Sync>;
type MakePolicy = Arc<dyn Fn() -> Box<dyn Policy> + Send + Sync>;

/// How to build a task, and optionally its expert and a batched implementation.
#[derive(Clone)]
pub struct EnvEntry {
    name: String,
    summary: String,
    make: MakeEnv,
    make_vec: Option<MakeVecEnv>,
    expert: Option<MakePolicy>,
}

impl EnvEntry {
    /// A task named `name`, built by `make`, with a one-line `summary` for `costlearn envs`.
    pub fn new(
        name: impl Into<String>,
        summary: impl Into<String>,
        make: impl Fn() -> Box<dyn Env> + Send + Sync + 'static,
    ) -> Self {
        Self {
            name: name.into(),
            summary: summary.into(),
            make: Arc::new(make),
            make_vec: None,
            expert: None,
        }
    }

    /// Adds the expert policy used by `costlearn record`.
    pub fn with_expert(
        mut self,
        expert: impl Fn() -> Box<dyn Policy> + Send + Sync + 'static,
    ) -> Self {
        self.expert = Some(Arc::new(expert));
        self
    }

    /// Adds a batched implementation used for `n` copies instead of [`ParallelEnvs`].
    pub fn with_vec_env(
        mut self,
        make_vec: impl Fn(usize) -> Box<dyn VecEnv> + Send + Sync + 'static,
    ) -> Self {
        self.make_vec = Some(Arc::new(make_vec));
        self
    }

    /// The registered name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The one-line description.
    pub fn summary(&self) -> &str {
        &self.summary
    }

    /// A fresh copy of the task.
    pub fn make(&self) -> Box<dyn Env> {
        (self.make)()
    }

    /// `n` copies stepped in lock-step (the task's own batched implementation if it has one).
    pub fn make_vec(&self, n: usize) -> Box<dyn VecEnv> {
        match &self.make_vec {
            Some(f) => f(n),
            None => {
                let make = self.make.clone();
                Box::new(ParallelEnvs::new(n, move || make()))
            }
        }
    }

    /// The task's expert, if it has one.
    pub fn expert(&self) -> Result<Box<dyn Policy>, EnvError> {
        self.expert
            .as_ref()
            .map(|f| f())
            .ok_or_else(|| EnvError::NoExpert(self.name.clone()))
    }

    /// Whether an expert is registered.
    pub fn has_expert(&self) -> bool {
        self.expert.is_some()
    }
}

fn builtins() -> Vec<EnvEntry> {
    use crate::control::*;
    use crate::tabular::{gridworld, objectworld};
    vec![
        gridworld::entry(),
        objectworld::entry(),
        pendulum::entry(),
        pendulum::heavy_entry(),
        cartpole::entry(),
        reacher::entry(),
        reacher::long_entry(),
        navigation::entry(),
        navigation::tall_entry(),
        hopper::entry(),
    ]
}

fn table() -> &'static RwLock<BTreeMap<String, EnvEntry>> {
    static TABLE: OnceLock<RwLock<BTreeMap<String, EnvEntry>>> = OnceLock::new();
    TABLE.get_or_init(|| {
        RwLock::new(
            builtins()
                .into_iter()
                .map(|e| (e.name.clone(), e))
                .collect(),
        )
    })
}

/// Registers a task under its name. Errors if the name is taken or empty.
pub fn register(entry: EnvEntry) -> Result<(), EnvError> {
    if entry.name.trim().is_empty() {
        return Err(EnvError::Invalid {
            name: entry.name,
            reason: "the name is empty".into(),
        });
    }
    let mut table = table().write().unwrap_or_else(|e| e.into_inner());
    if table.contains_key(&entry.name) {
        return Err(EnvError::AlreadyRegistered(entry.name));
    }
    table.insert(entry.name.clone(), entry);
    Ok(())
}

/// Registers a task under its name unless a task of that name is registered already, which is
/// kept: a program may call it before every use of its task (from any thread) without checking.
/// Errors only on an empty name.
///
/// ```
/// use costlearn_envs::{registry, EnvEntry};
///
/// let entry = || EnvEntry::new("my-pendulum", "a copy", || registry::make("pendulum").unwrap());
/// registry::register_once(entry()).unwrap();
/// registry::register_once(entry()).unwrap();
/// assert!(registry::register(entry()).is_err());
/// ```
pub fn register_once(entry: EnvEntry) -> Result<(), EnvError> {
    match register(entry) {
        Err(EnvError::AlreadyRegistered(_)) => Ok(()),
        other => other,
    }
}

/// The entry registered under `name`.
pub fn lookup(name: &str) -> Result<EnvEntry, EnvError> {
    let table = table().read().unwrap_or_else(|e| e.into_inner());
    table
        .get(name)
        .cloned()
        .ok_or_else(|| EnvError::UnknownEnv {
            name: name.to_string(),
            known: table.keys().cloned().collect::<Vec<_>>().join(", "),
        })
}

/// A fresh copy of the task registered under `name`.
pub fn make(name: &str) -> Result<Box<dyn Env>, EnvError> {
    lookup(name).map(|e| e.make())
}

/// Every registered entry, sorted by name.
pub fn entries() -> Vec<EnvEntry> {
    let table = table().read().unwrap_or_else(|e| e.into_inner());
    table.values().cloned().collect()
}
