//! Behavioral cloning on a tabular task: the time-indexed table `π_t(a|s)` of smoothed action
//! counts.
//!
//! The tabular tasks observe `[row, col, t]` (see [`costlearn_envs::tabular::observation`]), and
//! their experts are time-dependent (finite-horizon soft value iteration). The maximum-likelihood
//! policy over `(t, s)` is the table of empirical action frequencies; with few demonstrations most
//! `(t, s)` are seen once or never, so the counts are smoothed additively, each level toward the
//! one below it with `λ` pseudo-counts (`smoothing`):
//!
//! ```text
//! n_t(s,a)  steps demonstrated at time t in state s with action a
//! n(s,a) = Σ_t n_t(s,a),   n(a) = Σ_s n(s,a),   and n_t(s), n(s), N their sums over a
//!
//! p(a)     = (n(a)     + λ/A)    / (N      + λ)      the action frequencies of all steps
//! p_s(a)   = (n(s,a)   + λ·q(a)) / (n(s)   + λ)      the state's time-pooled policy
//! π_t(a|s) = (n_t(s,a) + λ·r_s(a)) / (n_t(s) + λ)
//! ```
//!
//! with the [`Prior`] choosing what the counts of `(t, s)` are smoothed toward:
//! [`Prior::Uniform`] `r_s(a) = 1/A`; [`Prior::Pooled`] `r_s = p_s` with `q = 1/A`;
//! [`Prior::Hierarchical`] (the default) `r_s = p_s` with `q = p`. Each level is the posterior mean
//! under a Dirichlet prior of `λ` pseudo-counts centred on the level below, so a `(t, s)` seen
//! often keeps its own frequencies, one seen rarely borrows those of the same state at other
//! times, and a state never demonstrated gets `p`, the demonstrator's overall action frequencies
//! (uniform under the first two priors).
//!
//! On the shipped demonstrations (exact expected return, normalised with the manifest's anchors,
//! 1 / 4 / 16 demonstrations, `λ = 0.1`): `gridworld` 0.04 / 0.14 / 0.36 with the uniform prior,
//! 0.28 / 0.62 / 0.86 pooled, 0.83 / 0.90 / 0.94 hierarchical; `objectworld` 0.03 / 0.06 / 0.16,
//! 0.13 / 0.32 / 0.63 and 0.20 / 0.37 / 0.65. The categorical MLP of `train bc` scores 0.49 / 0.95 /
//! 0.96 and 0.46 / 0.77 / 0.75 (seeds 0 to 2; `cargo run --release --example bc_tabular`). Smaller `λ` is slightly better (0.01 adds at most
//! 0.02), larger worse (`λ = 1`: 0.77 / 0.84 / 0.91 and 0.15 / 0.26 / 0.51 hierarchical). The table
//! cannot generalise to the cells no demonstration visits, which is why the categorical MLP of
//! [`BcConfig`](super::BcConfig), better in 5 of these 6 cases, is what `train bc` uses on these
//! tasks; the table is the better clone of a single `gridworld` demonstration.

use super::{BcError, Result};
use costlearn_envs::tabular::observation::{decode_state, decode_step, OBS_DIM};
use costlearn_envs::tabular::TabularPolicy;
use costlearn_envs::{EnvSpec, Space, Trajectories};
use ndarray::{Array1, Array2, Array3, Axis};
use serde::{Deserialize, Serialize};

/// The sizes of a tabular task, read from its spec.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GridShape {
    /// Rows of the grid.
    pub height: usize,
    /// Columns of the grid.
    pub width: usize,
    /// Horizon `T`.
    pub horizon: usize,
    /// Number of actions `A`.
    pub num_actions: usize,
}

impl GridShape {
    /// The shape of a task whose spec is that of a tabular task (as
    /// [`TabularEnv`](costlearn_envs::tabular::TabularEnv) writes it): observations `[row, col, t]`
    /// in the box `[0, H−1] × [0, W−1] × [0, T]` with integral bounds and `T` the horizon, and
    /// discrete actions. `None` for any other spec.
    pub fn of_spec(spec: &EnvSpec) -> Option<Self> {
        let Space::Box { low, high } = &spec.observation_space else {
            return None;
        };
        let Space::Discrete { n } = spec.action_space else {
            return None;
        };
        if low.len() != OBS_DIM || high.len() != OBS_DIM || low.iter().any(|&l| l != 0.0) {
            return None;
        }
        let index = |x: f32| (x.is_finite() && x >= 0.0 && x.fract() == 0.0).then_some(x as usize);
        let (height, width, horizon) = (index(high[0])? + 1, index(high[1])? + 1, index(high[2])?);
        (horizon == spec.horizon && horizon > 0 && n > 0).then_some(Self {
            height,
            width,
            horizon,
            num_actions: n,
        })
    }

    /// Number of states `S = H · W`.
    pub fn num_states(&self) -> usize {
        self.height * self.width
    }
}

/// What [`TabularBcConfig`] smooths the counts of each `(t, s)` toward (see the [module](self)
/// documentation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Prior {
    /// The uniform distribution over actions.
    Uniform,
    /// The state's time-pooled action frequencies, themselves smoothed toward uniform.
    Pooled,
    /// The state's time-pooled action frequencies, themselves smoothed toward the action
    /// frequencies of all steps (which are smoothed toward uniform).
    Hierarchical,
}

/// Settings of tabular behavioral cloning (see the [module](self) documentation).
///
/// ```
/// use costlearn_agents::bc::tabular::{Prior, TabularBcConfig};
/// let config = TabularBcConfig::new().smoothing(0.5).prior(Prior::Pooled);
/// assert!(config.validate().is_ok());
/// assert!(TabularBcConfig::new().smoothing(0.0).validate().is_err());
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TabularBcConfig {
    /// Pseudo-counts `λ` added to each `(t, s)` (and to each state's pooled counts).
    pub smoothing: f64,
    /// What the pseudo-counts are spread over.
    pub prior: Prior,
}

impl Default for TabularBcConfig {
    fn default() -> Self {
        Self {
            smoothing: 0.1,
            prior: Prior::Hierarchical,
        }
    }
}

impl TabularBcConfig {
    /// The defaults: `λ = 0.1` pseudo-counts, the hierarchical prior.
    pub fn new() -> Self {
        Self::default()
    }

    /// Pseudo-counts `λ > 0`.
    pub fn smoothing(mut self, lambda: f64) -> Self {
        self.smoothing = lambda;
        self
    }

    /// The prior of each `(t, s)`.
    pub fn prior(mut self, prior: Prior) -> Self {
        self.prior = prior;
        self
    }

    /// Checks that `λ` is positive and finite.
    pub fn validate(&self) -> Result<()> {
        if self.smoothing.is_finite() && self.smoothing > 0.0 {
            Ok(())
        } else {
            Err(BcError::InvalidConfig(format!(
                "tabular smoothing must be positive and finite, got {}",
                self.smoothing
            )))
        }
    }

    /// `π_t(a|s)` from the counts, as a `[T, S, A]` array whose rows sum to one.
    pub fn probabilities(&self, counts: &Counts) -> Result<Array3<f64>> {
        self.validate()?;
        let n = counts.table.mapv(f64::from);
        let a_n = n.len_of(Axis(2));
        let lambda = self.smoothing;
        let uniform = 1.0 / a_n as f64;
        // Smooths each row of counts toward `prior` with λ pseudo-counts.
        let smooth = |counts: &mut Array2<f64>, prior: &Array1<f64>| {
            for mut row in counts.rows_mut() {
                let total = row.sum() + lambda;
                row.zip_mut_with(prior, |c, &p| *c = (*c + lambda * p) / total);
            }
        };
        let flat = Array1::from_elem(a_n, uniform);
        // r_s(a), the prior of every (t, s): [S, A].
        let prior: Array2<f64> = match self.prior {
            Prior::Uniform => Array2::from_elem((n.len_of(Axis(1)), a_n), uniform),
            Prior::Pooled | Prior::Hierarchical => {
                let mut pooled = n.sum_axis(Axis(0));
                let base = match self.prior {
                    Prior::Hierarchical => {
                        let mut all = pooled.sum_axis(Axis(0)).insert_axis(Axis(0));
                        smooth(&mut all, &flat);
                        all.row(0).to_owned()
                    }
                    _ => flat.clone(),
                };
                smooth(&mut pooled, &base);
                pooled
            }
        };
        let mut pi = n;
        for mut at_t in pi.outer_iter_mut() {
            for (mut row, prior) in at_t.rows_mut().into_iter().zip(prior.rows()) {
                let total = row.sum() + lambda;
                row.zip_mut_with(&prior, |c, &p| *c = (*c + lambda * p) / total);
            }
        }
        Ok(pi)
    }

    /// The smoothed table as a policy on the task's grid.
    pub fn policy(&self, counts: &Counts) -> Result<TabularPolicy> {
        let pi = self.probabilities(counts)?;
        TabularPolicy::new(pi.mapv(f64::ln), counts.shape.width)
            .map_err(|e| BcError::InvalidDemos(e.to_string()))
    }

    /// Counts the demonstrations (their spec must be a tabular task's, see
    /// [`GridShape::of_spec`]) and returns the smoothed policy with its counts.
    pub fn train(&self, demos: &Trajectories) -> Result<TabularBc> {
        self.validate()?;
        let shape = GridShape::of_spec(&demos.spec).ok_or_else(|| {
            BcError::Mismatch(format!(
                "`{}` is not a tabular task (observations [row, col, t], discrete actions)",
                demos.spec.name
            ))
        })?;
        let counts = Counts::of_demos(shape, demos)?;
        let policy = self.policy(&counts)?;
        Ok(TabularBc { counts, policy })
    }
}

/// Cloned tabular behaviour: the counts and the policy smoothed from them.
#[derive(Clone, Debug)]
pub struct TabularBc {
    /// The action counts of every `(t, s)`.
    pub counts: Counts,
    /// The smoothed policy.
    pub policy: TabularPolicy,
}

/// The action counts `n_t(s,a)` of demonstrations on a tabular task.
#[derive(Clone, Debug, PartialEq)]
pub struct Counts {
    shape: GridShape,
    table: Array3<u32>,
}

/// [`Counts`] as a file holds them: the shape and the non-zero entries.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CountsFile {
    /// The task's sizes.
    pub shape: GridShape,
    /// `[t, s, a, n_t(s,a)]` for every non-zero count, in `(t, s, a)` order.
    pub counts: Vec<[usize; 4]>,
}

impl Counts {
    /// No counts yet.
    pub fn zeros(shape: GridShape) -> Self {
        Self {
            shape,
            table: Array3::zeros((shape.horizon, shape.num_states(), shape.num_actions)),
        }
    }

    /// Counts every step `(x_t, u_t)` of the demonstrations. Errors when the episodes are not
    /// `T` steps long, or an observation is not `[row, col, t]` of a cell at step `t`, or an action
    /// is not an index in `0..A`.
    pub fn of_demos(shape: GridShape, demos: &Trajectories) -> Result<Self> {
        let (n, t1, od) = demos.obs.dim();
        let (na, t, ad) = demos.acts.dim();
        if n == 0 || t == 0 {
            return Err(BcError::EmptyDemos(format!(
                "`{}` demonstrations hold no step",
                demos.spec.name
            )));
        }
        if na != n || t1 != t + 1 || t != shape.horizon || od != OBS_DIM || ad != 1 {
            return Err(BcError::Mismatch(format!(
                "observations {:?} and actions {:?} are not N×{}×{OBS_DIM} and N×{}×1",
                demos.obs.dim(),
                demos.acts.dim(),
                shape.horizon + 1,
                shape.horizon
            )));
        }
        let mut counts = Self::zeros(shape);
        for i in 0..n {
            for k in 0..t {
                let obs = demos.obs.slice(ndarray::s![i, k, ..]).to_vec();
                let state = decode_state(&obs, shape.width, shape.num_states());
                let step = decode_step(&obs).filter(|&s| s == k);
                let (Some(s), Some(step)) = (state, step) else {
                    return Err(BcError::InvalidDemos(format!(
                        "observation of episode {i} at step {k} is {obs:?}, not [row, col, {k}] \
                         of a cell"
                    )));
                };
                let u = demos.acts[[i, k, 0]];
                let a = (u.is_finite() && u >= 0.0 && u.fract() == 0.0)
                    .then_some(u as usize)
                    .filter(|&a| a < shape.num_actions)
                    .ok_or_else(|| {
                        BcError::InvalidDemos(format!(
                            "action of episode {i} at step {k} is {u}, not an index below {}",
                            shape.num_actions
                        ))
                    })?;
                counts.table[[step, s, a]] += 1;
            }
        }
        Ok(counts)
    }

    /// The task's sizes.
    pub fn shape(&self) -> GridShape {
        self.shape
    }

    /// `n_t(s,a)`, `[T, S, A]`.
    pub fn table(&self) -> &Array3<u32> {
        &self.table
    }

    /// The counts as a file holds them.
    pub fn to_file(&self) -> CountsFile {
        let counts = self
            .table
            .indexed_iter()
            .filter(|(_, &c)| c > 0)
            .map(|((t, s, a), &c)| [t, s, a, c as usize])
            .collect();
        CountsFile {
            shape: self.shape,
            counts,
        }
    }

    /// The counts of a file. Errors on an entry outside the shape or a count too large.
    pub fn from_file(file: &CountsFile) -> Result<Self> {
        let mut counts = Self::zeros(file.shape);
        for &[t, s, a, c] in &file.counts {
            let cell = counts.table.get_mut([t, s, a]).ok_or_else(|| {
                BcError::Mismatch(format!(
                    "count at (t {t}, state {s}, action {a}) is outside {:?}",
                    file.shape
                ))
            })?;
            *cell = u32::try_from(c)
                .map_err(|_| BcError::Mismatch(format!("count {c} is too large")))?;
        }
        Ok(counts)
    }
}
