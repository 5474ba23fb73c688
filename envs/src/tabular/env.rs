//! [`TabularEnv`]: any [`Mdp`] as an [`Env`].

use super::error::{invalid, TabularError};
use super::mdp::Mdp;
use super::observation::{self, OBS_DIM};
use super::sparse::{sample_index, Successors};
use crate::env::Env;
use crate::seeding::Rng;
use crate::space::Space;
use crate::spec::EnvSpec;
use rand::{Rng as _, SeedableRng};
use std::sync::Arc;

/// A tabular MDP stepped as an [`Env`].
///
/// - Observation: `[row, col, t]` as `f32` (see [`observation`]), where `t` counts
///   the steps taken so far (`0..=T`).
/// - Action: `Space::Discrete { n: A }`, the action index as a float. An action that is not an index
///   (fractional, out of range, NaN, or an empty slice) is clipped like a box action: rounded to the
///   nearest index and clamped to `0..A`, with NaN and an empty slice taken as action 0.
/// - `reset(seed)` seeds the environment's own ChaCha8 generator with `seed` and draws
///   `s_0 ~ p_0`; `step` returns `r[s, a]` and draws `s' ~ P[s, a, ·]` from that generator.
/// - Stepping past the horizon keeps applying the dynamics with `t` held at `T`. Before the first
///   `reset` the environment is as after `reset(0)`.
///
/// The model is shared through an [`Arc`], so clones are cheap.
#[derive(Clone, Debug)]
pub struct TabularEnv {
    mdp: Arc<Mdp>,
    successors: Arc<Successors>,
    initial: Arc<[f64]>,
    spec: EnvSpec,
    rng: Rng,
    state: usize,
    t: usize,
}

impl TabularEnv {
    /// The task `name` on `mdp`. Errors if the MDP does not [validate](Mdp::validate) or the name is
    /// empty.
    pub fn new(name: impl Into<String>, mdp: impl Into<Arc<Mdp>>) -> Result<Self, TabularError> {
        let name = name.into();
        let mdp = mdp.into();
        if name.trim().is_empty() {
            return Err(invalid("name", "is empty"));
        }
        mdp.validate()?;
        let spec = EnvSpec {
            name,
            observation_space: Space::Box {
                low: vec![0.0; OBS_DIM],
                high: vec![
                    (mdp.height() - 1) as f32,
                    (mdp.width - 1) as f32,
                    mdp.horizon as f32,
                ],
            },
            action_space: Space::Discrete {
                n: mdp.num_actions(),
            },
            horizon: mdp.horizon,
            dt: 1.0,
        };
        let mut env = Self {
            successors: Arc::new(Successors::new(&mdp.transitions)),
            initial: mdp.initial_f64().to_vec().into(),
            mdp,
            spec,
            rng: Rng::seed_from_u64(0),
            state: 0,
            t: 0,
        };
        env.reset(0, &mut [0.0; OBS_DIM]);
        Ok(env)
    }

    /// The model.
    pub fn mdp(&self) -> &Arc<Mdp> {
        &self.mdp
    }

    /// The current state `s`.
    pub fn state(&self) -> usize {
        self.state
    }

    /// The number of steps taken since `reset`, capped at `T`.
    pub fn step_index(&self) -> usize {
        self.t
    }

    /// The action index that `action` stands for (see the type's documentation).
    fn action_index(&self, action: &[f32]) -> usize {
        let last = self.mdp.num_actions() - 1;
        match action.first() {
            Some(&a) if !a.is_nan() => (a.round().max(0.0) as usize).min(last),
            _ => 0,
        }
    }

    fn write_obs(&self, obs: &mut [f32]) {
        obs.copy_from_slice(&observation::encode(self.state, self.t, self.mdp.width));
    }
}

impl Env for TabularEnv {
    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn reset(&mut self, seed: u64, obs: &mut [f32]) {
        self.rng = Rng::seed_from_u64(seed);
        // s_0 ~ p_0
        let u: f64 = self.rng.gen();
        self.state = sample_index(&self.initial, u).unwrap_or(0);
        self.t = 0;
        self.write_obs(obs);
    }

    fn step(&mut self, action: &[f32], obs: &mut [f32]) -> f32 {
        let a = self.action_index(action);
        let reward = self.mdp.reward[[self.state, a]];
        // s' ~ P[s, a, ·]
        let u: f64 = self.rng.gen();
        self.state = self.successors.sample(self.state, a, u);
        self.t = (self.t + 1).min(self.mdp.horizon);
        self.write_obs(obs);
        reward
    }

    fn tabular(&self) -> Option<&Mdp> {
        Some(&self.mdp)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::{Array1, Array2, Array3};

    /// A 1×2 grid: action 1 moves to state 1 with probability 0.7, action 0 stays; reward
    /// `r[s, a] = 10 s + a`; start in state 0.
    fn mdp() -> Mdp {
        let mut p = Array3::zeros((2, 2, 2));
        p[[0, 0, 0]] = 1.0;
        p[[1, 0, 1]] = 1.0;
        p[[0, 1, 1]] = 0.7;
        p[[0, 1, 0]] = 0.3;
        p[[1, 1, 1]] = 1.0;
        Mdp {
            transitions: p,
            reward: Array2::from_shape_fn((2, 2), |(s, a)| (10 * s + a) as f32),
            features: Array2::eye(2),
            initial: Array1::from(vec![1.0, 0.0]),
            horizon: 4,
            width: 2,
        }
    }

    #[test]
    fn spec_reflects_the_model() {
        let env = TabularEnv::new("tiny", mdp()).unwrap();
        let spec = env.spec();
        assert_eq!(spec.name, "tiny");
        assert_eq!(spec.obs_dim(), 3);
        assert_eq!(spec.action_space, Space::Discrete { n: 2 });
        assert_eq!(spec.horizon, 4);
        assert_eq!(spec.validate(), Ok(()));
        assert!(env.tabular().is_some());
    }

    #[test]
    fn rewards_and_observations_follow_the_model() {
        let mut env = TabularEnv::new("tiny", mdp()).unwrap();
        let mut obs = [0.0; 3];
        env.reset(3, &mut obs);
        assert_eq!(obs, [0.0, 0.0, 0.0]);
        assert_eq!(env.step(&[0.0], &mut obs), 0.0);
        assert_eq!(obs, [0.0, 0.0, 1.0]);
        // Keep pushing right until the move succeeds; the reward is r[0, 1] = 1 each time.
        while env.state() == 0 {
            assert_eq!(env.step(&[1.0], &mut obs), 1.0);
        }
        assert_eq!(&obs[..2], &[0.0, 1.0]);
        assert_eq!(env.mdp().state_of(&obs), Some(1));
        assert_eq!(env.step(&[1.0], &mut obs), 11.0);
        assert!(env.step_index() <= 4);
    }

    #[test]
    fn invalid_actions_are_clipped_not_panicking() {
        let mut env = TabularEnv::new("tiny", mdp()).unwrap();
        let mut obs = [0.0; 3];
        env.reset(0, &mut obs);
        assert_eq!(env.step(&[f32::NAN], &mut obs), 0.0);
        assert_eq!(env.step(&[], &mut obs), 0.0);
        assert_eq!(env.step(&[-3.0], &mut obs), 0.0);
        // 7.0 clamps to the last action, 1: reward r[s, 1].
        let s = env.state();
        assert_eq!(env.step(&[7.0], &mut obs), (10 * s + 1) as f32);
    }

    #[test]
    fn an_invalid_model_is_rejected() {
        let mut m = mdp();
        m.initial[0] = 0.5;
        assert!(TabularEnv::new("tiny", m).is_err());
        assert!(TabularEnv::new(" ", mdp()).is_err());
    }
}
