//! Finite-horizon soft value iteration (the MaxEnt-optimal planner) and the forward pass that gives
//! expected state-action visitation, the two halves of exact MaxEnt IRL (Ziebart et al. 2008,
//! "Maximum Entropy Inverse Reinforcement Learning"; Ziebart 2010, PhD thesis, §6).
//!
//! With reward `r(s, a)` and temperature `α > 0`, soft value iteration finds the policy maximising
//! `E[Σ_t r(s_t, a_t)] + α·H(π)`, i.e. minimising `E_q[c] + α·E_q[log q]` for `c = −r` (the
//! generator objective of guided cost learning). Steps are 0-indexed, `t = 0..T−1`:
//!
//! ```text
//! V_T(s)     = 0
//! Q_t(s,a)   = r(s,a) + Σ_s' P(s'|s,a) V_{t+1}(s')
//! V_t(s)     = α log Σ_a exp(Q_t(s,a)/α)
//! π_t(a|s)   = exp((Q_t(s,a) − V_t(s))/α)
//! ```
//!
//! Everything is computed and returned in `f64`: the planner is reused inside the exact-IRL gradient
//! loop, where `f32` round-off in `V` would bias the visitation. Rewards may be given as any array
//! of numbers convertible to `f64` (`f32` or `f64`), so the same code plans on the true reward and
//! on a learned one.

use super::error::{invalid, TabularError};
use super::mdp::Mdp;
use super::policy::TabularPolicy;
use super::sparse::Successors;
use crate::trajectory::Trajectories;
use ndarray::{Array1, Array2, Array3, ArrayView2, ArrayView3, Axis};

/// The result of soft value iteration, all in `f64`.
#[derive(Clone, Debug)]
pub struct SoftValues {
    /// Temperature `α` used.
    pub alpha: f64,
    /// `Q_t(s, a)`, `[T, S, A]`.
    pub q: Array3<f64>,
    /// `V_t(s)`, `[T+1, S]`; row `T` is zero.
    pub v: Array2<f64>,
    /// `log π_t(a|s)`, `[T, S, A]`.
    pub log_pi: Array3<f64>,
}

impl SoftValues {
    /// The soft value of the start, `Σ_s p_0(s) V_0(s)`, which equals the expected return plus `α`
    /// times the expected entropy `Σ_t H(π_t(·|s_t))` of the MaxEnt policy.
    pub fn initial_value(&self, mdp: &Mdp) -> f64 {
        mdp.initial_f64().dot(&self.v.row(0))
    }

    /// The MaxEnt policy `π_t(a|s)` as a [`TabularPolicy`] on `mdp`'s grid.
    pub fn policy(&self, mdp: &Mdp) -> Result<TabularPolicy, TabularError> {
        TabularPolicy::new(self.log_pi.clone(), mdp.width)
    }
}

/// Soft value iteration on `mdp` for the reward `reward [S, A]` at temperature `alpha`.
///
/// Errors if the MDP does not validate, `reward` has the wrong shape or a non-finite entry, or
/// `alpha` is not positive and finite.
pub fn soft_value_iteration<R: Copy + Into<f64>>(
    mdp: &Mdp,
    reward: ArrayView2<'_, R>,
    alpha: f64,
) -> Result<SoftValues, TabularError> {
    mdp.validate()?;
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(invalid(
            "alpha",
            format!("must be positive and finite, got {alpha}"),
        ));
    }
    let (s_n, a_n, t_n) = (mdp.num_states(), mdp.num_actions(), mdp.horizon);
    let reward = checked_reward(reward, s_n, a_n)?;
    let successors = Successors::new(&mdp.transitions);

    let mut q = Array3::zeros((t_n, s_n, a_n));
    let mut v = Array2::zeros((t_n + 1, s_n)); // V_T(s) = 0
    let mut log_pi = Array3::zeros((t_n, s_n, a_n));
    for t in (0..t_n).rev() {
        let (v_now, v_next) = v.multi_slice_mut((ndarray::s![t, ..], ndarray::s![t + 1, ..]));
        let v_next = v_next.view();
        let mut q_t = q.index_axis_mut(Axis(0), t);
        let mut log_pi_t = log_pi.index_axis_mut(Axis(0), t);
        for ((s, v_s), (mut q_s, mut log_pi_s)) in v_now
            .into_iter()
            .enumerate()
            .zip(q_t.outer_iter_mut().zip(log_pi_t.outer_iter_mut()))
        {
            for (a, q_sa) in q_s.iter_mut().enumerate() {
                let (next, prob) = successors.of(s, a);
                // Q_t(s,a) = r(s,a) + Σ_s' P(s'|s,a) V_{t+1}(s')
                *q_sa = reward[[s, a]]
                    + next
                        .iter()
                        .zip(prob)
                        .map(|(&s2, &p)| p * v_next[s2])
                        .sum::<f64>();
            }
            // V_t(s) = α log Σ_a exp(Q_t(s,a)/α), as max + α log Σ exp((Q − max)/α)
            *v_s = soft_max(q_s.iter().copied(), alpha);
            // log π_t(a|s) = (Q_t(s,a) − V_t(s))/α
            log_pi_s.zip_mut_with(&q_s, |l, &q_sa| *l = (q_sa - *v_s) / alpha);
        }
    }
    Ok(SoftValues {
        alpha,
        q,
        v,
        log_pi,
    })
}

/// Soft value iteration on the MDP's own (true) reward.
pub fn soft_value_iteration_true(mdp: &Mdp, alpha: f64) -> Result<SoftValues, TabularError> {
    soft_value_iteration(mdp, mdp.reward.view(), alpha)
}

/// `α log Σ_i exp(x_i/α)`, computed stably around the largest `x_i`.
fn soft_max(x: impl Iterator<Item = f64> + Clone, alpha: f64) -> f64 {
    let m = x.clone().fold(f64::NEG_INFINITY, f64::max);
    m + alpha * x.map(|xi| ((xi - m) / alpha).exp()).sum::<f64>().ln()
}

/// The expected state-action visitation `D_t(s, a)` of the policy `log_pi [T, S, A]` on `mdp`,
/// `[T, S, A]`, by the forward pass from `p_0`:
///
/// ```text
/// D_0(s,a)     = p_0(s) π_0(a|s)
/// d_{t+1}(s')  = Σ_{s,a} D_t(s,a) P(s'|s,a)
/// D_{t+1}(s,a) = d_{t+1}(s) π_{t+1}(a|s)
/// ```
///
/// Each `D_t` sums to one (`P` and `p_0` are renormalised in `f64` first, see
/// [`Mdp::initial_f64`]). `Σ_t D_t` contracted with `r` is the expected return
/// ([`expected_return`]); contracted with `φ` it gives the expected feature counts
/// ([`feature_expectations`]) that exact MaxEnt IRL matches to the demonstrations'.
pub fn state_action_visitation(
    mdp: &Mdp,
    log_pi: ArrayView3<'_, f64>,
) -> Result<Array3<f64>, TabularError> {
    mdp.validate()?;
    let (s_n, a_n, t_n) = (mdp.num_states(), mdp.num_actions(), mdp.horizon);
    if log_pi.dim() != (t_n, s_n, a_n) {
        return Err(TabularError::Shape {
            what: "log_pi",
            got: log_pi.shape().to_vec(),
            expected: vec![t_n, s_n, a_n],
        });
    }
    if log_pi.iter().any(|l| l.is_nan() || *l == f64::INFINITY) {
        return Err(TabularError::InvalidPolicy(
            "log_pi has a NaN or +∞ entry".into(),
        ));
    }
    let successors = Successors::new(&mdp.transitions);
    let mut d = Array3::zeros((t_n, s_n, a_n));
    let mut state = mdp.initial_f64(); // d_0(s) = p_0(s)
    for t in 0..t_n {
        let mut d_t = d.index_axis_mut(Axis(0), t);
        // D_t(s,a) = d_t(s) π_t(a|s)
        for ((mut d_s, lp_s), &d_state) in d_t
            .outer_iter_mut()
            .zip(log_pi.index_axis(Axis(0), t).outer_iter())
            .zip(&state)
        {
            d_s.zip_mut_with(&lp_s, |x, &lp| *x = d_state * lp.exp());
        }
        // d_{t+1}(s') = Σ_{s,a} D_t(s,a) P(s'|s,a)
        let mut next_state = Array1::zeros(s_n);
        for ((s, a), &d_sa) in d_t.indexed_iter() {
            if d_sa != 0.0 {
                let (next, prob) = successors.of(s, a);
                for (&s2, &p) in next.iter().zip(prob) {
                    next_state[s2] += d_sa * p;
                }
            }
        }
        state = next_state;
    }
    Ok(d)
}

/// The expected return `Σ_{t,s,a} D_t(s,a) r(s,a)` of a visitation `D [T, S, A]` under the reward
/// `reward [S, A]`. Errors if the shapes disagree.
pub fn expected_return<R: Copy + Into<f64>>(
    reward: ArrayView2<'_, R>,
    visitation: ArrayView3<'_, f64>,
) -> Result<f64, TabularError> {
    let (_, s_n, a_n) = visitation.dim();
    if reward.dim() != (s_n, a_n) {
        return Err(TabularError::Shape {
            what: "reward",
            got: reward.shape().to_vec(),
            expected: vec![s_n, a_n],
        });
    }
    Ok(visitation
        .outer_iter()
        .map(|d_t| {
            d_t.iter()
                .zip(reward.iter())
                .map(|(&d, &r)| d * r.into())
                .sum::<f64>()
        })
        .sum())
}

/// The expected feature counts `Σ_{t,s,a} D_t(s,a) φ(s)`, `[K]`, of a visitation `D [T, S, A]`.
/// Errors if `D` does not have `S` states.
pub fn feature_expectations(
    mdp: &Mdp,
    visitation: ArrayView3<'_, f64>,
) -> Result<Array1<f64>, TabularError> {
    if visitation.len_of(Axis(1)) != mdp.num_states() {
        return Err(TabularError::Shape {
            what: "visitation",
            got: visitation.shape().to_vec(),
            expected: vec![
                visitation.len_of(Axis(0)),
                mdp.num_states(),
                mdp.num_actions(),
            ],
        });
    }
    // Σ_{t,a} D_t(s,a): how often each state is visited over the episode.
    let per_state = visitation.sum_axis(Axis(0)).sum_axis(Axis(1));
    Ok(per_state.dot(&mdp.features.mapv(f64::from)))
}

/// The empirical visitation `D̂_t(s, a)` of demonstrations on `mdp`: the fraction of episodes in
/// state `s` taking action `a` at step `t`, `[T, S, A]`. Its difference to the expected visitation of
/// the current policy is the gradient of the MaxEnt log-likelihood with respect to `r[s, a]`.
///
/// Errors if the trajectories are empty, their horizon is not `T`, or an observation or action is
/// not a valid cell or action index of `mdp`.
pub fn empirical_visitation(mdp: &Mdp, demos: &Trajectories) -> Result<Array3<f64>, TabularError> {
    let (s_n, a_n, t_n) = (mdp.num_states(), mdp.num_actions(), mdp.horizon);
    if demos.is_empty() {
        return Err(invalid("demos", "no episodes"));
    }
    if demos.horizon() != t_n || demos.acts.len_of(Axis(2)) != 1 {
        return Err(TabularError::Shape {
            what: "demo actions",
            got: demos.acts.shape().to_vec(),
            expected: vec![demos.len(), t_n, 1],
        });
    }
    let weight = 1.0 / demos.len() as f64;
    let mut d = Array3::zeros((t_n, s_n, a_n));
    for (i, (obs, acts)) in demos
        .obs
        .outer_iter()
        .zip(demos.acts.outer_iter())
        .enumerate()
    {
        for t in 0..t_n {
            let o = obs.row(t).to_vec();
            let s = mdp.state_of(&o).ok_or_else(|| {
                invalid(
                    "demos",
                    format!("episode {i}, step {t}: {o:?} is not a cell"),
                )
            })?;
            let a = super::observation::as_index(acts[[t, 0]])
                .filter(|&a| a < a_n)
                .ok_or_else(|| {
                    invalid(
                        "demos",
                        format!("episode {i}, step {t}: {} is not an action", acts[[t, 0]]),
                    )
                })?;
            d[[t, s, a]] += weight;
        }
    }
    Ok(d)
}

/// `reward` as `f64`, checked to be `[S, A]` and finite.
fn checked_reward<R: Copy + Into<f64>>(
    reward: ArrayView2<'_, R>,
    s_n: usize,
    a_n: usize,
) -> Result<Array2<f64>, TabularError> {
    if reward.dim() != (s_n, a_n) {
        return Err(TabularError::Shape {
            what: "reward",
            got: reward.shape().to_vec(),
            expected: vec![s_n, a_n],
        });
    }
    let reward = reward.mapv(Into::into);
    if reward.iter().any(|r| !r.is_finite()) {
        return Err(invalid("reward", "has a non-finite entry"));
    }
    Ok(reward)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tabular::GridWorld;
    use ndarray::{array, Array1};

    /// Two states in one row, two actions, `T = 2`:
    ///
    /// ```text
    /// P(·|0,0) = [1, 0]    P(·|0,1) = [½, ½]    r[0,·] = [0, 1]
    /// P(·|1,0) = [1, 0]    P(·|1,1) = [0, 1]    r[1,·] = [2, 0]
    /// p_0 = [¼, ¾]
    /// ```
    fn tiny() -> Mdp {
        Mdp {
            transitions: array![[[1.0, 0.0], [0.5, 0.5]], [[1.0, 0.0], [0.0, 1.0]]],
            reward: array![[0.0, 1.0], [2.0, 0.0]],
            features: Array2::eye(2),
            initial: Array1::from(vec![0.25, 0.75]),
            horizon: 2,
            width: 2,
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12 * (1.0 + b.abs())
    }

    #[test]
    #[allow(clippy::needless_range_loop)] // indices mirror the equations
    fn soft_values_of_the_tiny_mdp_match_the_hand_computation() {
        for alpha in [1.0, 0.5] {
            let sv = soft_value_iteration_true(&tiny(), alpha).unwrap();
            let lse = |x: f64, y: f64| alpha * ((x / alpha).exp() + (y / alpha).exp()).ln();
            // t = 1 (last step): Q_1 = r, so V_1(0) = α ln(e^{0/α} + e^{1/α}) and
            // V_1(1) = α ln(e^{2/α} + e^{0/α}).
            let v1 = [lse(0.0, 1.0), lse(2.0, 0.0)];
            // t = 0: Q_0(0,0) = 0 + V_1(0),  Q_0(0,1) = 1 + ½V_1(0) + ½V_1(1),
            //        Q_0(1,0) = 2 + V_1(0),  Q_0(1,1) = 0 + V_1(1).
            let q0 = [
                [v1[0], 1.0 + 0.5 * v1[0] + 0.5 * v1[1]],
                [2.0 + v1[0], v1[1]],
            ];
            let v0 = [lse(q0[0][0], q0[0][1]), lse(q0[1][0], q0[1][1])];
            for s in 0..2 {
                assert!(close(sv.v[[2, s]], 0.0));
                assert!(close(sv.v[[1, s]], v1[s]), "V_1({s}) at α = {alpha}");
                assert!(close(sv.v[[0, s]], v0[s]), "V_0({s}) at α = {alpha}");
                for a in 0..2 {
                    let r = tiny().reward[[s, a]] as f64;
                    assert!(close(sv.q[[1, s, a]], r));
                    assert!(close(sv.q[[0, s, a]], q0[s][a]));
                    // π_t(a|s) = exp((Q_t(s,a) − V_t(s))/α)
                    assert!(close(sv.log_pi[[1, s, a]], (r - v1[s]) / alpha));
                    assert!(close(sv.log_pi[[0, s, a]], (q0[s][a] - v0[s]) / alpha));
                }
            }
        }
    }

    #[test]
    #[allow(clippy::needless_range_loop)] // indices mirror the equations
    fn visitation_of_the_tiny_mdp_matches_the_hand_computation() {
        let mdp = tiny();
        let sv = soft_value_iteration_true(&mdp, 1.0).unwrap();
        let pi = sv.log_pi.mapv(f64::exp);
        let d = state_action_visitation(&mdp, sv.log_pi.view()).unwrap();
        // D_0(s,a) = p_0(s) π_0(a|s)
        let d0 = [
            [0.25 * pi[[0, 0, 0]], 0.25 * pi[[0, 0, 1]]],
            [0.75 * pi[[0, 1, 0]], 0.75 * pi[[0, 1, 1]]],
        ];
        // d_1(0) = D_0(0,0) + ½D_0(0,1) + D_0(1,0),  d_1(1) = ½D_0(0,1) + D_0(1,1)
        let d1 = [
            d0[0][0] + 0.5 * d0[0][1] + d0[1][0],
            0.5 * d0[0][1] + d0[1][1],
        ];
        for s in 0..2 {
            for a in 0..2 {
                assert!(close(d[[0, s, a]], d0[s][a]));
                assert!(close(d[[1, s, a]], d1[s] * pi[[1, s, a]]));
            }
        }
        let want: f64 = (0..2)
            .flat_map(|t| (0..2).flat_map(move |s| (0..2).map(move |a| (t, s, a))))
            .map(|(t, s, a)| d[[t, s, a]] * mdp.reward[[s, a]] as f64)
            .sum();
        assert!(close(
            expected_return(mdp.reward.view(), d.view()).unwrap(),
            want
        ));
        let phi = feature_expectations(&mdp, d.view()).unwrap();
        assert!(close(phi[0], d0[0][0] + d0[0][1] + d1[0]));
        assert!(close(phi[1], d0[1][0] + d0[1][1] + d1[1]));
    }

    #[test]
    fn soft_value_is_return_plus_entropy() {
        // Σ_s p_0(s) V_0(s) = E[Σ_t r] + α E[Σ_t H(π_t(·|s_t))] for the soft-optimal policy.
        let mdp = GridWorld::new().size(4).horizon(10).build().unwrap();
        for alpha in [0.3, 2.0] {
            let sv = soft_value_iteration_true(&mdp, alpha).unwrap();
            let d = state_action_visitation(&mdp, sv.log_pi.view()).unwrap();
            let ret = expected_return(mdp.reward.view(), d.view()).unwrap();
            let entropy: f64 = -d.iter().zip(&sv.log_pi).map(|(d, l)| d * l).sum::<f64>();
            let v0 = sv.initial_value(&mdp);
            assert!(
                (v0 - (ret + alpha * entropy)).abs() < 1e-9,
                "{v0} vs {ret} + {alpha}·{entropy}"
            );
            // Every D_t is a distribution.
            for d_t in d.outer_iter() {
                assert!((d_t.sum() - 1.0).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn scaling_reward_and_temperature_together_scales_values() {
        let mdp = GridWorld::new().size(3).horizon(6).build().unwrap();
        let base = soft_value_iteration_true(&mdp, 0.7).unwrap();
        let scaled_reward = mdp.reward.mapv(|r| 3.0 * f64::from(r));
        let scaled = soft_value_iteration(&mdp, scaled_reward.view(), 2.1).unwrap();
        for (a, b) in base.v.iter().zip(&scaled.v) {
            assert!((3.0 * a - b).abs() < 1e-9);
        }
        for (a, b) in base.log_pi.iter().zip(&scaled.log_pi) {
            assert!((a - b).abs() < 1e-9);
        }
    }

    #[test]
    fn planning_is_stable_at_low_temperature_and_large_rewards() {
        let mdp = tiny();
        let sv =
            soft_value_iteration(&mdp, (mdp.reward.mapv(f64::from) * 1e4).view(), 1e-3).unwrap();
        assert!(sv.v.iter().chain(&sv.q).all(|x| x.is_finite()));
        // At t = 1 state 1 takes action 0 (reward 2e4 against 0) with probability ≈ 1.
        assert!(sv.log_pi[[1, 1, 0]].abs() < 1e-12);
    }

    #[test]
    fn bad_inputs_are_errors() {
        let mdp = tiny();
        for alpha in [0.0, -1.0, f64::NAN, f64::INFINITY] {
            assert!(matches!(
                soft_value_iteration_true(&mdp, alpha),
                Err(TabularError::InvalidParameter { name: "alpha", .. })
            ));
        }
        let wrong = Array2::<f64>::zeros((3, 2));
        assert!(matches!(
            soft_value_iteration(&mdp, wrong.view(), 1.0),
            Err(TabularError::Shape { what: "reward", .. })
        ));
        let nan = array![[0.0, f64::NAN], [0.0, 0.0]];
        assert!(soft_value_iteration(&mdp, nan.view(), 1.0).is_err());
        let short = Array3::<f64>::zeros((1, 2, 2));
        assert!(matches!(
            state_action_visitation(&mdp, short.view()),
            Err(TabularError::Shape { what: "log_pi", .. })
        ));
        assert!(expected_return(wrong.view(), Array3::zeros((2, 2, 2)).view()).is_err());
    }
}
