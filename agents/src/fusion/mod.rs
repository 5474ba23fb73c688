//! The generator density fused over past policies (Finn, Christiano, Abbeel, Levine 2016, footnote 3).
//!
//! Guided cost learning trains its cost on samples drawn by a sequence of policies, so the density
//! that generated the sample pool is a mixture, not the latest policy. The buffer keeps the last `K`
//! policy snapshots with the samples each drew; every kept sample *and every demonstration* is scored
//! under every snapshot, and
//!
//! ```text
//! log q_fus(τ) = log Σ_k w_k q_k(τ),   w_k = n_k / Σ_j n_j,   log q_k(τ) = Σ_t log π_k(u_t | x_t)
//! ```
//!
//! with `n_k` the number of samples snapshot `k` drew, computed by log-sum-exp. The dynamics cancel
//! in every ratio GCL takes (the paper's footnote 2), so policy log-probabilities are all it needs.
//! Per step (the `transition` granularity) the same weights mix `π_k(u_t | x_t)`.
//!
//! [`Fusion::Own`] (each sample keeps the log-density of the policy that drew it, demonstrations are
//! scored under the latest policy) and [`Fusion::Latest`] (the latest policy only) exist for
//! comparison; they are different, biased estimators of the sampling density.

use costlearn_envs::{Policy, Trajectories};
use ndarray::{s, Array1, Array2, Array3, Axis};
use rayon::prelude::*;
use std::collections::VecDeque;
use std::sync::Arc;
use thiserror::Error;

/// Which density scores samples and demonstrations.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fusion {
    /// The count-weighted mixture of every kept snapshot (the paper's choice).
    #[default]
    Mixture,
    /// Each sample under the snapshot that drew it; demonstrations under the latest snapshot.
    Own,
    /// Everything under the latest snapshot.
    Latest,
}

/// Errors of the fusion buffer.
#[derive(Debug, Error, PartialEq)]
pub enum FusionError {
    /// A buffer must keep at least one snapshot.
    #[error("the fusion buffer must keep at least one policy snapshot")]
    ZeroCapacity,
    /// Scoring needs at least one snapshot.
    #[error("the fusion buffer is empty: push a policy snapshot and its samples first")]
    Empty,
    /// Samples of one snapshot must not be empty.
    #[error("a policy snapshot was pushed with no samples")]
    NoSamples,
    /// Segments must hold at least one step.
    #[error("a segment must hold at least one step")]
    ZeroSegment,
    /// The reference batch was asked for but never given.
    #[error("the fusion buffer holds no reference batch (see `FusionBuffer::with_reference`)")]
    NoReference,
    /// A held batch of a snapshot the buffer does not keep.
    #[error("the fusion buffer keeps {kept} snapshots, not snapshot {index}")]
    NoSnapshot {
        /// The index asked for, oldest first.
        index: usize,
        /// Snapshots kept.
        kept: usize,
    },
    /// A policy returned a NaN or +∞ log-probability.
    #[error("snapshot {snapshot} gave log-probability {value} for episode {episode}, step {step}")]
    BadLogProb {
        /// Index of the snapshot, oldest first.
        snapshot: usize,
        /// Episode within the scored batch.
        episode: usize,
        /// Step within the episode.
        step: usize,
        /// The value returned.
        value: f32,
    },
}

/// A batch of episodes with `log π_j(u_t | x_t)` under each kept snapshot `j`, oldest first.
struct Scored {
    trajs: Trajectories,
    log_probs: VecDeque<Array2<f32>>,
}

struct Snapshot {
    policy: Arc<dyn Policy>,
    drawn: Scored,
}

/// A batch the buffer holds, scored under every kept snapshot as snapshots come and go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Held {
    /// The reference batch (the demonstrations), see [`FusionBuffer::with_reference`].
    Reference,
    /// The samples drawn by kept snapshot `k`, oldest first.
    Samples(usize),
}

/// The last `K` policy snapshots and the samples each drew, and optionally a reference batch
/// (the demonstrations).
///
/// Every held batch is scored under every kept snapshot once: when a snapshot arrives it scores
/// its own samples under each kept policy and every held batch under its own policy, so an
/// iteration costs `2K` policy evaluations of a batch instead of `K(K + 1)`, at the price of
/// keeping `K(K + 1)` arrays of `N × T` log-probabilities.
pub struct FusionBuffer {
    capacity: usize,
    snapshots: VecDeque<Snapshot>,
    reference: Option<Scored>,
}

impl FusionBuffer {
    /// A buffer keeping the last `capacity` snapshots.
    pub fn new(capacity: usize) -> Result<Self, FusionError> {
        if capacity == 0 {
            return Err(FusionError::ZeroCapacity);
        }
        Ok(Self {
            capacity,
            snapshots: VecDeque::with_capacity(capacity),
            reference: None,
        })
    }

    /// The same buffer holding `trajs` as its reference batch (the demonstrations), scored under
    /// every kept snapshot and every snapshot pushed later.
    pub fn with_reference(mut self, trajs: Trajectories) -> Result<Self, FusionError> {
        let log_probs = self
            .snapshots
            .par_iter()
            .enumerate()
            .map(|(k, snap)| scored_under(snap.policy.as_ref(), k, &trajs))
            .collect::<Result<_, _>>()?;
        self.reference = Some(Scored { trajs, log_probs });
        Ok(self)
    }

    /// The reference batch, if the buffer holds one.
    pub fn reference(&self) -> Option<&Trajectories> {
        self.reference.as_ref().map(|r| &r.trajs)
    }

    /// Adds a snapshot with the samples it drew, dropping the oldest beyond capacity. The new
    /// samples are scored under every kept snapshot, and every held batch under the new policy;
    /// on error (a NaN or +∞ log-probability) the buffer is left as it was.
    pub fn push(
        &mut self,
        policy: Arc<dyn Policy>,
        samples: Trajectories,
    ) -> Result<(), FusionError> {
        if samples.is_empty() {
            return Err(FusionError::NoSamples);
        }
        let dropped = usize::from(self.snapshots.len() == self.capacity);
        let staying: Vec<&Snapshot> = self.snapshots.iter().skip(dropped).collect();
        let newest = staying.len();
        // The new samples under every snapshot that stays and under the new one.
        let mut policies: Vec<&dyn Policy> = staying.iter().map(|s| s.policy.as_ref()).collect();
        policies.push(policy.as_ref());
        let own: VecDeque<Array2<f32>> = policies
            .par_iter()
            .enumerate()
            .map(|(k, p)| scored_under(*p, k, &samples))
            .collect::<Result<_, _>>()?;
        // Every batch that stays, under the new policy: the reference first.
        let batches: Vec<&Trajectories> = self
            .reference
            .iter()
            .map(|r| &r.trajs)
            .chain(staying.iter().map(|s| &s.drawn.trajs))
            .collect();
        let mut under_new: VecDeque<Array2<f32>> = batches
            .par_iter()
            .map(|b| scored_under(policy.as_ref(), newest, b))
            .collect::<Result<_, _>>()?;

        if dropped == 1 {
            self.snapshots.pop_front();
        }
        let held = self
            .reference
            .iter_mut()
            .chain(self.snapshots.iter_mut().map(|s| &mut s.drawn));
        for (scored, lp) in held.zip(under_new.drain(..)) {
            if dropped == 1 {
                scored.log_probs.pop_front();
            }
            scored.log_probs.push_back(lp);
        }
        self.snapshots.push_back(Snapshot {
            policy,
            drawn: Scored {
                trajs: samples,
                log_probs: own,
            },
        });
        Ok(())
    }

    /// Largest number of snapshots kept.
    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Number of snapshots kept.
    pub fn len(&self) -> usize {
        self.snapshots.len()
    }

    /// Whether no snapshot is kept.
    pub fn is_empty(&self) -> bool {
        self.snapshots.is_empty()
    }

    /// The kept samples, oldest snapshot first.
    pub fn samples(&self) -> impl Iterator<Item = &Trajectories> {
        self.snapshots.iter().map(|s| &s.drawn.trajs)
    }

    /// Mixture weights `w_k = n_k / Σ n`, oldest snapshot first.
    pub fn weights(&self) -> Array1<f64> {
        let counts: Array1<f64> = self
            .snapshots
            .iter()
            .map(|s| s.drawn.trajs.len() as f64)
            .collect();
        let total = counts.sum();
        counts / total
    }

    /// `log π_k(u_t | x_t)` of `trajs` under every snapshot, `[K, N, T]`, snapshots scored in parallel.
    pub fn step_log_probs(&self, trajs: &Trajectories) -> Result<Array3<f32>, FusionError> {
        if self.is_empty() {
            return Err(FusionError::Empty);
        }
        let per_snapshot: Vec<Array2<f32>> = self
            .snapshots
            .par_iter()
            .enumerate()
            .map(|(k, snap)| scored_under(snap.policy.as_ref(), k, trajs))
            .collect::<Result<_, _>>()?;
        Ok(stacked(per_snapshot.iter(), trajs))
    }

    /// The held batch `which`.
    pub fn held(&self, which: Held) -> Result<&Trajectories, FusionError> {
        Ok(&self.scored(which)?.trajs)
    }

    /// `log π_k(u_t | x_t)` of the held batch `which` under every kept snapshot, `[K, N, T]`:
    /// what [`step_log_probs`](Self::step_log_probs) gives for it, without evaluating a policy.
    pub fn held_step_log_probs(&self, which: Held) -> Result<Array3<f32>, FusionError> {
        if self.is_empty() {
            return Err(FusionError::Empty);
        }
        let scored = self.scored(which)?;
        Ok(stacked(scored.log_probs.iter(), &scored.trajs))
    }

    fn scored(&self, which: Held) -> Result<&Scored, FusionError> {
        match which {
            Held::Reference => self.reference.as_ref().ok_or(FusionError::NoReference),
            Held::Samples(k) => {
                self.snapshots
                    .get(k)
                    .map(|s| &s.drawn)
                    .ok_or(FusionError::NoSnapshot {
                        index: k,
                        kept: self.len(),
                    })
            }
        }
    }

    /// Per-step log-density `[N, T]` of `trajs` under the chosen fusion: the segments of
    /// [`log_density_per_segment`](Self::log_density_per_segment) one step long.
    pub fn log_density_per_step(
        &self,
        trajs: &Trajectories,
        fusion: Fusion,
        drawn_by: Option<usize>,
    ) -> Result<Array2<f64>, FusionError> {
        self.log_density_per_segment(trajs, fusion, drawn_by, 1)
    }

    /// Trajectory log-density `log q(τ)`, `[N]`, of `trajs` under the chosen fusion: one segment
    /// as long as the horizon.
    pub fn log_density(
        &self,
        trajs: &Trajectories,
        fusion: Fusion,
        drawn_by: Option<usize>,
    ) -> Result<Array1<f64>, FusionError> {
        let t = trajs.horizon().max(1);
        Ok(self
            .log_density_per_segment(trajs, fusion, drawn_by, t)?
            .remove_axis(Axis(1)))
    }

    /// Log-density of each segment of `len` consecutive steps, `[N, ⌈T/len⌉]` (the last segment
    /// of an episode is shorter when `len` does not divide `T`):
    ///
    /// ```text
    /// log q_fus(σ) = logsumexp_k (log w_k + Σ_{t∈σ} log π_k(u_t | x_t))
    /// ```
    ///
    /// `len = 1` is the per-step density, `len = T` the trajectory density. `drawn_by` is the index
    /// of the snapshot (oldest first) that drew `trajs`, `None` for demonstrations; it matters only
    /// to [`Fusion::Own`]. Errors when `len` is 0.
    pub fn log_density_per_segment(
        &self,
        trajs: &Trajectories,
        fusion: Fusion,
        drawn_by: Option<usize>,
        len: usize,
    ) -> Result<Array2<f64>, FusionError> {
        if len == 0 {
            return Err(FusionError::ZeroSegment);
        }
        self.fused(self.step_log_probs(trajs)?, fusion, drawn_by, len)
    }

    /// [`log_density_per_segment`](Self::log_density_per_segment) of the held batch `which` (drawn
    /// by snapshot `k` for [`Held::Samples`]`(k)`, a demonstration for [`Held::Reference`]), from
    /// the log-probabilities the buffer keeps.
    pub fn held_log_density_per_segment(
        &self,
        which: Held,
        fusion: Fusion,
        len: usize,
    ) -> Result<Array2<f64>, FusionError> {
        if len == 0 {
            return Err(FusionError::ZeroSegment);
        }
        let drawn_by = match which {
            Held::Reference => None,
            Held::Samples(k) => Some(k),
        };
        self.fused(self.held_step_log_probs(which)?, fusion, drawn_by, len)
    }

    /// The segment log-densities of step log-probabilities `lp`, `[K, N, T]`, under `fusion`.
    fn fused(
        &self,
        lp: Array3<f32>,
        fusion: Fusion,
        drawn_by: Option<usize>,
        len: usize,
    ) -> Result<Array2<f64>, FusionError> {
        let lp = lp.mapv(f64::from);
        let (k_n, n, t) = lp.dim();
        let segments = t.div_ceil(len);
        // log q_k(σ) = Σ_{t∈σ} log π_k(u_t | x_t)
        let per_snapshot = Array3::from_shape_fn((k_n, n, segments), |(k, i, j)| {
            lp.slice(s![k, i, j * len..((j + 1) * len).min(t)]).sum()
        });
        Ok(match fusion {
            Fusion::Mixture => mix(&per_snapshot, &self.weights()),
            Fusion::Own | Fusion::Latest => {
                let k = self.chosen(fusion, drawn_by);
                per_snapshot.index_axis(Axis(0), k).to_owned()
            }
        })
    }

    fn chosen(&self, fusion: Fusion, drawn_by: Option<usize>) -> usize {
        let latest = self.len() - 1;
        match (fusion, drawn_by) {
            (Fusion::Own, Some(k)) => k.min(latest),
            _ => latest,
        }
    }
}

/// `log π(u_t | x_t)` of every step of `trajs`, `[N, T]`; `snapshot` names the policy in the error
/// a NaN or +∞ log-probability gives.
fn scored_under(
    policy: &dyn Policy,
    snapshot: usize,
    trajs: &Trajectories,
) -> Result<Array2<f32>, FusionError> {
    let (n, t) = (trajs.len(), trajs.horizon());
    let obs = trajs
        .obs
        .slice(s![.., ..t, ..])
        .to_shape((n * t, trajs.spec.obs_dim()))
        .expect("a sliced trajectory batch reshapes")
        .to_owned();
    let acts = trajs
        .acts
        .to_shape((n * t, trajs.spec.act_dim()))
        .expect("an action batch reshapes")
        .to_owned();
    let lp = policy.log_prob(obs.view(), acts.view());
    if let Some(i) = lp.iter().position(|v| v.is_nan() || *v == f32::INFINITY) {
        return Err(FusionError::BadLogProb {
            snapshot,
            episode: i / t,
            step: i % t,
            value: lp[i],
        });
    }
    Ok(lp.into_shape_with_order((n, t)).expect("n·t log-probs"))
}

/// Per-snapshot `[N, T]` log-probabilities of `trajs` stacked into `[K, N, T]`.
fn stacked<'a>(
    per_snapshot: impl ExactSizeIterator<Item = &'a Array2<f32>>,
    trajs: &Trajectories,
) -> Array3<f32> {
    let mut out = Array3::zeros((per_snapshot.len(), trajs.len(), trajs.horizon()));
    for (k, lp) in per_snapshot.enumerate() {
        out.index_axis_mut(Axis(0), k).assign(lp);
    }
    out
}

/// `logsumexp_k (log w_k + x[k, ..])` over the first axis, stable around the largest term.
fn mix(x: &Array3<f64>, weights: &Array1<f64>) -> Array2<f64> {
    let (_, n, t) = x.dim();
    Array2::from_shape_fn((n, t), |(i, j)| {
        let terms = weights
            .iter()
            .enumerate()
            .map(|(k, w)| w.ln() + x[[k, i, j]]);
        let m = terms.clone().fold(f64::NEG_INFINITY, f64::max);
        if m == f64::NEG_INFINITY {
            return m;
        }
        m + terms.map(|v| (v - m).exp()).sum::<f64>().ln()
    })
}

#[cfg(test)]
pub(crate) mod tests;
