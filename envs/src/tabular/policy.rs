//! [`TabularPolicy`]: a time-indexed policy table `π_t(a|s)` acting on `[row, col, t]` observations.

use super::error::{invalid, TabularError};
use super::observation::{self, as_index};
use super::sparse::sample_index;
use crate::policy::{argmax, Policy};
use crate::seeding::Rng;
use ndarray::{Array1, Array2, Array3, ArrayView1, ArrayView2, Axis};
use rand::Rng as _;
use std::sync::Arc;

/// How far `Σ_a π_t(a|s)` may be from one in a table handed to [`TabularPolicy::new`].
const SUM_TOLERANCE: f64 = 1e-5;

/// A finite-horizon policy `π_t(a|s)` given by its log-probability table `log_pi [T, S, A]`.
///
/// It reads `s` and `t` from observations `[row, col, t]` (see
/// [`observation`]); `(s, t)` is valid when `s` is a cell of the grid and
/// `t < T`.
///
/// - [`act`](Policy::act) samples `a ~ π_t(·|s)` with one uniform draw from `rngs[i]`. For an
///   invalid observation (wrong length, not a cell, `t ≥ T`) it draws a uniformly random action
///   from `rngs[i]` instead.
/// - [`log_prob`](Policy::log_prob) returns `log π_t(a|s)`, and `−∞` when the observation is not a
///   valid `(s, t)` or the action is not an index in `0..A`.
///
/// The table is shared through an [`Arc`], so clones are cheap.
#[derive(Clone, Debug)]
pub struct TabularPolicy {
    table: Arc<Table>,
}

#[derive(Debug)]
struct Table {
    log_pi: Array3<f64>,
    pi: Array3<f64>,
    width: usize,
}

impl TabularPolicy {
    /// The policy with log-probabilities `log_pi [T, S, A]` on a grid of width `width`.
    ///
    /// Errors unless `T, S, A ≥ 1`, `width` divides `S`, and every `π_t(·|s)` is a distribution (no
    /// NaN or `+∞`, `exp` summing to one within `1e-5`; `−∞` marks an impossible action).
    pub fn new(log_pi: Array3<f64>, width: usize) -> Result<Self, TabularError> {
        let (t, s, a) = log_pi.dim();
        if t == 0 || s == 0 || a == 0 {
            return Err(TabularError::InvalidPolicy(format!(
                "table of shape [{t}, {s}, {a}] is empty"
            )));
        }
        if width == 0 || s % width != 0 {
            return Err(invalid(
                "width",
                format!("{width} does not divide {s} states"),
            ));
        }
        let pi = log_pi.mapv(f64::exp);
        for (i, row) in pi.lanes(Axis(2)).into_iter().enumerate() {
            let sum: f64 = row.sum();
            if sum.is_nan() || (sum - 1.0).abs() > SUM_TOLERANCE {
                return Err(TabularError::InvalidPolicy(format!(
                    "π_{}(·|{}) sums to {sum}, not 1",
                    i / s,
                    i % s
                )));
            }
        }
        Ok(Self {
            table: Arc::new(Table { log_pi, pi, width }),
        })
    }

    /// The uniform policy over `num_actions` actions, as a table.
    pub fn uniform(
        horizon: usize,
        num_states: usize,
        num_actions: usize,
        width: usize,
    ) -> Result<Self, TabularError> {
        let log_p = -(num_actions as f64).ln();
        Self::new(
            Array3::from_elem((horizon, num_states, num_actions), log_p),
            width,
        )
    }

    /// The table `log π_t(a|s)`, `[T, S, A]`.
    pub fn log_pi(&self) -> &Array3<f64> {
        &self.table.log_pi
    }

    /// Horizon `T`.
    pub fn horizon(&self) -> usize {
        self.table.log_pi.len_of(Axis(0))
    }

    /// Number of states `S`.
    pub fn num_states(&self) -> usize {
        self.table.log_pi.len_of(Axis(1))
    }

    /// Number of actions `A`.
    pub fn num_actions(&self) -> usize {
        self.table.log_pi.len_of(Axis(2))
    }

    /// Grid width.
    pub fn width(&self) -> usize {
        self.table.width
    }

    /// `(s, t)` of an observation row when it is valid for this table.
    fn decode_row(&self, obs: ArrayView1<'_, f32>) -> Option<(usize, usize)> {
        match obs.as_slice() {
            Some(o) => self.decode(o),
            None => self.decode(&obs.to_vec()),
        }
    }

    /// `(s, t)` of an observation when it is valid for this table.
    fn decode(&self, obs: &[f32]) -> Option<(usize, usize)> {
        let s = observation::decode_state(obs, self.width(), self.num_states())?;
        let t = observation::decode_step(obs)?;
        (t < self.horizon()).then_some((s, t))
    }
}

impl Policy for TabularPolicy {
    /// # Panics
    ///
    /// If `rngs` has fewer generators than `obs` has rows.
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        assert!(
            rngs.len() >= obs.nrows(),
            "act needs one generator per observation ({} for {} rows)",
            rngs.len(),
            obs.nrows()
        );
        let a = self.num_actions();
        obs.rows()
            .into_iter()
            .zip(rngs.iter_mut())
            .map(|(o, rng)| match self.decode_row(o) {
                Some((s, t)) => {
                    let pi = self.table.pi.slice(ndarray::s![t, s, ..]);
                    let u: f64 = rng.gen();
                    // a ~ π_t(·|s) by inverting its CDF at u
                    sample_index(pi.as_slice().expect("a row of a standard array"), u).unwrap_or(0)
                        as f32
                }
                None => rng.gen_range(0..a) as f32,
            })
            .collect::<Array1<f32>>()
            .insert_axis(Axis(1))
    }

    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        obs.rows()
            .into_iter()
            .zip(acts.rows())
            .map(|(o, u)| {
                let action = (u.len() == 1)
                    .then(|| as_index(u[0]))
                    .flatten()
                    .filter(|&a| a < self.num_actions());
                match (self.decode_row(o), action) {
                    (Some((s, t)), Some(a)) => self.table.log_pi[[t, s, a]] as f32,
                    _ => f32::NEG_INFINITY,
                }
            })
            .collect()
    }

    /// The most probable action of `π_t(·|s)`; `None` if a row is not a state and step.
    fn mode(&self, obs: ArrayView2<'_, f32>) -> Option<Array2<f32>> {
        let modes = obs
            .rows()
            .into_iter()
            .map(|o| {
                let (s, t) = self.decode_row(o)?;
                argmax(
                    self.table
                        .log_pi
                        .slice(ndarray::s![t, s, ..])
                        .iter()
                        .copied(),
                )
                .map(|a| a as f32)
            })
            .collect::<Option<Array1<f32>>>()?;
        Some(modes.insert_axis(Axis(1)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeding::episode_rng;
    use ndarray::array;

    /// T = 2, S = 2 (one row), A = 2: at t = 0 state 0 always takes action 1; elsewhere 0.25 / 0.75.
    fn policy() -> TabularPolicy {
        let p = array![[[0.0, 1.0], [0.25, 0.75]], [[0.25, 0.75], [0.25, 0.75]]];
        TabularPolicy::new(p.mapv(f64::ln), 2).unwrap()
    }

    #[test]
    fn the_mode_is_the_most_probable_action_of_each_state_and_step() {
        let pi = policy();
        let obs = array![[0.0, 0.0, 0.0], [0.0, 1.0, 1.0]];
        assert_eq!(pi.mode(obs.view()), Some(array![[1.0], [1.0]]));
        assert_eq!(pi.mode(array![[0.0, 5.0, 0.0]].view()), None);
    }

    #[test]
    fn log_prob_reads_the_table() {
        let pi = policy();
        let obs = array![
            [0.0, 0.0, 0.0],
            [0.0, 1.0, 1.0],
            [0.0, 0.0, 0.0],
            [0.0, 1.0, 0.0]
        ];
        let acts = array![[1.0], [0.0], [0.0], [1.0]];
        let lp = pi.log_prob(obs.view(), acts.view());
        assert_eq!(lp[0], 0.0);
        assert!((lp[1] - 0.25f32.ln()).abs() < 1e-6);
        assert_eq!(lp[2], f32::NEG_INFINITY);
        assert!((lp[3] - 0.75f32.ln()).abs() < 1e-6);
    }

    #[test]
    fn invalid_observations_and_actions_have_zero_probability() {
        let pi = policy();
        let obs = array![
            [0.0, 2.0, 0.0],
            [1.0, 0.0, 0.0],
            [0.0, 0.0, 2.0],
            [0.0, 0.0, 0.5],
            [0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0]
        ];
        let acts = array![[1.0], [1.0], [1.0], [1.0], [2.0], [0.5]];
        let lp = pi.log_prob(obs.view(), acts.view());
        assert!(lp.iter().all(|&l| l == f32::NEG_INFINITY), "{lp}");
    }

    #[test]
    fn act_samples_the_table_frequencies() {
        let pi = policy();
        let n = 4000;
        let obs = Array2::from_shape_fn((n, 3), |(i, j)| if j == 1 { (i % 2) as f32 } else { 0.0 });
        let mut rngs: Vec<_> = (0..n as u64).map(|i| episode_rng(1, i)).collect();
        let acts = pi.act(obs.view(), &mut rngs);
        assert_eq!(acts.dim(), (n, 1));
        // State 0 at t = 0 always acts 1.
        assert!((0..n).step_by(2).all(|i| acts[[i, 0]] == 1.0));
        // State 1 at t = 0 acts 1 with probability 0.75 (standard error ≈ 0.01).
        let ones = (1..n).step_by(2).filter(|&i| acts[[i, 0]] == 1.0).count();
        let freq = ones as f64 / (n / 2) as f64;
        assert!((freq - 0.75).abs() < 0.04, "{freq}");
    }

    #[test]
    fn act_on_an_invalid_observation_is_uniform() {
        let pi = policy();
        let n = 2000;
        let obs = Array2::from_elem((n, 3), f32::NAN);
        let mut rngs: Vec<_> = (0..n as u64).map(|i| episode_rng(2, i)).collect();
        let acts = pi.act(obs.view(), &mut rngs);
        let ones = acts.iter().filter(|&&a| a == 1.0).count();
        assert!(acts.iter().all(|&a| a == 0.0 || a == 1.0));
        assert!((ones as f64 / n as f64 - 0.5).abs() < 0.05);
    }

    #[test]
    fn tables_that_are_not_distributions_are_rejected() {
        let bad = array![[[0.5f64, 0.6]]].mapv(f64::ln);
        assert!(matches!(
            TabularPolicy::new(bad, 1),
            Err(TabularError::InvalidPolicy(_))
        ));
        let nan = array![[[f64::NAN, 0.0]]];
        assert!(TabularPolicy::new(nan, 1).is_err());
        let ok = array![[[f64::NEG_INFINITY, 0.0]]];
        assert!(TabularPolicy::new(ok.clone(), 1).is_ok());
        assert!(TabularPolicy::new(ok, 2).is_err());
        assert!(TabularPolicy::new(Array3::zeros((0, 1, 1)), 1).is_err());
    }
}
