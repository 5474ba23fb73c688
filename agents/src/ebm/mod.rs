//! The paper's third equivalence (§4): with no actions, the same GAN training learns an
//! energy-based model `p_θ(x) = exp(−E_θ(x))/Z` of points `x ∈ R^d`, against a generator whose
//! density can be evaluated.
//!
//! - The energy is guided cost learning's state-only cost network and learned `log Z`: the
//!   [`Discriminator`] of [`crate::gcl`], trained with its loss (no copy of it),
//!   `D(x) = (exp(−E_θ(x))/Z) / (exp(−E_θ(x))/Z + q(x))`, `L_disc = E_p[−log D] + E_q[−log(1 − D)]`.
//! - The generator is a [`GaussianMixture`], trained by the paper's generator loss
//!   `L_gen(q) = E_q[log(1 − D) − log D] = log Z + E_q[E_θ(x)] + E_q[log q(x)]` (§3.3, Eq. 2).
//!   Its gradient is estimated by the score function, `E_q[(g(x) − ḡ) ∇_φ log q_φ(x)]` with
//!   `g` the per-sample terms of [`losses::generator_loss_terms`] (the `E_q[∇ log q] = 0` term
//!   vanishes; the baseline `ḡ` lowers the variance), which also trains the mixture weights.
//! - The discriminator scores data and samples under the fusion density of the last `K`
//!   generator snapshots, `q_fus(x) = (1/K) Σ_k q_k(x)` (equal samples per snapshot).
//!
//! In 2-D the truth is checked exactly on a [`Grid`]: the learned `log Z` against quadrature of
//! `log ∫ exp(−E_θ)`, and the total-variation distance of `exp(−E_θ)/Z` to the data's density.

pub mod datasets;
pub mod mixture;
pub mod quadrature;
#[cfg(test)]
mod tests;

pub use datasets::Dataset;
pub use mixture::{GaussianMixture, MixtureSnapshot};
pub use quadrature::Grid;

use crate::gcl::cost_net::{CostInput, CostNetBuilder, StepBatch};
use crate::gcl::partition::log_sum_exp;
use crate::gcl::{losses, Discriminator, GclConfig, GclError};
use crate::nn::{Adam, Device, NnError};
use costlearn_envs::{episode_rng, Rng};
use ndarray::{Array1, Array2, Axis};
use rand::seq::index;
use std::collections::VecDeque;
use thiserror::Error;

/// What can go wrong while training an energy.
#[derive(Debug, Error)]
pub enum EbmError {
    /// A setting makes no sense, or the data do not fit them.
    #[error("invalid EBM settings: {0}")]
    Invalid(String),
    /// The discriminator side failed.
    #[error(transparent)]
    Gcl(#[from] GclError),
    /// The network side failed.
    #[error(transparent)]
    Nn(#[from] NnError),
}

/// Settings of EBM training, serialisable (e.g. into a run's config file).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EbmConfig {
    /// Components of the mixture generator.
    pub components: usize,
    /// Hidden layers of the energy network.
    pub hidden: Vec<usize>,
    /// Data points, and as many samples, per discriminator step.
    pub batch_size: usize,
    /// Discriminator steps per iteration.
    pub disc_steps: usize,
    /// Samples of each generator step.
    pub generator_samples: usize,
    /// Adam's learning rate for the energy and `log Z`.
    pub energy_lr: f32,
    /// Adam's learning rate for the generator.
    pub generator_lr: f32,
    /// Generator snapshots in the fusion density (`K`).
    pub fusion_snapshots: usize,
    /// Seed of the initial weights, the minibatches and the samples.
    pub seed: u64,
}

impl Default for EbmConfig {
    fn default() -> Self {
        Self {
            components: 16,
            hidden: vec![64, 64],
            batch_size: 256,
            disc_steps: 5,
            generator_samples: 512,
            energy_lr: 1e-3,
            generator_lr: 1e-2,
            fusion_snapshots: 5,
            seed: 0,
        }
    }
}

/// What one iteration did.
#[derive(Clone, Debug, PartialEq)]
pub struct EbmMetrics {
    /// Iterations done, counting this one.
    pub iteration: usize,
    /// Mean discriminator loss of the iteration's steps.
    pub disc_loss: f32,
    /// The generator loss `L_gen` of the generator step's samples.
    pub generator_loss: f64,
    /// The learned `log Z` after the iteration.
    pub log_z: f32,
}

/// An energy `E_θ` with its `log Z`, trained against a Gaussian mixture generator.
pub struct EbmLearner {
    config: EbmConfig,
    data: Array2<f32>,
    disc: Discriminator,
    energy_adam: Adam,
    generator: GaussianMixture,
    generator_adam: Adam,
    /// The last `K` generator snapshots with the samples each drew.
    kept: VecDeque<(MixtureSnapshot, Array2<f32>)>,
    rng: Rng,
    iteration: usize,
}

impl EbmLearner {
    /// A learner of the density of the rows of `data` (`[n, d]`). The generator starts as
    /// equally weighted components around the data's mean, spread by its standard deviation.
    pub fn new(config: EbmConfig, data: Array2<f32>) -> Result<Self, EbmError> {
        let (n, d) = data.dim();
        if n == 0 || d == 0 {
            return Err(EbmError::Invalid("the data have no points".into()));
        }
        if let Some(bad) = data.iter().find(|v| !v.is_finite()) {
            return Err(EbmError::Invalid(format!("the data hold {bad}")));
        }
        for (what, value) in [
            ("components", config.components),
            ("batch_size", config.batch_size),
            ("disc_steps", config.disc_steps),
            ("generator_samples", config.generator_samples),
            ("fusion_snapshots", config.fusion_snapshots),
        ] {
            if value == 0 {
                return Err(EbmError::Invalid(format!("{what} must be at least 1")));
            }
        }
        let mut rng = episode_rng(config.seed, 0);
        let gcl = GclConfig::new()
            .cost(
                CostNetBuilder::new()
                    .input(CostInput::State)
                    .hidden(&config.hidden),
            )
            .learning_rate(config.energy_lr);
        let disc = gcl.discriminator(Device::Cpu, d, 0, &mut rng)?;
        let spread = data.std_axis(Axis(0), 0.0).mean().unwrap_or(1.0).max(1e-3);
        let mut generator = GaussianMixture::new(d, config.components, spread, spread, &mut rng)?;
        let centre = data.mean_axis(Axis(0)).expect("the data have points");
        let means = generator
            .params()
            .id("generator.means")
            .expect("built with means");
        let shifted = &generator.params().get(means) + &centre.insert_axis(Axis(1));
        generator.params_mut().set(means, &shifted)?;
        Ok(Self {
            energy_adam: Adam::new(config.energy_lr).max_grad_norm(10.0),
            generator_adam: Adam::new(config.generator_lr).max_grad_norm(10.0),
            config,
            data,
            disc,
            generator,
            kept: VecDeque::new(),
            rng,
            iteration: 0,
        })
    }

    /// The energy network and `log Z`.
    pub fn discriminator(&self) -> &Discriminator {
        &self.disc
    }

    /// The generator.
    pub fn generator(&self) -> &GaussianMixture {
        &self.generator
    }

    /// The learned `log Z`.
    pub fn log_z(&self) -> f32 {
        self.disc.log_z()
    }

    /// `E_θ(x_i)` of each row of `x` `[n, d]`.
    pub fn energy(&self, x: &Array2<f32>) -> Result<Array1<f64>, EbmError> {
        let (n, d) = x.dim();
        let steps = x
            .view()
            .into_shape_with_order((n, 1, d))
            .map_err(|e| EbmError::Invalid(format!("points must be [n, {d}]: {e}")))?;
        let costs = self
            .disc
            .host_cost()
            .step_costs(&StepBatch::states(steps)?)?;
        Ok(costs.column(0).mapv(f64::from))
    }

    /// `log q_fus(x_i)` of each row of `x` under the kept snapshots, equally weighted.
    fn log_q_fused(&self, x: &Array2<f32>) -> Vec<f64> {
        let per: Vec<Array1<f64>> = self
            .kept
            .iter()
            .map(|(snapshot, _)| snapshot.log_density(x.view()))
            .collect();
        let log_k = (per.len() as f64).ln();
        (0..x.nrows())
            .map(|i| log_sum_exp(per.iter().map(|lq| lq[i])) - log_k)
            .collect()
    }

    /// `count` rows of `pool`, distinct when it has enough.
    fn pick(pool: &Array2<f32>, count: usize, rng: &mut Rng) -> Array2<f32> {
        let n = pool.nrows();
        let rows: Vec<usize> = if count <= n {
            index::sample(rng, n, count).into_vec()
        } else {
            (0..count).map(|i| i % n).collect()
        };
        pool.select(Axis(0), &rows)
    }

    /// One iteration: the generator draws a batch into the fusion buffer, the discriminator takes
    /// its steps on data against the kept samples, and the generator one step on `L_gen`.
    pub fn step(&mut self) -> Result<EbmMetrics, EbmError> {
        let b = self.config.batch_size;
        let drawn = self.generator.sample(b, &mut self.rng);
        self.kept.push_back((self.generator.snapshot(), drawn));
        if self.kept.len() > self.config.fusion_snapshots {
            self.kept.pop_front();
        }
        let pool = ndarray::concatenate(
            Axis(0),
            &self.kept.iter().map(|(_, x)| x.view()).collect::<Vec<_>>(),
        )
        .map_err(|e| EbmError::Invalid(e.to_string()))?;

        // k steps of L_disc = E_p[−log D] + E_q[−log(1 − D)], ℓ = −E_θ(x) − log Z − log q_fus(x).
        let mut disc_loss = 0.0;
        for _ in 0..self.config.disc_steps {
            let data = Self::pick(&self.data, b, &mut self.rng);
            let samples = Self::pick(&pool, b, &mut self.rng);
            let (lq_data, lq_samples) = (self.log_q_fused(&data), self.log_q_fused(&samples));
            let graph = self.disc.params().graph();
            let d = data.ncols();
            let data3 = data
                .view()
                .into_shape_with_order((b, 1, d))
                .expect("b rows");
            let samples3 = samples
                .view()
                .into_shape_with_order((b, 1, d))
                .expect("b rows");
            let data_scored = self
                .disc
                .score(&graph, &StepBatch::states(data3)?, &lq_data)?;
            let sample_scored =
                self.disc
                    .score(&graph, &StepBatch::states(samples3)?, &lq_samples)?;
            let loss = self.disc.discriminator_loss(&data_scored, &sample_scored)?;
            disc_loss += loss.item() / self.config.disc_steps as f32;
            let grads = self.disc.params().grads(loss.backward()?)?;
            self.energy_adam.step(self.disc.params_mut(), grads)?;
        }

        // One step on L_gen(q) = E_q[log(1 − D) − log D] with ℓ = −E_θ(x) − log Z − log q_φ(x):
        // ∇_φ L_gen = E_q[(g(x) − ḡ) ∇_φ log q_φ(x)].
        let x = self
            .generator
            .sample(self.config.generator_samples, &mut self.rng);
        let snapshot = self.generator.snapshot();
        let log_q = snapshot.log_density(x.view());
        let energy = self.energy(&x)?;
        let log_z = f64::from(self.disc.log_z());
        let graph = self.disc.params().graph();
        let logits: Vec<f32> = energy
            .iter()
            .zip(&log_q)
            .map(|(e, lq)| (-e - log_z - lq) as f32)
            .collect();
        let terms = losses::generator_loss_terms(&graph.column(&logits))?.to_array();
        let terms: Vec<f64> = terms.column(0).iter().map(|&g| f64::from(g)).collect();
        let mean = terms.iter().sum::<f64>() / terms.len() as f64;
        let weights: Array2<f32> = Array2::from_shape_fn((terms.len(), 1), |(i, _)| {
            ((terms[i] - mean) / terms.len() as f64) as f32
        });
        let gen_graph = self.generator.params().graph();
        let surrogate = self
            .generator
            .log_density_var(&gen_graph, x.view())?
            .mul(&gen_graph.constant(weights.view()))?
            .sum();
        let grads = self.generator.params().grads(surrogate.backward()?)?;
        self.generator_adam
            .step(self.generator.params_mut(), grads)?;

        self.iteration += 1;
        Ok(EbmMetrics {
            iteration: self.iteration,
            disc_loss,
            generator_loss: mean,
            log_z: self.disc.log_z(),
        })
    }
}
