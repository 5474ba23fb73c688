//! The [`Policy`] trait for acting, and the uniform random policy.

use crate::error::EnvError;
use crate::seeding::Rng;
use crate::space::Space;
use ndarray::{Array1, Array2, ArrayView2};

/// A stochastic policy `π(u | x)` that acts on many observations at once.
///
/// Rollouts call it once per step for all environments in flight, on plain CPU arrays; learners hand
/// out cheap CPU snapshots implementing it. `Send + Sync`, so one policy serves every worker thread.
pub trait Policy: Send + Sync {
    /// Samples one action per row of `obs` (`[N, obs_dim]`), drawing the noise of row `i` from
    /// `rngs[i]` only, and returns them as `[N, act_dim]` (a discrete action is its index as a float).
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32>;

    /// `log π(u_i | x_i)` for each row: the density of the action as sampled, before any clipping by
    /// the environment.
    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32>;

    /// The deterministic action of each row, `[N, act_dim]`: the mean of a Gaussian policy
    /// (squashed as it squashes), the most probable choice of a categorical one. `None` for a
    /// policy that has none (a uniform one) or for observations it cannot read.
    fn mode(&self, obs: ArrayView2<'_, f32>) -> Option<Array2<f32>> {
        let _ = obs;
        None
    }
}

/// The index of the largest value of `values` (the first of equal ones); `None` when empty or
/// when a value is NaN.
pub fn argmax<T: PartialOrd + Copy>(values: impl IntoIterator<Item = T>) -> Option<usize> {
    let mut best: Option<(usize, T)> = None;
    for (i, v) in values.into_iter().enumerate() {
        // A NaN is not equal to itself: no order, no largest value.
        v.partial_cmp(&v)?;
        match best {
            Some((_, b)) if v <= b => {}
            _ => best = Some((i, v)),
        }
    }
    best.map(|(i, _)| i)
}

/// Uniform over the action space: the "random" anchor of normalised scores.
#[derive(Clone, Debug)]
pub struct UniformRandom {
    space: Space,
    log_density: f32,
}

impl UniformRandom {
    /// A uniform policy over `space`. Errors on an invalid space and on an unbounded box (it has
    /// no uniform density).
    pub fn new(space: Space) -> Result<Self, EnvError> {
        let refuse = |reason: String| EnvError::NoUniformPolicy {
            space: space.to_string(),
            reason,
        };
        space.validate().map_err(refuse)?;
        let log_density = match &space {
            Space::Box { low, high } => {
                if low.iter().chain(high).any(|v| !v.is_finite()) {
                    return Err(refuse("the box is unbounded".into()));
                }
                -low.iter().zip(high).map(|(l, h)| (h - l).ln()).sum::<f32>()
            }
            Space::Discrete { n } => -(*n as f32).ln(),
        };
        Ok(Self { space, log_density })
    }
}

impl Policy for UniformRandom {
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        let mut acts = Array2::zeros((obs.nrows(), self.space.dim()));
        for (mut row, rng) in acts.rows_mut().into_iter().zip(rngs.iter_mut()) {
            self.space.sample_into(
                rng,
                row.as_slice_mut()
                    .expect("rows of a fresh array are contiguous"),
            );
        }
        acts
    }

    fn log_prob(&self, _obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        acts.rows()
            .into_iter()
            .map(|a| {
                if self.space.contains(&a.to_vec()) {
                    self.log_density
                } else {
                    f32::NEG_INFINITY
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeding::episode_rng;

    #[test]
    fn argmax_takes_the_first_of_the_largest_and_refuses_nan() {
        assert_eq!(argmax([0.5f32, 2.0, 2.0, -1.0]), Some(1));
        assert_eq!(argmax([f64::NEG_INFINITY, -3.0]), Some(1));
        assert_eq!(argmax([1.0f32, f32::NAN]), None);
        assert_eq!(argmax(Vec::<f32>::new()), None);
    }

    #[test]
    fn a_uniform_policy_has_no_mode() {
        let random = UniformRandom::new(Space::uniform_box(2, -1.0, 1.0)).unwrap();
        assert!(random.mode(Array2::zeros((3, 2)).view()).is_none());
    }

    #[test]
    fn uniform_box_density_integrates_to_one() {
        let p = UniformRandom::new(Space::uniform_box(2, -2.0, 2.0)).unwrap();
        let obs = Array2::zeros((3, 1));
        let mut rngs: Vec<_> = (0..3).map(|i| episode_rng(0, i)).collect();
        let acts = p.act(obs.view(), &mut rngs);
        let lp = p.log_prob(obs.view(), acts.view());
        for v in lp {
            assert!((v - (-(16.0f32).ln())).abs() < 1e-6);
        }
    }

    #[test]
    fn uniform_discrete_density_is_one_over_n() {
        let p = UniformRandom::new(Space::Discrete { n: 5 }).unwrap();
        let lp = p.log_prob(
            Array2::zeros((1, 1)).view(),
            Array2::from_elem((1, 1), 4.0).view(),
        );
        assert!((lp[0] + 5f32.ln()).abs() < 1e-6);
        let outside = p.log_prob(
            Array2::zeros((1, 1)).view(),
            Array2::from_elem((1, 1), 5.0).view(),
        );
        assert_eq!(outside[0], f32::NEG_INFINITY);
    }

    #[test]
    fn unbounded_box_has_no_uniform_policy() {
        assert!(UniformRandom::new(Space::unbounded(1)).is_err());
    }
}
