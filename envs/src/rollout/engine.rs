//! The lock-step loop shared by both sampling modes: one wave of episodes on a [`VecEnv`], with
//! reusable buffers and a check of every number that crosses the env and policy boundaries.

use crate::env::{Env, VecEnv};
use crate::error::EnvError;
use crate::policy::Policy;
use crate::seeding::{episode_rng, Rng};
use crate::spec::EnvSpec;
use crate::trajectory::Trajectory;
use ndarray::{s, Array1, Array2, ArrayView1, ArrayViewMut2, ArrayViewMut3, Axis};
use rand::RngCore;
use std::sync::atomic::{AtomicBool, Ordering};

/// Where a wave writes its episodes: `live` rows of `[live, T+1, obs_dim]` observations,
/// `[live, T, act_dim]` actions, `[live, T]` rewards and, when requested, `[live, T]` log-probs.
/// Copies beyond `live` are stepped but not recorded.
pub(super) struct WaveOut<'a> {
    pub obs: ArrayViewMut3<'a, f32>,
    pub acts: ArrayViewMut3<'a, f32>,
    pub rews: ArrayViewMut2<'a, f32>,
    pub logp: Option<ArrayViewMut2<'a, f32>>,
}

/// Runs waves of `copies` episodes with one policy, reusing its buffers from wave to wave.
pub(super) struct Engine<'p> {
    policy: &'p dyn Policy,
    seed: u64,
    log_probs: bool,
    env_name: String,
    horizon: usize,
    act_dim: usize,
    /// Current observations `[copies, obs_dim]`, in standard layout.
    obs: Array2<f32>,
    /// Actions handed to the env when the policy's output is not contiguous, `copies * act_dim`.
    acts: Vec<f32>,
    rews: Vec<f32>,
    seeds: Vec<u64>,
    rngs: Vec<Rng>,
    /// Step the current wave is at, for errors raised from outside the loop.
    step: usize,
}

impl<'p> Engine<'p> {
    /// An engine for `copies` copies of the task of `spec`.
    pub fn new(
        spec: &EnvSpec,
        copies: usize,
        policy: &'p dyn Policy,
        seed: u64,
        log_probs: bool,
    ) -> Self {
        Self {
            policy,
            seed,
            log_probs,
            env_name: spec.name.clone(),
            horizon: spec.horizon,
            act_dim: spec.act_dim(),
            obs: Array2::zeros((copies, spec.obs_dim())),
            acts: vec![0.0; copies * spec.act_dim()],
            rews: vec![0.0; copies],
            seeds: vec![0; copies],
            // Replaced by the episodes' own generators at the start of every wave.
            rngs: vec![episode_rng(seed, 0); copies],
            step: 0,
        }
    }

    /// The step the last wave reached.
    pub fn step(&self) -> usize {
        self.step
    }

    /// An [`EnvError::Rollout`] about episode `index` at `step`.
    pub fn error(&self, index: u64, step: usize, reason: String) -> EnvError {
        EnvError::Rollout {
            env: self.env_name.clone(),
            episode: usize::try_from(index).unwrap_or(usize::MAX),
            step,
            reason,
        }
    }

    /// Runs episodes `first, first + 1, …` on the copies of `envs` (copy `c` runs episode
    /// `first + c`) and records the first `out.rews.nrows()` of them into `out`.
    ///
    /// Returns `Ok(false)` without finishing when `cancel` is raised (checked once per step).
    pub fn run_wave(
        &mut self,
        envs: &mut dyn VecEnv,
        first: u64,
        mut out: WaveOut<'_>,
        cancel: Option<&AtomicBool>,
    ) -> Result<bool, EnvError> {
        let copies = self.obs.nrows();
        let live = out.rews.nrows();
        debug_assert_eq!(envs.num_envs(), copies);
        debug_assert!(live <= copies);

        for (c, (seed, rng)) in self.seeds.iter_mut().zip(&mut self.rngs).enumerate() {
            *rng = episode_rng(self.seed, first.wrapping_add(c as u64));
            *seed = rng.next_u64();
        }
        self.step = 0;
        let obs = self
            .obs
            .as_slice_mut()
            .expect("the observation buffer is in standard layout");
        envs.reset(&self.seeds, obs);
        for c in 0..live {
            if let Some((j, v)) = non_finite(self.obs.row(c)) {
                let reason = format!("the first observation has component {j} = {v}");
                return Err(self.error(first + c as u64, 0, reason));
            }
        }

        for t in 0..self.horizon {
            if cancel.is_some_and(|flag| flag.load(Ordering::Relaxed)) {
                return Ok(false);
            }
            self.step = t;
            for c in 0..live {
                out.obs.slice_mut(s![c, t, ..]).assign(&self.obs.row(c));
            }

            let acts = self.policy.act(self.obs.view(), &mut self.rngs);
            if acts.dim() != (copies, self.act_dim) {
                let reason = format!(
                    "the policy returned actions of shape {:?} for {copies} observations, expected {:?}",
                    acts.dim(),
                    (copies, self.act_dim)
                );
                return Err(self.error(first, t, reason));
            }
            for c in 0..live {
                if let Some((j, v)) = non_finite(acts.row(c)) {
                    let reason = format!("the policy's action has component {j} = {v}");
                    return Err(self.error(first + c as u64, t, reason));
                }
                out.acts.slice_mut(s![c, t, ..]).assign(&acts.row(c));
            }

            if let Some(out_logp) = out.logp.as_mut() {
                let logp = self.policy.log_prob(self.obs.view(), acts.view());
                if logp.len() != copies {
                    let reason = format!(
                        "the policy returned {} log-probabilities for {copies} actions",
                        logp.len()
                    );
                    return Err(self.error(first, t, reason));
                }
                for c in 0..live {
                    if !logp[c].is_finite() {
                        let reason = format!("the log-probability of the action is {}", logp[c]);
                        return Err(self.error(first + c as u64, t, reason));
                    }
                    out_logp[[c, t]] = logp[c];
                }
            }

            let actions = match acts.as_slice() {
                Some(contiguous) => contiguous,
                None => {
                    for (dst, src) in self.acts.iter_mut().zip(acts.iter()) {
                        *dst = *src;
                    }
                    &self.acts
                }
            };
            let obs = self
                .obs
                .as_slice_mut()
                .expect("the observation buffer is in standard layout");
            envs.step(actions, obs, &mut self.rews);

            for c in 0..live {
                let reward = self.rews[c];
                if !reward.is_finite() {
                    let reason = format!("the reward is {reward}");
                    return Err(self.error(first + c as u64, t, reason));
                }
                if let Some((j, v)) = non_finite(self.obs.row(c)) {
                    let reason = format!("the next observation has component {j} = {v}");
                    return Err(self.error(first + c as u64, t, reason));
                }
                out.rews[[c, t]] = reward;
            }
        }
        for c in 0..live {
            out.obs
                .slice_mut(s![c, self.horizon, ..])
                .assign(&self.obs.row(c));
        }
        Ok(true)
    }

    /// Runs episode `index` alone on `env` (an engine of one copy) and returns it, or `Ok(None)` if
    /// `cancel` was raised before it finished.
    pub fn episode(
        &mut self,
        env: &mut Single,
        index: u64,
        cancel: &AtomicBool,
    ) -> Result<Option<Trajectory>, EnvError> {
        let (t, od, ad) = (self.horizon, self.obs.ncols(), self.act_dim);
        let mut episode = Trajectory {
            obs: Array2::zeros((t + 1, od)),
            acts: Array2::zeros((t, ad)),
            rews: Array1::zeros(t),
            logp: self.log_probs.then(|| Array1::zeros(t)),
        };
        let out = WaveOut {
            obs: episode.obs.view_mut().insert_axis(Axis(0)),
            acts: episode.acts.view_mut().insert_axis(Axis(0)),
            rews: episode.rews.view_mut().insert_axis(Axis(0)),
            logp: episode
                .logp
                .as_mut()
                .map(|l| l.view_mut().insert_axis(Axis(0))),
        };
        let finished = self.run_wave(env, index, out, Some(cancel))?;
        Ok(finished.then_some(episode))
    }
}

/// The first non-finite entry of `values`, with its position.
fn non_finite(values: ArrayView1<'_, f32>) -> Option<(usize, f32)> {
    values
        .iter()
        .copied()
        .enumerate()
        .find(|(_, v)| !v.is_finite())
}

/// One [`Env`] seen as a [`VecEnv`] of one copy, so a single episode runs through [`Engine`].
pub(super) struct Single {
    env: Box<dyn Env>,
}

impl Single {
    /// Wraps `env`.
    pub fn new(env: Box<dyn Env>) -> Self {
        Self { env }
    }
}

impl VecEnv for Single {
    fn spec(&self) -> &EnvSpec {
        self.env.spec()
    }

    fn num_envs(&self) -> usize {
        1
    }

    fn reset(&mut self, seeds: &[u64], obs: &mut [f32]) {
        self.env.reset(seeds[0], obs);
    }

    fn step(&mut self, actions: &[f32], obs: &mut [f32], rewards: &mut [f32]) {
        rewards[0] = self.env.step(actions, obs);
    }
}
