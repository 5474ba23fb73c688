//! The discriminator's side of a guided cost learning round: `k` Adam steps on `L_disc` (plus the
//! cost's optional regularisers on the demonstrations), each on a balanced minibatch of
//! demonstrations and samples.
//!
//! The generator is held fixed during the round, so the generator log-densities of every
//! demonstration and every kept sample are computed once, under the fusion density of the kept
//! policy snapshots.

use super::config::GclConfig;
use super::cost_net::StepBatch;
use super::discriminator::Discriminator;
use super::error::{GclError, Result};
use crate::fusion::{FusionBuffer, Held};
use crate::nn::Adam;
use costlearn_envs::{Rng, Trajectories};
use ndarray::{s, Array3, Axis};
use rand::Rng as _;
use std::path::Path;

/// What one round of discriminator steps did.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscRound {
    /// `L_disc` of each minibatch, before its step.
    pub disc_losses: Vec<f32>,
    /// The regularisers' value on each minibatch (zeros when they are off).
    pub regulariser: Vec<f32>,
    /// Global gradient norm of each step, before clipping.
    pub grad_norms: Vec<f32>,
    /// What shows saturation, per minibatch, before its step.
    pub logits: Vec<LogitStats>,
    /// `log Z` after the round.
    pub log_z: f32,
}

/// How the discriminator's logits `ℓ` fall on one minibatch: a saturated discriminator classifies
/// every item right with logits far from 0, and then its loss gives the cost almost no gradient.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LogitStats {
    /// Fraction of demonstration items with `ℓ > 0` (classified as demonstrations).
    pub demo_accuracy: f32,
    /// Fraction of sample items with `ℓ < 0` (classified as samples).
    pub sample_accuracy: f32,
    /// Mean logit of the demonstration items.
    pub demo_mean: f32,
    /// Mean logit of the sample items.
    pub sample_mean: f32,
    /// Standard deviation of all the minibatch's logits.
    pub spread: f32,
}

impl LogitStats {
    /// The statistics of the demonstrations' and the samples' logits.
    pub fn of(demo: &[f32], sample: &[f32]) -> Self {
        let mean = |v: &[f32]| v.iter().sum::<f32>() / v.len().max(1) as f32;
        let share = |v: &[f32], pred: fn(f32) -> bool| {
            v.iter().filter(|&&x| pred(x)).count() as f32 / v.len().max(1) as f32
        };
        let all: Vec<f32> = demo.iter().chain(sample).copied().collect();
        let m = mean(&all);
        let var = all.iter().map(|x| (x - m).powi(2)).sum::<f32>() / all.len().max(1) as f32;
        Self {
            demo_accuracy: share(demo, |x| x > 0.0),
            sample_accuracy: share(sample, |x| x < 0.0),
            demo_mean: mean(demo),
            sample_mean: mean(sample),
            spread: var.sqrt(),
        }
    }
}

/// Trains a [`Discriminator`] round after round; keeps the optimizer's state between rounds.
#[derive(Clone, Debug)]
pub struct DiscriminatorTrainer {
    config: GclConfig,
    adam: Adam,
}

/// Trajectories with the generator log-density of each of their items.
struct Pool<'a> {
    /// `(trajectories, episode)` of each trajectory in the pool.
    episodes: Vec<(&'a Trajectories, usize)>,
    /// Log-densities of each trajectory's items (1 per trajectory, or `T` per trajectory).
    log_q: Vec<Vec<f64>>,
}

impl<'a> Pool<'a> {
    fn add(&mut self, trajs: &'a Trajectories, log_q: Vec<f64>) {
        let per = log_q.len() / trajs.len().max(1);
        for i in 0..trajs.len() {
            self.episodes.push((trajs, i));
            self.log_q.push(log_q[i * per..(i + 1) * per].to_vec());
        }
    }

    /// `count` distinct picks when the pool is large enough, otherwise picks with replacement.
    fn pick(&self, count: usize, rng: &mut Rng) -> Vec<usize> {
        let n = self.episodes.len();
        if count <= n {
            rand::seq::index::sample(rng, n, count).into_vec()
        } else {
            (0..count).map(|_| rng.gen_range(0..n)).collect()
        }
    }

    /// States `[B, T, od]`, actions `[B, T, ad]` and item log-densities of the picked trajectories.
    fn gather(&self, picks: &[usize]) -> Result<(Array3<f32>, Array3<f32>, Vec<f64>)> {
        let (first, _) = self.episodes[picks[0]];
        let (t, od, ad) = (
            first.horizon(),
            first.obs.len_of(Axis(2)),
            first.acts.len_of(Axis(2)),
        );
        let mut obs = Array3::zeros((picks.len(), t, od));
        let mut acts = Array3::zeros((picks.len(), t, ad));
        let mut log_q = Vec::new();
        for (row, &p) in picks.iter().enumerate() {
            let (trajs, i) = self.episodes[p];
            if trajs.horizon() != t || trajs.obs.len_of(Axis(2)) != od {
                return Err(GclError::Shape {
                    what: "trajectories of one round",
                    expected: format!("{t} steps of {od}-float states"),
                    found: format!(
                        "{} steps of {}-float states",
                        trajs.horizon(),
                        trajs.obs.len_of(Axis(2))
                    ),
                });
            }
            obs.index_axis_mut(Axis(0), row)
                .assign(&trajs.obs.slice(s![i, ..t, ..]));
            acts.index_axis_mut(Axis(0), row)
                .assign(&trajs.acts.index_axis(Axis(0), i));
            log_q.extend_from_slice(&self.log_q[p]);
        }
        Ok((obs, acts, log_q))
    }
}

impl DiscriminatorTrainer {
    /// A trainer with fresh optimizer state. Errors on invalid settings.
    pub fn new(config: GclConfig) -> Result<Self> {
        config.validate()?;
        let mut adam = Adam::new(config.learning_rate);
        if let Some(norm) = config.max_grad_norm {
            adam = adam.max_grad_norm(norm);
        }
        Ok(Self { config, adam })
    }

    /// The settings.
    pub fn config(&self) -> &GclConfig {
        &self.config
    }

    /// Saves the optimizer's state for `disc`'s parameters (see [`Adam::save_state`]).
    pub fn save_state(&self, disc: &Discriminator, path: &Path) -> Result<()> {
        Ok(self.adam.save_state(disc.params(), path)?)
    }

    /// Restores the optimizer's state saved by [`DiscriminatorTrainer::save_state`]; on error
    /// nothing changes.
    pub fn load_state(&mut self, disc: &Discriminator, path: &Path) -> Result<()> {
        Ok(self.adam.load_state(disc.params(), path)?)
    }

    /// `k` discriminator steps, each on `batch_size` demonstrations (the reference batch of
    /// `buffer`) and `batch_size` samples drawn from every sample kept in `buffer`, scored under
    /// the configured fusion density.
    /// Stops with [`GclError::NonFinite`] (leaving the weights of the last good step) if a loss is
    /// not finite.
    pub fn round(
        &mut self,
        disc: &mut Discriminator,
        buffer: &FusionBuffer,
        rng: &mut Rng,
    ) -> Result<DiscRound> {
        let demos = buffer
            .reference()
            .filter(|d| !d.is_empty())
            .ok_or(GclError::Empty("the demonstrations"))?;
        let fusion = self.config.fusion;
        let mut demo_pool = Pool {
            episodes: Vec::new(),
            log_q: Vec::new(),
        };
        demo_pool.add(demos, disc.held_log_q(buffer, Held::Reference, fusion)?);
        let mut sample_pool = Pool {
            episodes: Vec::new(),
            log_q: Vec::new(),
        };
        for (k, samples) in buffer.samples().enumerate() {
            sample_pool.add(samples, disc.held_log_q(buffer, Held::Samples(k), fusion)?);
        }
        let b = self.config.batch_size;
        let mut out = DiscRound {
            disc_losses: Vec::with_capacity(self.config.disc_steps),
            regulariser: Vec::with_capacity(self.config.disc_steps),
            grad_norms: Vec::with_capacity(self.config.disc_steps),
            logits: Vec::with_capacity(self.config.disc_steps),
            log_z: disc.log_z(),
        };
        for _ in 0..self.config.disc_steps {
            let (d_obs, d_acts, d_lq) = demo_pool.gather(&demo_pool.pick(b, rng))?;
            let (s_obs, s_acts, s_lq) = sample_pool.gather(&sample_pool.pick(b, rng))?;
            let graph = disc.params().graph();
            let demos_scored =
                disc.score(&graph, &StepBatch::new(d_obs.view(), d_acts.view())?, &d_lq)?;
            let samples_scored =
                disc.score(&graph, &StepBatch::new(s_obs.view(), s_acts.view())?, &s_lq)?;
            let l_disc = disc.discriminator_loss(&demos_scored, &samples_scored)?;
            let (loss, reg) = match disc.regulariser(&demos_scored)? {
                Some(r) => {
                    let value = r.item();
                    (l_disc.add(&r)?, value)
                }
                None => (l_disc.clone(), 0.0),
            };
            let value = l_disc.item();
            if !(value.is_finite() && reg.is_finite()) {
                return Err(GclError::NonFinite {
                    what: "discriminator loss",
                    index: out.disc_losses.len(),
                    value: f64::from(value + reg),
                });
            }
            let grads = disc.params().grads(loss.backward()?)?;
            let info = self.adam.step(disc.params_mut(), grads)?;
            out.disc_losses.push(value);
            out.regulariser.push(reg);
            out.grad_norms.push(info.grad_norm);
            out.logits.push(LogitStats::of(
                demos_scored.logits.to_array().as_slice().unwrap_or(&[]),
                samples_scored.logits.to_array().as_slice().unwrap_or(&[]),
            ));
        }
        out.log_z = disc.log_z();
        Ok(out)
    }
}
