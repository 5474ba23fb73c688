//! The losses of GAN-form guided cost learning, each written once.
//!
//! They work on generic *items* — whole trajectories or single transitions, with or without
//! actions — given by their costs (graph variables, so that gradients reach `θ`) and their
//! generator log-densities `log q` (plain numbers: the generator is held fixed while the cost is
//! trained). Everything stays in log space.
//!
//! Equation numbers are those of Finn, Christiano, Abbeel, Levine 2016, "A Connection Between
//! Generative Adversarial Networks, Inverse Reinforcement Learning, and Energy-Based Models".

use super::error::{check_finite, check_len, GclError, Result};
use super::partition::log_mean_mixture;
use crate::nn::Var;

fn column(what: &'static str, v: &Var) -> Result<usize> {
    match v.shape() {
        (0, _) => Err(GclError::Empty(what)),
        (n, 1) => Ok(n),
        shape => Err(GclError::Shape {
            what,
            expected: "an [n, 1] column".into(),
            found: format!("{shape:?}"),
        }),
    }
}

fn to_f32(values: &[f64]) -> Vec<f32> {
    values.iter().map(|&v| v as f32).collect()
}

/// The discriminator's logit `ℓ(τ) = −c_θ(τ) − log Z − log q(τ)`, `[n, 1]`.
///
/// Paper §3.1: `D_θ(τ) = (1/Z)·exp(−c_θ(τ)) / ((1/Z)·exp(−c_θ(τ)) + q(τ)) = σ(ℓ(τ))`.
/// `log_z` is a `1×1` variable (a parameter, so that it is learned).
pub fn logits(costs: &Var, log_z: &Var, log_q: &[f64]) -> Result<Var> {
    let n = column("costs", costs)?;
    if log_z.shape() != (1, 1) {
        return Err(GclError::Shape {
            what: "log Z",
            expected: "a 1×1 scalar".into(),
            found: format!("{:?}", log_z.shape()),
        });
    }
    check_len("log q", n, log_q.len())?;
    check_finite("log q", log_q)?;
    let log_q = costs.graph().column(&to_f32(log_q));
    Ok(costs.neg().sub(log_z)?.sub(&log_q)?)
}

/// The discriminator's loss, `1×1`, from the logits of the demonstrations and of the samples:
///
/// ```text
/// L_disc = E_p[−log D(τ)] + E_q[−log(1 − D(τ))]                          (§2.1; §3.2, Eq. 6)
///        = E_p[−log σ(ℓ(τ))] + E_q[−log σ(−ℓ(τ))]
/// ```
pub fn discriminator_loss(demo_logits: &Var, sample_logits: &Var) -> Result<Var> {
    column("demonstration logits", demo_logits)?;
    column("sample logits", sample_logits)?;
    let demos = demo_logits.log_sigmoid().mean().neg();
    let samples = sample_logits.neg().log_sigmoid().mean().neg();
    Ok(demos.add(&samples)?)
}

/// The MaxEnt IRL (guided cost learning) objective, `1×1`:
///
/// ```text
/// L_cost(θ) = E_p[c_θ(τ)] + log E_μ[exp(−c_θ(τ)) / μ̃(τ)]                 (Eqs. 4, 5)
/// μ = ½p + ½q,   μ̃(τ) = ½·exp(−c_θ(τ))/Z + ½·q(τ)
/// ```
///
/// `log μ̃` of every item comes in as plain numbers (see
/// [`log_mu_tilde`](super::partition::log_mu_tilde)): the importance weights are held constant
/// when differentiating, as in the paper (§3.2.2).
pub fn cost_loss(
    demo_costs: &Var,
    sample_costs: &Var,
    demo_log_mu_tilde: &[f64],
    sample_log_mu_tilde: &[f64],
) -> Result<Var> {
    let np = column("demonstration costs", demo_costs)?;
    let nq = column("sample costs", sample_costs)?;
    check_len("demonstration log μ̃", np, demo_log_mu_tilde.len())?;
    check_len("sample log μ̃", nq, sample_log_mu_tilde.len())?;
    check_finite("demonstration log μ̃", demo_log_mu_tilde)?;
    check_finite("sample log μ̃", sample_log_mu_tilde)?;
    // Exponents a = −c − log μ̃ + log(mixture weight), shifted by their largest value m (a
    // constant: the log-sum-exp is exact for any shift, and m keeps it from overflowing).
    let exponents = |costs: &Var, log_mu: &[f64]| -> Vec<f64> {
        let c = costs.to_array();
        c.iter()
            .zip(log_mu)
            .map(|(&c, lm)| -f64::from(c) - lm)
            .collect()
    };
    let (a, b) = (
        exponents(demo_costs, demo_log_mu_tilde),
        exponents(sample_costs, sample_log_mu_tilde),
    );
    check_finite("demonstration costs", &a)?;
    check_finite("sample costs", &b)?;
    let m = log_mean_mixture(&a, &b);
    let shifted = |costs: &Var, log_mu: &[f64], n: usize| -> Result<Var> {
        let offset: Vec<f64> = log_mu
            .iter()
            .map(|lm| -lm + (0.5 / n as f64).ln() - m)
            .collect();
        let offset = costs.graph().column(&to_f32(&offset));
        Ok(costs.neg().add(&offset)?.exp().sum())
    };
    let log_is = shifted(demo_costs, demo_log_mu_tilde, np)?
        .add(&shifted(sample_costs, sample_log_mu_tilde, nq)?)?
        .ln()
        .add_scalar(m as f32);
    Ok(demo_costs.mean().add(&log_is)?)
}

/// The generator's loss, `1×1`, from the logits of the samples:
///
/// ```text
/// L_gen(q) = E_q[log(1 − D(τ)) − log D(τ)]                               (§2.1; §3.3)
///          = E_q[log σ(−ℓ(τ)) − log σ(ℓ(τ))]
/// ```
///
/// It equals `log Z + E_q[c_θ(τ)] + E_q[log q(τ)] = log Z + L_sampler(q)` (§3.3, Eq. 2).
pub fn generator_loss(sample_logits: &Var) -> Result<Var> {
    Ok(generator_loss_terms(sample_logits)?.mean())
}

/// The terms `log(1 − D(τ)) − log D(τ)` of [`generator_loss`], one per sample, `[n, 1]`: what a
/// score-function estimate of the generator's gradient weighs each sample's `∇ log q` by.
pub fn generator_loss_terms(sample_logits: &Var) -> Result<Var> {
    column("sample logits", sample_logits)?;
    Ok(sample_logits
        .neg()
        .log_sigmoid()
        .sub(&sample_logits.log_sigmoid())?)
}
