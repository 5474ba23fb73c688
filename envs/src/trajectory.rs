//! Trajectories: one episode ([`Trajectory`]) and a batch of equal-length episodes ([`Trajectories`]).

use crate::spec::EnvSpec;
use ndarray::{s, Array1, Array2, Array3, Axis};

/// One episode `τ = (x_1, u_1, …, x_T, u_T, x_{T+1})` with its true rewards.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectory {
    /// Observations `[T+1, obs_dim]`.
    pub obs: Array2<f32>,
    /// Actions `[T, act_dim]`.
    pub acts: Array2<f32>,
    /// True rewards `[T]`.
    pub rews: Array1<f32>,
    /// `log π(u_t | x_t)` of the policy that acted, `[T]`, when known.
    pub logp: Option<Array1<f32>>,
}

impl Trajectory {
    /// Sum of true rewards.
    pub fn total_return(&self) -> f32 {
        self.rews.sum()
    }
}

/// `N` episodes of one task, all of length `T = spec.horizon`; what a demo file holds and what a
/// rollout returns.
#[derive(Clone, Debug, PartialEq)]
pub struct Trajectories {
    /// The task that produced them.
    pub spec: EnvSpec,
    /// Observations `[N, T+1, obs_dim]`.
    pub obs: Array3<f32>,
    /// Actions `[N, T, act_dim]`.
    pub acts: Array3<f32>,
    /// True rewards `[N, T]`.
    pub rews: Array2<f32>,
    /// `log π(u_t | x_t)` under the acting policy, `[N, T]`, when known.
    pub logp: Option<Array2<f32>>,
}

impl Trajectories {
    /// Number of episodes `N`.
    pub fn len(&self) -> usize {
        self.obs.len_of(Axis(0))
    }

    /// Whether there are no episodes.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Steps per episode `T`.
    pub fn horizon(&self) -> usize {
        self.rews.len_of(Axis(1))
    }

    /// Return (sum of true rewards) of each episode, `[N]`.
    pub fn returns(&self) -> Array1<f32> {
        self.rews.sum_axis(Axis(1))
    }

    /// Mean and (population) standard deviation of the episode returns.
    pub fn return_stats(&self) -> (f32, f32) {
        let r = self.returns();
        let mean = r.mean().unwrap_or(f32::NAN);
        (mean, r.std(0.0))
    }

    /// Episode `i` as an owned [`Trajectory`].
    pub fn episode(&self, i: usize) -> Trajectory {
        Trajectory {
            obs: self.obs.index_axis(Axis(0), i).to_owned(),
            acts: self.acts.index_axis(Axis(0), i).to_owned(),
            rews: self.rews.index_axis(Axis(0), i).to_owned(),
            logp: self
                .logp
                .as_ref()
                .map(|l| l.index_axis(Axis(0), i).to_owned()),
        }
    }

    /// The first `n` episodes (all of them if there are fewer).
    pub fn first(&self, n: usize) -> Trajectories {
        let n = n.min(self.len());
        Trajectories {
            spec: self.spec.clone(),
            obs: self.obs.slice(s![..n, .., ..]).to_owned(),
            acts: self.acts.slice(s![..n, .., ..]).to_owned(),
            rews: self.rews.slice(s![..n, ..]).to_owned(),
            logp: self.logp.as_ref().map(|l| l.slice(s![..n, ..]).to_owned()),
        }
    }

    /// Every episode after the first `n` (none if there are not more than `n`), e.g. the
    /// demonstrations held out from training on the first `n`.
    pub fn skip(&self, n: usize) -> Trajectories {
        let n = n.min(self.len());
        Trajectories {
            spec: self.spec.clone(),
            obs: self.obs.slice(s![n.., .., ..]).to_owned(),
            acts: self.acts.slice(s![n.., .., ..]).to_owned(),
            rews: self.rews.slice(s![n.., ..]).to_owned(),
            logp: self.logp.as_ref().map(|l| l.slice(s![n.., ..]).to_owned()),
        }
    }

    /// Stacks episodes of one task into a batch. Errors if the list is empty or the episodes do not
    /// match `spec` in length or dimensions.
    pub fn from_episodes(spec: EnvSpec, episodes: &[Trajectory]) -> Result<Self, String> {
        let (n, t) = (episodes.len(), spec.horizon);
        let (od, ad) = (spec.obs_dim(), spec.act_dim());
        let mut obs = Array3::zeros((n, t + 1, od));
        let mut acts = Array3::zeros((n, t, ad));
        let mut rews = Array2::zeros((n, t));
        let with_logp = !episodes.is_empty() && episodes.iter().all(|e| e.logp.is_some());
        let mut logp = with_logp.then(|| Array2::zeros((n, t)));
        for (i, e) in episodes.iter().enumerate() {
            if e.obs.dim() != (t + 1, od) || e.acts.dim() != (t, ad) || e.rews.len() != t {
                return Err(format!(
                    "episode {i} has obs {:?}, acts {:?}, rews {}; the spec wants obs ({}, {od}), acts ({t}, {ad}), rews {t}",
                    e.obs.dim(),
                    e.acts.dim(),
                    e.rews.len(),
                    t + 1
                ));
            }
            obs.index_axis_mut(Axis(0), i).assign(&e.obs);
            acts.index_axis_mut(Axis(0), i).assign(&e.acts);
            rews.index_axis_mut(Axis(0), i).assign(&e.rews);
            if let (Some(all), Some(l)) = (logp.as_mut(), e.logp.as_ref()) {
                all.index_axis_mut(Axis(0), i).assign(l);
            }
        }
        Ok(Self {
            spec,
            obs,
            acts,
            rews,
            logp,
        })
    }
}
