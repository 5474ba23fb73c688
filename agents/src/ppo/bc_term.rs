//! A behavioral-cloning term in PPO's policy loss. With weight `λ` ([`PpoConfig::bc_coef`]) and
//! demonstrations `D` given to [`Ppo::set_demonstrations`], each policy step minimises
//!
//! `L = L^CLIP − c_H H[π] + λ E_{(x,u)∼D}[−log π(u | x)]`,
//!
//! the demonstration term of DAPG (Rajeswaran et al. 2018, eq. 6, without its decay) and of GAIL
//! augmented with behavioral cloning (Jena et al. 2020). The expectation is a minibatch of
//! demonstrated steps drawn uniformly with replacement, as many as the samples' minibatch, on
//! the inputs the policy acts on (the normaliser frozen for the iteration).

use super::{Ppo, PpoConfig, PpoError, Result};
use costlearn_envs::Trajectories;
use ndarray::{s, Array2, ArrayView2, Axis};
use rand::Rng;

/// The demonstrated steps of the term, flattened to `N·T` rows (raw observations).
#[derive(Clone, Debug)]
pub(super) struct DemoSteps {
    obs: Array2<f32>,
    acts: Array2<f32>,
}

/// One minibatch of the term: its weight and the demonstrated steps, normalised.
pub(super) struct BcMinibatch<'a> {
    pub(super) coef: f32,
    pub(super) obs: ArrayView2<'a, f32>,
    pub(super) acts: ArrayView2<'a, f32>,
}

impl DemoSteps {
    /// The demonstrated steps under the normaliser `normalize`, when the term is on.
    pub(super) fn normalized(
        demos: Option<&Self>,
        cfg: &PpoConfig,
        normalize: impl Fn(ArrayView2<'_, f32>) -> Array2<f32>,
    ) -> Option<(Array2<f32>, Array2<f32>)> {
        demos
            .filter(|_| cfg.bc_coef > 0.0)
            .map(|d| (normalize(d.obs.view()), d.acts.clone()))
    }

    /// `size` rows of `(obs, acts)` drawn uniformly with replacement.
    pub(super) fn draw(
        (obs, acts): &(Array2<f32>, Array2<f32>),
        size: usize,
        rng: &mut impl Rng,
    ) -> (Array2<f32>, Array2<f32>) {
        let rows: Vec<usize> = (0..size).map(|_| rng.gen_range(0..obs.nrows())).collect();
        (obs.select(Axis(0), &rows), acts.select(Axis(0), &rows))
    }
}

impl Ppo {
    /// The demonstrations of the behavioral-cloning term (used when [`PpoConfig::bc_coef`] is
    /// positive). Errors on demonstrations of another task's dimensions or with no steps.
    pub fn set_demonstrations(&mut self, demos: &Trajectories) -> Result<()> {
        let (od, ad) = (self.spec.obs_dim(), self.spec.act_dim());
        if demos.spec.obs_dim() != od || demos.spec.act_dim() != ad {
            return Err(PpoError::Config(format!(
                "demonstrations of `{}` do not fit task `{}`",
                demos.spec.name, self.spec.name
            )));
        }
        let t = demos.horizon();
        if demos.is_empty() || t == 0 {
            return Err(PpoError::Config(
                "the behavioral-cloning term needs at least one demonstrated step".into(),
            ));
        }
        let shape_err = |e: ndarray::ShapeError| PpoError::Config(e.to_string());
        let obs = demos.obs.slice(s![.., ..t, ..]);
        let obs = obs.to_shape((demos.len() * t, od)).map_err(shape_err)?;
        let acts = demos
            .acts
            .to_shape((demos.len() * t, ad))
            .map_err(shape_err)?;
        self.demos = Some(DemoSteps {
            obs: obs.to_owned(),
            acts: acts.to_owned(),
        });
        Ok(())
    }
}
