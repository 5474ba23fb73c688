//! Behavioral cloning: the policy that maximises the likelihood of the demonstrated actions.
//!
//! BC is the baseline every inverse-RL result is compared against. It fits `π_θ(u|x)` to the
//! demonstrations `D` by minimising the negative log-likelihood
//!
//! ```text
//! L(θ) = −(1/|D|) Σ_{(x,u)∈D} log π_θ(u|x)
//! ```
//!
//! with Adam on shuffled minibatches of steps.
//!
//! - **Models.** A box action space gets a diagonal Gaussian MLP ([`GaussianMlpPolicy`], unsquashed:
//!   the environment clips actions to its box); a discrete one gets a categorical MLP
//!   ([`CategoricalMlpPolicy`]) over the observation. Both have two tanh layers of 256 by default.
//!   With 64, BC on `cartpole` scored 0.51, 0.43 and 0.80 with 1, 4 and 16 demonstrations (seeds
//!   0 to 9), worse with 4 than with 1: its expert switches from energy pumping to LQR near upright,
//!   the narrow network fits that poorly, and the state-independent standard deviation it learns
//!   (0.9 to 1.7, against the expert's noise of 0.5) adds the misfit as noise to the balance. With
//!   256 it scored 0.38, 0.53 and 0.85. (The wider network memorises a single demonstration more
//!   closely, which costs some tasks a little with one: `gridworld` 0.61 against 0.77.) The tabular
//!   tasks observe `[row, col, t]`, so their categorical MLP sees the time step as well as the
//!   cell and can represent the time-dependent expert; unlike a table over `(t, state)`
//!   ([`tabular`], smoothed counts) it also generalises to the cells that few demonstrations never
//!   visit, and on the shipped `gridworld` and `objectworld` demonstrations it beats the table in 5
//!   of the 6 cases of 1, 4 and 16 demonstrations (`cargo run --release --example bc_tabular`).
//!   Any other [`TrainablePolicy`] can be trained with [`BcConfig::train_policy`].
//! - **Inputs.** Observations are standardised with the mean and standard deviation of the training
//!   episodes ([`Standardizer`]); the returned [`BcPolicy`] applies the same map when it acts, so
//!   its snapshot takes raw observations.
//! - **Held-out episodes.** The demonstrations are split by episode ([`split_episodes`]): a seeded
//!   random `holdout` fraction of them (at least one) is held out, and after every epoch their
//!   negative log-likelihood is measured.
//! - **Early stopping needs [`MIN_HELDOUT_EPISODES`] (10) held-out episodes.** With that many, the
//!   parameters with the best held-out likelihood are kept (the initial ones included), and
//!   training stops after `patience` epochs without improvement.
//! - **With fewer, every episode is trained on for the full budget.** The policy returned is
//!   trained on all episodes for `epochs` epochs and is the final one; a twin with the same seed,
//!   trained on the other episodes alone, only measures the held-out likelihood for the history
//!   (so it costs a second training, and chooses nothing). The reason: the likelihood of a few
//!   whole episodes, which start elsewhere and visit other states, is a noisy guide that favours
//!   under-trained policies. On the shipped demonstrations with 20% held out (64-wide network, 200
//!   epochs, seeds 0 to 2) it kept epoch 1 or 2 of `pendulum` for two seeds of three, and epochs 0
//!   to 6 of `objectworld`, with four demonstrations: mean normalised scores 0.25 and 0.00, where
//!   training on all four for the budget scored 0.68 and 0.76. With 16 (3 held out) it cost
//!   `reacher` 0.09 and `objectworld` 0.42; with 32 (6 held out), `cartpole` 0.12. With 10 and 13
//!   held out (48 and 64 demonstrations) early stopping scored within 0.02 of the full budget on
//!   `pendulum`, `cartpole`, `reacher` and `navigation`.
//! - **One demonstration.** With a single episode (or a `holdout` of zero) nothing is held out
//!   without cutting the only trajectory in two, whose halves visit different states. Training
//!   runs the full budget and returns the final parameters; the history has no held-out values.
//! - **Divergence.** A non-finite minibatch loss, gradient or likelihood ends training without an
//!   error: [`Trained::diverged`] says where and why, and the policy returned is the best held-out
//!   one, or that of the last finished epoch.
//! - **Determinism.** The split, the initial weights and the minibatch order come from the seed
//!   alone, and the CPU backend's matrix products split work between threads without changing the
//!   order of any sum, so the same seed gives the same weights whatever the size of the thread
//!   pool.
//!
//! ```no_run
//! use costlearn_agents::bc::BcConfig;
//! use costlearn_agents::policy::TrainablePolicy;
//! use costlearn_envs::{demos, registry};
//! use costlearn_envs::rollout::Rollout;
//! use std::path::Path;
//!
//! let entry = registry::lookup("pendulum")?;
//! let spec = entry.make().spec().clone();
//! let demos = demos::load_for(Path::new("demos/pendulum.npz"), &spec)?.first(16);
//! let trained = BcConfig::new().epochs(100).seed(1).train(&demos)?;
//! let policy = trained.policy.snapshot();
//! let eval = Rollout::new(1000).episodes(16).collect(&mut *entry.make_vec(8), &policy)?;
//! println!("BC return {:.1}", eval.return_stats().0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use crate::nn::{Adam, Device, Graph, NnError, Var};
use crate::policy::{CategoricalMlpBuilder, GaussianMlpBuilder, TrainablePolicy};
use costlearn_envs::{episode_rng, Policy, Space, Trajectories};
use ndarray::{s, Array2, ArrayView2, Axis};
use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Stream of [`episode_rng`] that draws the train/held-out split.
const SPLIT_STREAM: u64 = 1;
/// Stream of [`episode_rng`] that shuffles the minibatches.
const SHUFFLE_STREAM: u64 = 2;
/// Standard deviations below this leave a feature unscaled (it is constant in the demonstrations).
const MIN_STD: f32 = 1e-6;
/// Rows per call when measuring a log-likelihood on the host.
const EVAL_CHUNK: usize = 4096;
/// The fewest held-out episodes whose likelihood chooses the parameters (early stopping); with
/// fewer, every episode is trained on for the full budget (see the [module](self) documentation).
pub const MIN_HELDOUT_EPISODES: usize = 10;

/// What can go wrong when cloning a behaviour.
#[derive(Debug, Error)]
pub enum BcError {
    /// No episode, or episodes with no step.
    #[error("no demonstrations to clone: {0}")]
    EmptyDemos(String),
    /// Arrays whose shapes disagree with each other, with the spec, or with the policy.
    #[error("demonstrations do not fit: {0}")]
    Mismatch(String),
    /// A NaN or infinite observation or action, or a discrete action that is not an index.
    #[error("invalid demonstrations: {0}")]
    InvalidDemos(String),
    /// The held-out fraction leaves no episode to train on.
    #[error(
        "cannot hold out {heldout} of {episodes} episodes and still train (lower the held-out fraction)"
    )]
    TooFewEpisodes {
        /// Episodes available.
        episodes: usize,
        /// Episodes the fraction asks to hold out.
        heldout: usize,
    },
    /// A setting that makes no sense (zero epochs, a negative learning rate, ...).
    #[error("invalid BC configuration: {0}")]
    InvalidConfig(String),
    /// The loss or the gradients became NaN or infinite.
    #[error("training diverged at epoch {epoch}: {reason}")]
    Diverged {
        /// The epoch (counted from 1) in which it happened.
        epoch: usize,
        /// What was not finite.
        reason: String,
    },
    /// The network layer failed (device, shapes, weights).
    #[error(transparent)]
    Nn(#[from] NnError),
}

/// Result type of behavioral cloning.
pub type Result<T, E = BcError> = std::result::Result<T, E>;

/// Settings of behavioral cloning. Serialisable (e.g. in a run's TOML config); every field has a
/// default, so a partial config is filled in from [`BcConfig::default`].
///
/// ```
/// use costlearn_agents::bc::BcConfig;
/// let config = BcConfig::new().epochs(50).batch_size(128).hidden(&[32, 32]).seed(3);
/// assert_eq!(config.epochs_budget(), 50);
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BcConfig {
    /// Largest number of passes over the training steps.
    epochs: usize,
    /// Steps per minibatch.
    batch_size: usize,
    /// Adam's learning rate.
    learning_rate: f32,
    /// Global gradient norm above which gradients are scaled down (`None`: no clipping).
    max_grad_norm: Option<f32>,
    /// Hidden layer widths of the policy network.
    hidden: Vec<usize>,
    /// Initial log standard deviation of a Gaussian policy.
    init_log_std: f32,
    /// Fraction of the episodes held out, in `[0, 1)`.
    holdout: f32,
    /// Epochs without a better held-out likelihood before training stops.
    patience: usize,
    /// Whether observations are standardised with the training episodes' statistics.
    standardize: bool,
    /// Seed of the split, the initial weights and the minibatch order.
    seed: u64,
    /// Device of the training network.
    #[serde(with = "device_name")]
    device: Device,
}

impl Default for BcConfig {
    fn default() -> Self {
        Self {
            epochs: 300,
            batch_size: 256,
            learning_rate: 3e-3,
            max_grad_norm: Some(10.0),
            hidden: vec![256, 256],
            init_log_std: -0.5,
            holdout: 0.2,
            patience: 50,
            standardize: true,
            seed: 0,
            device: Device::Cpu,
        }
    }
}

impl BcConfig {
    /// The defaults: at most 300 epochs of minibatches of 256, Adam at `3e-3` clipped at norm 10,
    /// two tanh layers of 256, initial log std −0.5, 20% of the episodes held out, patience 50,
    /// standardised observations, seed 0, CPU.
    pub fn new() -> Self {
        Self::default()
    }

    /// Largest number of epochs (the fixed budget when nothing is held out).
    pub fn epochs(mut self, epochs: usize) -> Self {
        self.epochs = epochs;
        self
    }

    /// Steps per minibatch.
    pub fn batch_size(mut self, batch_size: usize) -> Self {
        self.batch_size = batch_size;
        self
    }

    /// Adam's learning rate.
    pub fn learning_rate(mut self, lr: f32) -> Self {
        self.learning_rate = lr;
        self
    }

    /// Clip the global gradient norm at `max_norm` (`None` turns clipping off).
    pub fn max_grad_norm(mut self, max_norm: Option<f32>) -> Self {
        self.max_grad_norm = max_norm;
        self
    }

    /// Hidden layer widths of the policy network (empty for a linear policy).
    pub fn hidden(mut self, sizes: &[usize]) -> Self {
        self.hidden = sizes.to_vec();
        self
    }

    /// Initial log standard deviation of a Gaussian policy.
    pub fn init_log_std(mut self, log_std: f32) -> Self {
        self.init_log_std = log_std;
        self
    }

    /// Fraction of the episodes held out, in `[0, 1)`; at least one episode is held out when it is
    /// positive and there are two or more episodes. Zero holds out nothing. The held-out episodes
    /// stop training early only when there are at least [`MIN_HELDOUT_EPISODES`] of them;
    /// otherwise they are measured by a twin, and the policy is trained on every episode.
    pub fn holdout(mut self, fraction: f32) -> Self {
        self.holdout = fraction;
        self
    }

    /// Epochs without a better held-out likelihood before training stops (at least 1), when
    /// training stops early at all (see [`BcConfig::holdout`]).
    pub fn patience(mut self, epochs: usize) -> Self {
        self.patience = epochs;
        self
    }

    /// Whether to standardise observations with the training episodes' mean and deviation.
    pub fn standardize(mut self, yes: bool) -> Self {
        self.standardize = yes;
        self
    }

    /// Seed of the split, the initial weights and the minibatch order.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Device of the training network.
    pub fn device(mut self, device: Device) -> Self {
        self.device = device;
        self
    }

    /// The epoch budget.
    pub fn epochs_budget(&self) -> usize {
        self.epochs
    }

    /// The held-out fraction.
    pub fn holdout_fraction(&self) -> f32 {
        self.holdout
    }

    /// The seed.
    pub fn seed_value(&self) -> u64 {
        self.seed
    }

    /// Checks every setting.
    pub fn validate(&self) -> Result<()> {
        let fail = |what: String| Err(BcError::InvalidConfig(what));
        if self.epochs == 0 {
            return fail("epochs must be at least 1".into());
        }
        if self.batch_size == 0 {
            return fail("batch size must be at least 1".into());
        }
        if !(self.learning_rate.is_finite() && self.learning_rate > 0.0) {
            return fail(format!(
                "learning rate must be positive and finite, got {}",
                self.learning_rate
            ));
        }
        if let Some(m) = self.max_grad_norm {
            if !(m.is_finite() && m > 0.0) {
                return fail(format!(
                    "gradient clipping norm must be positive and finite, got {m}"
                ));
            }
        }
        if self.hidden.contains(&0) {
            return fail(format!(
                "hidden layers must not be empty: {:?}",
                self.hidden
            ));
        }
        if !self.init_log_std.is_finite() {
            return fail(format!(
                "initial log std must be finite, got {}",
                self.init_log_std
            ));
        }
        if !(0.0..1.0).contains(&self.holdout) {
            return fail(format!(
                "held-out fraction must be in [0, 1), got {}",
                self.holdout
            ));
        }
        if self.patience == 0 {
            return fail("patience must be at least 1 epoch".into());
        }
        self.device.check_compiled()?;
        Ok(())
    }

    /// The network BC fits to demonstrations of this action space: a Gaussian MLP for a box, a
    /// categorical MLP for a discrete space.
    pub fn default_net(&self, obs_dim: usize, action_space: &Space) -> Result<BcNet> {
        self.validate()?;
        action_space.validate().map_err(BcError::Mismatch)?;
        Ok(match action_space {
            Space::Box { .. } => BcNet::Gaussian(
                GaussianMlpBuilder::new(obs_dim, action_space.dim())
                    .hidden(&self.hidden)
                    .init_log_std(self.init_log_std)
                    .device(self.device)
                    .seed(self.seed)
                    .build()?,
            ),
            Space::Discrete { n } => BcNet::Categorical(
                CategoricalMlpBuilder::new(obs_dim, *n)
                    .hidden(&self.hidden)
                    .device(self.device)
                    .seed(self.seed)
                    .build()?,
            ),
        })
    }

    /// Clones the demonstrations with the network chosen by [`BcConfig::default_net`] for their
    /// spec's action space.
    pub fn train(&self, demos: &Trajectories) -> Result<Trained<BcNet>> {
        let net = self.default_net(demos.spec.obs_dim(), &demos.spec.action_space)?;
        self.train_policy(net, demos)
    }

    /// Clones the demonstrations with a given network (its weights are the starting point).
    ///
    /// Errors on an invalid configuration, empty or malformed demonstrations (shapes that disagree
    /// with their spec or the network, non-finite values, discrete actions that are not indices),
    /// and a held-out fraction that leaves no episode to train on. Divergence is not an error: it
    /// ends training and is reported in [`Trained::diverged`].
    pub fn train_policy<P>(&self, net: P, demos: &Trajectories) -> Result<Trained<P>>
    where
        P: TrainablePolicy + Clone,
    {
        self.validate()?;
        check_demos(demos, net.obs_dim(), net.act_dim())?;
        let split = split_episodes(demos.len(), self.holdout, self.seed)?;
        let early_stopping = split.heldout.len() >= MIN_HELDOUT_EPISODES;
        let heldout = (!split.heldout.is_empty()).then(|| steps(demos, &split.heldout));
        // Below MIN_HELDOUT_EPISODES the held-out episodes are measured by a twin trained on the
        // others, and the policy returned is trained on every episode.
        let twin = match &heldout {
            Some(heldout) if !early_stopping => {
                let (obs, acts) = steps(demos, &split.train);
                let policy = BcPolicy::new(net.clone(), self.standardizer(obs.view()));
                Some(self.fit(policy, obs.view(), acts.view(), Some(heldout), false)?)
            }
            _ => None,
        };
        let trained_on: Vec<usize> = if early_stopping {
            split.train.clone()
        } else {
            (0..demos.len()).collect()
        };
        let (train_obs, train_acts) = steps(demos, &trained_on);
        let policy = BcPolicy::new(net, self.standardizer(train_obs.view()));
        let mut fit = self.fit(
            policy,
            train_obs.view(),
            train_acts.view(),
            heldout.as_ref().filter(|_| early_stopping),
            true,
        )?;
        if let Some(twin) = twin {
            for (stats, measured) in fit.history.iter_mut().zip(&twin.history) {
                stats.heldout_nll = measured.heldout_nll;
            }
        }
        let stopped_early = fit.history.len() < self.epochs || fit.diverged.is_some();
        Ok(Trained {
            policy: fit.policy,
            history: fit.history,
            best_epoch: fit.best_epoch,
            stopped_early,
            diverged: fit.diverged,
            early_stopping,
            trained_on,
            split,
        })
    }

    /// The map from observations to the network's inputs, fitted to the training steps `obs`.
    fn standardizer(&self, obs: ArrayView2<'_, f32>) -> Standardizer {
        if self.standardize {
            Standardizer::fit(obs)
        } else {
            Standardizer::identity(obs.ncols())
        }
    }

    /// The training loop: Adam on shuffled minibatches and evaluation after each epoch. With
    /// `heldout` steps and `select`, the best held-out parameters are kept and training stops after
    /// `patience` epochs without improvement; without `select` the held-out steps are only
    /// measured. A non-finite loss, gradient or likelihood ends it; the parameters kept are then
    /// the best held-out ones, or those of the last finished epoch.
    fn fit<P>(
        &self,
        mut policy: BcPolicy<P>,
        obs: ArrayView2<'_, f32>,
        acts: ArrayView2<'_, f32>,
        heldout: Option<&(Array2<f32>, Array2<f32>)>,
        select: bool,
    ) -> Result<Fit<P>>
    where
        P: TrainablePolicy + Clone,
    {
        let mut adam = Adam::new(self.learning_rate);
        if let Some(m) = self.max_grad_norm {
            adam = adam.max_grad_norm(m);
        }
        let mut rng = episode_rng(self.seed, SHUFFLE_STREAM);
        let mut order: Vec<usize> = (0..obs.nrows()).collect();
        let heldout_nll = |p: &BcPolicy<P>, epoch: usize| -> Result<Option<f64>> {
            heldout
                .map(|(o, a)| finite_nll(&p.snapshot(), o.view(), a.view(), epoch, "held-out"))
                .transpose()
        };
        let mut best = match select {
            true => heldout_nll(&policy, 0)?.map(|nll| (nll, 0, policy.clone())),
            false => None,
        };
        // The parameters after the last epoch that finished with finite likelihoods.
        let mut last_good = (0, policy.clone());
        let mut history = Vec::with_capacity(self.epochs);
        let mut diverged = None;
        for epoch in 1..=self.epochs {
            order.shuffle(&mut rng);
            let stats = self
                .epoch(&mut policy, &mut adam, &order, obs, acts, epoch)
                .and_then(|()| {
                    let train_nll = finite_nll(&policy.snapshot(), obs, acts, epoch, "training")?;
                    let heldout_nll = heldout_nll(&policy, epoch)?;
                    Ok(EpochStats {
                        epoch,
                        train_nll,
                        heldout_nll,
                    })
                });
            let stats = match stats {
                Ok(stats) => stats,
                Err(e @ BcError::Diverged { .. }) => {
                    diverged = Some(e.to_string());
                    break;
                }
                Err(e) => return Err(e),
            };
            history.push(stats);
            last_good = (epoch, policy.clone());
            if let (Some(nll), Some((best_nll, best_epoch, best_policy))) =
                (stats.heldout_nll, best.as_mut())
            {
                if nll < *best_nll {
                    *best_nll = nll;
                    *best_epoch = epoch;
                    *best_policy = policy.clone();
                } else if epoch - *best_epoch >= self.patience {
                    break;
                }
            }
        }
        let (best_epoch, policy) = match best {
            Some((_, epoch, best_policy)) => (epoch, best_policy),
            None => last_good,
        };
        Ok(Fit {
            policy,
            history,
            best_epoch,
            diverged,
        })
    }

    /// One pass of Adam steps over the training steps in `order`, minibatch by minibatch.
    fn epoch<P: TrainablePolicy>(
        &self,
        policy: &mut BcPolicy<P>,
        adam: &mut Adam,
        order: &[usize],
        obs: ArrayView2<'_, f32>,
        acts: ArrayView2<'_, f32>,
        epoch: usize,
    ) -> Result<()> {
        for batch in order.chunks(self.batch_size) {
            let batch_obs = obs.select(Axis(0), batch);
            let batch_acts = acts.select(Axis(0), batch);
            let graph = policy.params().graph();
            let loss = nll_loss(policy, &graph, batch_obs.view(), batch_acts.view())?;
            let value = loss.item();
            if !value.is_finite() {
                return Err(BcError::Diverged {
                    epoch,
                    reason: format!("minibatch loss is {value}"),
                });
            }
            let grads = policy.params().grads(loss.backward()?)?;
            adam.step(policy.params_mut(), grads)
                .map_err(|e| BcError::Diverged {
                    epoch,
                    reason: e.to_string(),
                })?;
        }
        Ok(())
    }
}

/// What [`BcConfig::fit`] returns.
struct Fit<P> {
    policy: BcPolicy<P>,
    history: Vec<EpochStats>,
    best_epoch: usize,
    diverged: Option<String>,
}

/// The loss `L(θ) = −(1/|D|) Σ_{(x,u)∈D} log π_θ(u|x)` over the batch `D = (obs, acts)`, as a
/// differentiable `1×1` variable of `graph`.
pub fn nll_loss<P: TrainablePolicy>(
    policy: &P,
    graph: &Graph,
    obs: ArrayView2<'_, f32>,
    acts: ArrayView2<'_, f32>,
) -> Result<Var> {
    Ok(policy.log_prob_var(graph, obs, acts)?.mean().neg())
}

/// The negative log-likelihood `−(1/n) Σ_i log π(u_i|x_i)` of `n` steps under a CPU policy, in
/// `f64`. NaN if any log-probability is NaN; `+∞` if an action has probability zero.
pub fn mean_nll(policy: &dyn Policy, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> f64 {
    let n = obs.nrows();
    if n == 0 {
        return f64::NAN;
    }
    let mut sum = 0.0;
    for start in (0..n).step_by(EVAL_CHUNK) {
        let end = (start + EVAL_CHUNK).min(n);
        let lp = policy.log_prob(
            obs.slice(s![start..end, ..]),
            acts.slice(s![start..end, ..]),
        );
        sum += lp.iter().map(|&v| f64::from(v)).sum::<f64>();
    }
    -sum / n as f64
}

fn finite_nll(
    policy: &dyn Policy,
    obs: ArrayView2<'_, f32>,
    acts: ArrayView2<'_, f32>,
    epoch: usize,
    what: &str,
) -> Result<f64> {
    let nll = mean_nll(policy, obs, acts);
    if nll.is_finite() {
        Ok(nll)
    } else {
        Err(BcError::Diverged {
            epoch,
            reason: format!("{what} negative log-likelihood is {nll}"),
        })
    }
}

/// The measurements after one epoch.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpochStats {
    /// The epoch, counted from 1.
    pub epoch: usize,
    /// Mean negative log-likelihood of the training steps after the epoch.
    pub train_nll: f64,
    /// Mean negative log-likelihood of the held-out steps after the epoch (`None` when nothing is
    /// held out).
    pub heldout_nll: Option<f64>,
}

/// A cloned policy and how training went.
#[derive(Clone, Debug)]
pub struct Trained<P> {
    /// The policy: with early stopping the one with the best held-out likelihood, otherwise the
    /// last one.
    pub policy: BcPolicy<P>,
    /// One entry per epoch run. `train_nll` is that of `policy`'s training steps (those of
    /// `trained_on`); `heldout_nll` is that of the held-out episodes, under `policy` with early
    /// stopping and under the measuring twin without it (see the [module](self) documentation).
    pub history: Vec<EpochStats>,
    /// The epoch whose parameters were kept (0: the initial ones).
    pub best_epoch: usize,
    /// Whether training stopped before the epoch budget ran out.
    pub stopped_early: bool,
    /// Why training stopped at a non-finite loss, gradient or likelihood, if it did. `policy` then
    /// holds the best held-out parameters, or those of the last finished epoch.
    pub diverged: Option<String>,
    /// Whether the held-out likelihood chose the parameters (at least [`MIN_HELDOUT_EPISODES`]
    /// held out).
    pub early_stopping: bool,
    /// The episodes `policy` was trained on, in increasing order: `split.train` with early
    /// stopping, every episode without it.
    pub trained_on: Vec<usize>,
    /// Which episodes were held out, and which the held-out likelihood was measured against.
    pub split: Split,
}

/// The episodes of a demonstration set used for training and held out, by index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Split {
    /// Training episodes, in increasing order.
    pub train: Vec<usize>,
    /// Held-out episodes, in increasing order (empty when nothing is held out).
    pub heldout: Vec<usize>,
}

/// Splits `episodes` episodes into training and held-out ones, by a permutation drawn from `seed`.
///
/// `max(1, round(fraction · episodes))` episodes are held out when `fraction > 0` and there are at
/// least two; none when `fraction` is zero or there is a single episode. Errors when there is no
/// episode, when `fraction` is outside `[0, 1)`, and when the rounding would hold out every
/// episode.
pub fn split_episodes(episodes: usize, fraction: f32, seed: u64) -> Result<Split> {
    if episodes == 0 {
        return Err(BcError::EmptyDemos("the set holds no episode".into()));
    }
    if !(0.0..1.0).contains(&fraction) {
        return Err(BcError::InvalidConfig(format!(
            "held-out fraction must be in [0, 1), got {fraction}"
        )));
    }
    let heldout = if fraction == 0.0 || episodes == 1 {
        0
    } else {
        ((f64::from(fraction) * episodes as f64).round() as usize).max(1)
    };
    if heldout >= episodes {
        return Err(BcError::TooFewEpisodes { episodes, heldout });
    }
    let mut order: Vec<usize> = (0..episodes).collect();
    order.shuffle(&mut episode_rng(seed, SPLIT_STREAM));
    let (held, train) = order.split_at(heldout);
    let (mut train, mut held) = (train.to_vec(), held.to_vec());
    train.sort_unstable();
    held.sort_unstable();
    Ok(Split {
        train,
        heldout: held,
    })
}

/// Checks the demonstrations against their own spec and the network's sizes.
fn check_demos(demos: &Trajectories, obs_dim: usize, act_dim: usize) -> Result<()> {
    let (n, t1, od) = demos.obs.dim();
    let (na, t, ad) = demos.acts.dim();
    if n == 0 {
        return Err(BcError::EmptyDemos(format!(
            "`{}` demonstrations hold no episode",
            demos.spec.name
        )));
    }
    if t == 0 {
        return Err(BcError::EmptyDemos(format!(
            "`{}` episodes have no step",
            demos.spec.name
        )));
    }
    if na != n || t1 != t + 1 {
        return Err(BcError::Mismatch(format!(
            "observations {:?} and actions {:?} are not N×(T+1) and N×T",
            demos.obs.dim(),
            demos.acts.dim()
        )));
    }
    if od != demos.spec.obs_dim() || ad != demos.spec.act_dim() {
        return Err(BcError::Mismatch(format!(
            "observations of {od} and actions of {ad} floats, but `{}` has {} and {}",
            demos.spec.name,
            demos.spec.obs_dim(),
            demos.spec.act_dim()
        )));
    }
    if od != obs_dim || ad != act_dim {
        return Err(BcError::Mismatch(format!(
            "observations of {od} and actions of {ad} floats, but the policy takes {obs_dim} and \
             gives {act_dim}"
        )));
    }
    let steps = demos.obs.slice(s![.., ..t, ..]);
    if let Some(((i, k, _), v)) = steps.indexed_iter().find(|(_, v)| !v.is_finite()) {
        return Err(BcError::InvalidDemos(format!(
            "observation of episode {i} at step {k} holds {v}"
        )));
    }
    for ((i, k), a) in demos
        .acts
        .lanes(Axis(2))
        .into_iter()
        .enumerate()
        .map(|(j, a)| ((j / t, j % t), a))
    {
        let a = a.to_vec();
        let bad = a.iter().any(|v| !v.is_finite())
            || (demos.spec.action_space.is_discrete() && !demos.spec.action_space.contains(&a));
        if bad {
            return Err(BcError::InvalidDemos(format!(
                "action of episode {i} at step {k} is {a:?}, not in {}",
                demos.spec.action_space
            )));
        }
    }
    Ok(())
}

/// The `(x_t, u_t)` pairs of the given episodes, as `[n·T, obs_dim]` and `[n·T, act_dim]`.
fn steps(demos: &Trajectories, episodes: &[usize]) -> (Array2<f32>, Array2<f32>) {
    let t = demos.horizon();
    let obs = demos.obs.slice(s![.., ..t, ..]).select(Axis(0), episodes);
    let acts = demos.acts.select(Axis(0), episodes);
    let rows = episodes.len() * t;
    let flat = |a: ndarray::Array3<f32>| {
        let cols = a.len_of(Axis(2));
        a.into_shape_with_order((rows, cols))
            .expect("a standard-layout array reshapes to rows × columns")
    };
    (flat(obs), flat(acts))
}

/// A [`Device`] written as its name (`cpu`, `cuda`, `cuda:N`) in config files.
mod device_name {
    use crate::nn::Device;
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(device: &Device, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(device)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Device, D::Error> {
        String::deserialize(d)?.parse().map_err(D::Error::custom)
    }
}

mod policy;
pub mod tabular;

pub use policy::{BcNet, BcNetSnapshot, BcPolicy, BcSnapshot, Standardizer};

#[cfg(test)]
mod tests;
