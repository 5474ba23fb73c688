//! [`ParallelEnvs`]: the default [`VecEnv`], any [`Env`] copies stepped across the rayon pool.

use crate::env::{Env, VecEnv};
use crate::spec::EnvSpec;
use rayon::prelude::*;

/// Below this many copies a step runs on the calling thread: rayon's hand-off costs more than it saves.
const MIN_COPIES_PER_TASK: usize = 4;

/// Independent [`Env`] copies stepped in parallel, one rayon task per group of copies.
pub struct ParallelEnvs {
    envs: Vec<Box<dyn Env>>,
    spec: EnvSpec,
}

impl ParallelEnvs {
    /// Builds `n` copies with `make`. Panics if `n` is zero.
    pub fn new(n: usize, make: impl Fn() -> Box<dyn Env>) -> Self {
        assert!(n > 0, "ParallelEnvs needs at least one copy");
        let envs: Vec<_> = (0..n).map(|_| make()).collect();
        let spec = envs[0].spec().clone();
        Self { envs, spec }
    }
}

impl VecEnv for ParallelEnvs {
    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn num_envs(&self) -> usize {
        self.envs.len()
    }

    fn reset(&mut self, seeds: &[u64], obs: &mut [f32]) {
        let od = self.spec.obs_dim();
        self.envs
            .par_iter_mut()
            .zip(obs.par_chunks_mut(od))
            .zip(seeds.par_iter())
            .with_min_len(MIN_COPIES_PER_TASK)
            .for_each(|((env, o), &seed)| env.reset(seed, o));
    }

    fn step(&mut self, actions: &[f32], obs: &mut [f32], rewards: &mut [f32]) {
        let (od, ad) = (self.spec.obs_dim(), self.spec.act_dim());
        self.envs
            .par_iter_mut()
            .zip(obs.par_chunks_mut(od))
            .zip(actions.par_chunks(ad))
            .zip(rewards.par_iter_mut())
            .with_min_len(MIN_COPIES_PER_TASK)
            .for_each(|(((env, o), a), r)| *r = env.step(a, o));
    }
}
