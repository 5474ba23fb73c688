//! Rollouts: sampling episodes of a task with a [`Policy`].
//!
//! Two ways to sample, with identical results episode by episode:
//!
//! - **Lock-step** ([`Rollout::collect`]): the copies of a [`VecEnv`] run in waves, all with the same
//!   fixed horizon, and every step makes exactly one batched [`Policy::act`] call for all copies (and
//!   one [`Policy::log_prob`] call when log-probabilities are requested), then one [`VecEnv::step`].
//! - **Streaming** ([`Rollout::stream`], [`Rollout::stream_unbounded`]): worker threads each run one
//!   episode at a time and send it, finished, over a bounded channel to an [`EpisodeStream`] while they
//!   go on sampling.
//!
//! Episode `i` of a run is its global index `first_episode + i`. Its generator is
//! [`episode_rng(seed, index)`](crate::seeding::episode_rng): the environment's reset seed is the
//! generator's first `u64`, and the policy draws the episode's action noise from the same generator
//! afterwards. An episode therefore depends on `(seed, index)` alone, never on the wave it ran in, the
//! number of copies, the number of threads or the worker that ran it.
//!
//! Every action, log-probability, observation and reward is checked: a non-finite number or a wrongly
//! shaped policy output stops the rollout with [`EnvError::Rollout`], naming the task, the episode's
//! global index and the step (counted from 0; a bad first observation is reported at step 0).
//!
//! ```
//! use costlearn_envs::{EnvSpec, Env, ParallelEnvs, Space, UniformRandom};
//! use costlearn_envs::rollout::Rollout;
//!
//! /// A point on a line, pushed by the action; the reward is minus the squared distance to 0.
//! struct Line { spec: EnvSpec, x: f32 }
//!
//! impl Env for Line {
//!     fn spec(&self) -> &EnvSpec { &self.spec }
//!     fn reset(&mut self, seed: u64, obs: &mut [f32]) {
//!         self.x = (seed % 5) as f32;
//!         obs[0] = self.x;
//!     }
//!     fn step(&mut self, action: &[f32], obs: &mut [f32]) -> f32 {
//!         self.x += action[0].clamp(-1.0, 1.0);
//!         obs[0] = self.x;
//!         -self.x * self.x
//!     }
//! }
//!
//! let spec = EnvSpec {
//!     name: "line".into(),
//!     observation_space: Space::unbounded(1),
//!     action_space: Space::uniform_box(1, -1.0, 1.0),
//!     horizon: 10,
//!     dt: 1.0,
//! };
//! let policy = UniformRandom::new(spec.action_space.clone()).unwrap();
//! let mut envs = ParallelEnvs::new(4, || Box::new(Line { spec: spec.clone(), x: 0.0 }));
//!
//! let batch = Rollout::new(7).episodes(6).log_probs(true).collect(&mut envs, &policy)?;
//! assert_eq!(batch.len(), 6);
//! assert_eq!(batch.obs.dim(), (6, 11, 1));
//! assert!(batch.logp.is_some());
//! # Ok::<(), costlearn_envs::EnvError>(())
//! ```

mod engine;
mod stream;

pub use stream::{EnvFactory, EpisodeStream, StreamItem};

use crate::env::VecEnv;
use crate::error::EnvError;
use crate::policy::Policy;
use crate::spec::EnvSpec;
use crate::trajectory::Trajectories;
use engine::{Engine, WaveOut};
use ndarray::{s, Array2, Array3};
use std::sync::Arc;

/// What to sample: the run's seed, how many episodes, the global index of the first one, and whether
/// to record `log π(u_t | x_t)`.
///
/// Built with [`Rollout::new`] and the chained setters, then run with [`collect`](Rollout::collect)
/// (lock-step) or [`stream`](Rollout::stream) (worker threads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rollout {
    seed: u64,
    episodes: usize,
    first_episode: u64,
    log_probs: bool,
}

impl Rollout {
    /// One episode (index 0) of the run seeded with `seed`, without log-probabilities.
    pub fn new(seed: u64) -> Self {
        Self {
            seed,
            episodes: 1,
            first_episode: 0,
            log_probs: false,
        }
    }

    /// Samples `n` episodes (0 gives an empty batch).
    pub fn episodes(mut self, n: usize) -> Self {
        self.episodes = n;
        self
    }

    /// Starts at global episode index `k`: the episodes are `k, k+1, …` of the run, so a run started
    /// at `k` reproduces episodes `k..` of a run started at 0.
    pub fn first_episode(mut self, k: u64) -> Self {
        self.first_episode = k;
        self
    }

    /// Whether to record `log π(u_t | x_t)` of the acting policy (in `logp` of the result).
    pub fn log_probs(mut self, yes: bool) -> Self {
        self.log_probs = yes;
        self
    }

    /// Samples the episodes in lock-step on `envs`, in waves of `envs.num_envs()` copies, and returns
    /// them in episode order.
    ///
    /// Each step makes one batched `policy.act` call (and one `policy.log_prob` call when
    /// log-probabilities are requested) for every copy, then one `envs.step`. When the last wave is
    /// partial, the spare copies are stepped too and their episodes discarded.
    ///
    /// Errors with [`EnvError::Invalid`] if the spec is malformed, `envs` has no copies or the episode
    /// indices overflow, and with [`EnvError::Rollout`] on a wrongly shaped policy output or a
    /// non-finite action, log-probability, observation or reward.
    pub fn collect(
        &self,
        envs: &mut dyn VecEnv,
        policy: &dyn Policy,
    ) -> Result<Trajectories, EnvError> {
        let spec = envs.spec().clone();
        validate_spec(&spec)?;
        let copies = envs.num_envs();
        if copies == 0 {
            return Err(invalid(
                &spec,
                "the vectorised environment has no copies".into(),
            ));
        }
        self.check_index_range(&spec)?;

        let (n, t) = (self.episodes, spec.horizon);
        let (od, ad) = (spec.obs_dim(), spec.act_dim());
        let mut obs = Array3::zeros((n, t + 1, od));
        let mut acts = Array3::zeros((n, t, ad));
        let mut rews = Array2::zeros((n, t));
        let mut logp = self.log_probs.then(|| Array2::zeros((n, t)));

        let mut engine = Engine::new(&spec, copies, policy, self.seed, self.log_probs);
        for start in (0..n).step_by(copies) {
            let rows = start..(start + copies).min(n);
            let out = WaveOut {
                obs: obs.slice_mut(s![rows.clone(), .., ..]),
                acts: acts.slice_mut(s![rows.clone(), .., ..]),
                rews: rews.slice_mut(s![rows.clone(), ..]),
                logp: logp.as_mut().map(|l| l.slice_mut(s![rows.clone(), ..])),
            };
            engine.run_wave(envs, self.first_episode + start as u64, out, None)?;
        }
        Ok(Trajectories {
            spec,
            obs,
            acts,
            rews,
            logp,
        })
    }

    /// Streams the run's episodes from `workers` threads, each with its own copy of the task built
    /// by `env` on the calling thread.
    ///
    /// Workers take the next episode index from a shared counter, run that episode alone and send it
    /// over a channel holding at most `workers` finished episodes. Episodes arrive in the order they
    /// finish, each with its global index, and equal those of [`collect`](Rollout::collect) for the
    /// same index. The stream ends after the last episode, or right after the first error.
    ///
    /// Errors with [`EnvError::Invalid`] if `workers` is zero, the task's spec is malformed, the
    /// copies disagree on their spec, the episode indices overflow or a thread cannot be started.
    pub fn stream(
        &self,
        env: impl Into<EnvFactory>,
        policy: Arc<dyn Policy>,
        workers: usize,
    ) -> Result<EpisodeStream, EnvError> {
        stream::spawn(*self, Some(self.episodes), env.into(), policy, workers)
    }

    /// Like [`stream`](Rollout::stream), but without end: episodes `first_episode, first_episode + 1,
    /// …` are sampled until the [`EpisodeStream`] is dropped (the episode count is ignored).
    pub fn stream_unbounded(
        &self,
        env: impl Into<EnvFactory>,
        policy: Arc<dyn Policy>,
        workers: usize,
    ) -> Result<EpisodeStream, EnvError> {
        stream::spawn(*self, None, env.into(), policy, workers)
    }

    /// Errors unless every global index `first_episode + i`, `i < episodes`, fits in a `u64`.
    fn check_index_range(&self, spec: &EnvSpec) -> Result<(), EnvError> {
        match self.first_episode.checked_add(self.episodes as u64) {
            Some(_) => Ok(()),
            None => Err(invalid(
                spec,
                format!(
                    "{} episodes from index {} overflow the episode counter",
                    self.episodes, self.first_episode
                ),
            )),
        }
    }
}

/// [`EnvSpec::validate`] as an [`EnvError::Invalid`].
fn validate_spec(spec: &EnvSpec) -> Result<(), EnvError> {
    spec.validate().map_err(|reason| invalid(spec, reason))
}

/// An [`EnvError::Invalid`] about the task of `spec`.
fn invalid(spec: &EnvSpec, reason: String) -> EnvError {
    EnvError::Invalid {
        name: spec.name.clone(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::env::Env;
    use crate::seeding::Rng;
    use crate::space::Space;
    use crate::vec_env::ParallelEnvs;
    use ndarray::{Array1, ArrayView2, ShapeBuilder};
    use rand::RngCore;

    const DIM: usize = 2;

    /// Observes the last action it received; rewards its first component.
    struct Echo {
        spec: EnvSpec,
    }

    impl Echo {
        fn boxed() -> Box<dyn Env> {
            Box::new(Echo {
                spec: EnvSpec {
                    name: "echo".into(),
                    observation_space: Space::unbounded(DIM),
                    action_space: Space::unbounded(DIM),
                    horizon: 4,
                    dt: 1.0,
                },
            })
        }
    }

    impl Env for Echo {
        fn spec(&self) -> &EnvSpec {
            &self.spec
        }

        fn reset(&mut self, seed: u64, obs: &mut [f32]) {
            obs.fill((seed % 100) as f32);
        }

        fn step(&mut self, action: &[f32], obs: &mut [f32]) -> f32 {
            obs.copy_from_slice(action);
            action[0]
        }
    }

    /// Returns `u[i, j] = x[i, j] + j + 1` in column-major layout, so the rows are not contiguous.
    struct ColumnMajor;

    impl Policy for ColumnMajor {
        fn act(&self, obs: ArrayView2<'_, f32>, _rngs: &mut [Rng]) -> Array2<f32> {
            Array2::from_shape_fn((obs.nrows(), DIM).f(), |(i, j)| {
                obs[[i, j]] + (j + 1) as f32
            })
        }

        fn log_prob(&self, obs: ArrayView2<'_, f32>, _acts: ArrayView2<'_, f32>) -> Array1<f32> {
            Array1::zeros(obs.nrows())
        }
    }

    #[test]
    fn defaults_are_one_episode_from_index_zero_without_log_probs() {
        let mut envs = ParallelEnvs::new(3, Echo::boxed);
        let batch = Rollout::new(1).collect(&mut envs, &ColumnMajor).unwrap();
        assert_eq!(batch.len(), 1);
        assert!(batch.logp.is_none());
        let first_seed = crate::seeding::episode_rng(1, 0).next_u64();
        assert_eq!(batch.obs[[0, 0, 0]], (first_seed % 100) as f32);
    }

    #[test]
    fn non_contiguous_actions_reach_the_env_row_by_row() {
        let mut envs = ParallelEnvs::new(3, Echo::boxed);
        let batch = Rollout::new(2)
            .episodes(5)
            .collect(&mut envs, &ColumnMajor)
            .unwrap();
        for i in 0..5 {
            for t in 0..4 {
                for j in 0..DIM {
                    let (x, u) = (batch.obs[[i, t, j]], batch.acts[[i, t, j]]);
                    assert_eq!(u, x + (j + 1) as f32);
                    assert_eq!(batch.obs[[i, t + 1, j]], u, "episode {i}, step {t}");
                }
                assert_eq!(batch.rews[[i, t]], batch.acts[[i, t, 0]]);
            }
        }
    }

    /// A vectorised task with no copies.
    struct NoCopies(EnvSpec);

    impl VecEnv for NoCopies {
        fn spec(&self) -> &EnvSpec {
            &self.0
        }

        fn num_envs(&self) -> usize {
            0
        }

        fn reset(&mut self, _seeds: &[u64], _obs: &mut [f32]) {}

        fn step(&mut self, _actions: &[f32], _obs: &mut [f32], _rewards: &mut [f32]) {}
    }

    #[test]
    fn a_vec_env_without_copies_or_with_a_bad_spec_is_invalid() {
        let spec = Echo::boxed().spec().clone();
        let result = Rollout::new(0).collect(&mut NoCopies(spec.clone()), &ColumnMajor);
        assert!(
            matches!(result, Err(EnvError::Invalid { reason, .. }) if reason.contains("no copies"))
        );
        let no_horizon = EnvSpec { horizon: 0, ..spec };
        let result = Rollout::new(0).collect(&mut NoCopies(no_horizon), &ColumnMajor);
        assert!(
            matches!(result, Err(EnvError::Invalid { reason, .. }) if reason.contains("horizon"))
        );
    }
}
