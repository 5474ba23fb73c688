//! PPO's update: epochs of shuffled minibatches, each an Adam step on the clipped surrogate and
//! one on the value loss, run side by side, and what they report.

use super::{Batch, BcMinibatch, DemoSteps, Ppo, PpoConfig, PpoError, Result};
use crate::nn::{Adam, Mlp, NnError, ParamSet};
use crate::policy::{GaussianMlpPolicy, TrainablePolicy};
use costlearn_envs::episode_rng;
use ndarray::{Array1, ArrayView2, Axis};
use rand::seq::SliceRandom;

/// Stream of the minibatch shuffles, apart from the episodes' streams of the same seed.
const SHUFFLE_STREAM: u64 = 0x9e37_79b9_7f4a_7c15;
/// Stream of the behavioral-cloning term's demonstration minibatches.
const DEMO_STREAM: u64 = 0x6a09_e667_f3bc_c909;

impl Ppo {
    /// [`PpoConfig::epochs`] passes over the batch in shuffled minibatches, each making one policy
    /// step and one value step. Returns the means over the minibatches.
    pub(super) fn update(&mut self, batch: &Batch, it: usize) -> Result<UpdateStats> {
        let cfg = self.config.clone();
        let rows = batch.obs.nrows();
        let mut rng = episode_rng(cfg.seed ^ SHUFFLE_STREAM, it as u64);
        let mut demo_rng = episode_rng(cfg.seed ^ DEMO_STREAM, it as u64);
        let mut order: Vec<usize> = (0..rows).collect();
        let mut sums = UpdateStats::default();
        let mut minibatches = 0usize;
        for _ in 0..cfg.epochs {
            order.shuffle(&mut rng);
            let mut epoch_kl = 0.0f32;
            let chunks = order.chunks(cfg.minibatch_size.min(rows));
            let per_epoch = chunks.len();
            for idx in chunks {
                let mut adv = batch.advantages.select(Axis(0), idx);
                if cfg.normalize_advantages && adv.len() > 1 {
                    // Â = (A − mean A) / (std A + 1e-8)
                    let (mean, std) = (adv.mean().unwrap_or(0.0), adv.std(0.0));
                    adv.mapv_inplace(|a| (a - mean) / (std + 1e-8));
                }
                let obs = batch.obs.select(Axis(0), idx);
                let acts = batch.acts.select(Axis(0), idx);
                let old_log_prob = batch.old_log_prob.select(Axis(0), idx);
                let returns = batch.returns.select(Axis(0), idx);
                let demos = batch
                    .demos
                    .as_ref()
                    .map(|d| DemoSteps::draw(d, idx.len(), &mut demo_rng));
                let bc = demos.as_ref().map(|(obs, acts)| BcMinibatch {
                    coef: cfg.bc_coef,
                    obs: obs.view(),
                    acts: acts.view(),
                });
                // The policy and the value network share no weights: their steps run side by side.
                let (policy, value_loss) = join(
                    || {
                        policy_step(
                            &mut self.policy,
                            &mut self.policy_opt,
                            &cfg,
                            obs.view(),
                            acts.view(),
                            &old_log_prob,
                            &adv,
                            bc,
                        )
                    },
                    || {
                        value_step(
                            &self.value,
                            &mut self.value_params,
                            &mut self.value_opt,
                            obs.view(),
                            &returns,
                        )
                    },
                );
                let policy = policy.map_err(|e| e.at(it))?;
                let value_loss = value_loss.map_err(|e| e.at(it))?;
                sums.policy_loss += policy.policy_loss;
                sums.approx_kl += policy.approx_kl;
                sums.clip_fraction += policy.clip_fraction;
                sums.value_loss += value_loss;
                epoch_kl += policy.approx_kl;
                minibatches += 1;
            }
            if cfg
                .target_kl
                .is_some_and(|target| epoch_kl / per_epoch as f32 > target)
            {
                break;
            }
        }
        let m = minibatches.max(1) as f32;
        Ok(UpdateStats {
            policy_loss: sums.policy_loss / m,
            value_loss: sums.value_loss / m,
            approx_kl: sums.approx_kl / m,
            clip_fraction: sums.clip_fraction / m,
        })
    }
}

/// One Adam step on the clipped surrogate of a minibatch, plus the behavioral-cloning term when
/// `bc` is given (value loss left at 0).
#[allow(clippy::too_many_arguments)]
pub(super) fn policy_step(
    policy: &mut GaussianMlpPolicy,
    opt: &mut Adam,
    cfg: &PpoConfig,
    obs: ArrayView2<'_, f32>,
    acts: ArrayView2<'_, f32>,
    old_log_prob: &Array1<f32>,
    advantages: &Array1<f32>,
    bc: Option<BcMinibatch<'_>>,
) -> Result<UpdateStats, StepError> {
    let (clip, entropy_coef) = (cfg.clip_range, cfg.entropy_coef);
    let g = policy.params().graph();
    // L^CLIP = −E[min(ρ Â, clip(ρ, 1−ε, 1+ε) Â)] − c_H H[π]
    let log_prob = policy.log_prob_var(&g, obs, acts)?;
    let log_ratio = log_prob.sub(&g.column(slice(old_log_prob)))?;
    let ratio = log_ratio.exp(); // ρ = π_θ(u|x) / π_old(u|x)
    let adv = g.column(slice(advantages));
    let unclipped = ratio.mul(&adv)?;
    let clipped = ratio.clamp(1.0 - clip, 1.0 + clip).mul(&adv)?;
    let surrogate = unclipped.minimum(&clipped)?.mean().neg();
    let policy_loss = surrogate.item();
    let loss = if entropy_coef != 0.0 {
        // H = Σ_j ln σ_j + ½ d (1 + ln 2π); the constant has no gradient.
        let log_std = policy.params().id("log_std").ok_or_else(|| {
            StepError::Nn(NnError::InvalidConfig("the policy has no log std".into()))
        })?;
        let entropy = policy.params().var(&g, log_std)?.sum();
        surrogate.sub(&entropy.scale(entropy_coef))?
    } else {
        surrogate
    };
    let loss = match bc {
        // + λ E_D[−log π(u|x)] (see `bc_term`)
        Some(bc) => {
            let nll = policy.log_prob_var(&g, bc.obs, bc.acts)?.mean().neg();
            loss.add(&nll.scale(bc.coef))?
        }
        None => loss,
    };
    if !loss.item().is_finite() {
        return Err(StepError::NonFinite("the policy loss", loss.item()));
    }
    // approx KL = E[(ρ − 1) − ln ρ]; clip fraction = P(|ρ − 1| > ε)
    let log_ratio = log_ratio.to_array();
    let n = log_ratio.len() as f32;
    let approx_kl = log_ratio.iter().map(|&l| l.exp() - 1.0 - l).sum::<f32>() / n;
    let clip_fraction = log_ratio
        .iter()
        .filter(|&&l| (l.exp() - 1.0).abs() > clip)
        .count() as f32
        / n;
    let grads = policy.params().grads(loss.backward()?)?;
    let norm = grads.global_norm();
    if !norm.is_finite() {
        return Err(StepError::NonFinite("the policy gradient norm", norm));
    }
    opt.step(policy.params_mut(), grads)?;
    Ok(UpdateStats {
        policy_loss,
        value_loss: 0.0,
        approx_kl,
        clip_fraction,
    })
}

/// One Adam step on the value loss `L^V = ½ E[(V(x_t) − R_t)²]` of a minibatch; returns it.
pub(super) fn value_step(
    value: &Mlp,
    params: &mut ParamSet,
    opt: &mut Adam,
    obs: ArrayView2<'_, f32>,
    returns: &Array1<f32>,
) -> Result<f32, StepError> {
    let g = params.graph();
    let v = value.forward_array(params, &g, obs)?;
    let loss = v.sub(&g.column(slice(returns)))?.square().mean().scale(0.5);
    let value_loss = loss.item();
    if !value_loss.is_finite() {
        return Err(StepError::NonFinite("the value loss", value_loss));
    }
    let grads = params.grads(loss.backward()?)?;
    let norm = grads.global_norm();
    if !norm.is_finite() {
        return Err(StepError::NonFinite("the value gradient norm", norm));
    }
    opt.step(params, grads)?;
    Ok(value_loss)
}

/// Runs two independent computations, on two threads of the current pool where training state may
/// cross threads (CPU-only builds), one after the other otherwise.
#[cfg(not(feature = "cuda"))]
pub(super) fn join<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    rayon::join(a, b)
}

/// Runs two independent computations, on two threads of the current pool where training state may
/// cross threads (CPU-only builds), one after the other otherwise.
#[cfg(feature = "cuda")]
pub(super) fn join<A, B>(a: impl FnOnce() -> A, b: impl FnOnce() -> B) -> (A, B) {
    (a(), b())
}

/// Means (or sums, while accumulating) over an iteration's minibatches.
#[derive(Default)]
pub(super) struct UpdateStats {
    pub(super) policy_loss: f32,
    pub(super) value_loss: f32,
    pub(super) approx_kl: f32,
    pub(super) clip_fraction: f32,
}

/// What can stop one minibatch step, before it is tied to an iteration.
pub(super) enum StepError {
    Nn(NnError),
    NonFinite(&'static str, f32),
}

impl From<NnError> for StepError {
    fn from(e: NnError) -> Self {
        StepError::Nn(e)
    }
}

impl StepError {
    /// The error of iteration `iteration`.
    pub(super) fn at(self, iteration: usize) -> PpoError {
        match self {
            StepError::Nn(source) => PpoError::Update { iteration, source },
            StepError::NonFinite(what, value) => PpoError::NonFinite {
                iteration,
                what: what.to_string(),
                value,
            },
        }
    }
}

/// A freshly built array's values as one slice.
fn slice(a: &Array1<f32>) -> &[f32] {
    a.as_slice().expect("a freshly built array is contiguous")
}
