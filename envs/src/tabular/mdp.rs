//! The tabular model `(S, A, P, r, φ, p_0, T)`.

use super::error::TabularError;
use super::observation;
use ndarray::{Array1, Array2, Array3, Axis};

/// How far a row of `P` or `p_0` may sum from one (the entries are `f32`).
const SUM_TOLERANCE: f64 = 1e-5;

/// A finite MDP with a fixed horizon, as exact MaxEnt IRL needs it.
#[derive(Clone, Debug)]
pub struct Mdp {
    /// Transition tensor `P[s, a, s']`; each `P[s, a, ·]` sums to one.
    pub transitions: Array3<f32>,
    /// True reward `r[s, a]`.
    pub reward: Array2<f32>,
    /// Feature matrix `φ[s, k]` (the input of linear and neural costs in exact MaxEnt IRL).
    pub features: Array2<f32>,
    /// Initial state distribution `p_0[s]`.
    pub initial: Array1<f32>,
    /// Horizon `T`.
    pub horizon: usize,
    /// Grid width: state `s` is the cell at row `s / width`, column `s % width`.
    pub width: usize,
}

impl Mdp {
    /// Number of states `S`.
    pub fn num_states(&self) -> usize {
        self.transitions.len_of(Axis(0))
    }

    /// Number of actions `A`.
    pub fn num_actions(&self) -> usize {
        self.transitions.len_of(Axis(1))
    }

    /// Number of features `K`.
    pub fn num_features(&self) -> usize {
        self.features.len_of(Axis(1))
    }

    /// Number of grid rows, `S / width`.
    pub fn height(&self) -> usize {
        self.num_states().checked_div(self.width).unwrap_or(0)
    }

    /// `(row, col)` of state `state`.
    pub fn cell(&self, state: usize) -> (usize, usize) {
        (state / self.width.max(1), state % self.width.max(1))
    }

    /// The state of an observation `[row, col, t]`, or `None` when it is not a cell of this grid (see
    /// [`observation::decode_state`]). The step entry is not checked.
    pub fn state_of(&self, obs: &[f32]) -> Option<usize> {
        observation::decode_state(obs, self.width, self.num_states())
    }

    /// The observation `[row, col, t]` of state `state` at step `t`.
    pub fn observation(&self, state: usize, t: usize) -> [f32; observation::OBS_DIM] {
        observation::encode(state, t, self.width.max(1))
    }

    /// `p_0` in `f64`, renormalised to sum to exactly one.
    pub fn initial_f64(&self) -> Array1<f64> {
        let p = self.initial.mapv(f64::from);
        let total = p.sum();
        p / total
    }

    /// Checks that the model is well formed: `S, A ≥ 1`, `T ≥ 1`, a width dividing `S`, shapes that
    /// agree (`P [S,A,S]`, `r [S,A]`, `φ [S,K]`, `p_0 [S]`), finite entries, and that every row
    /// `P[s, a, ·]` and `p_0` is a probability distribution (non-negative, summing to one within
    /// `1e-5`).
    pub fn validate(&self) -> Result<(), TabularError> {
        let (s, a, s2) = self.transitions.dim();
        let bad = |msg: String| Err(TabularError::InvalidMdp(msg));
        if s == 0 || a == 0 {
            return bad(format!("{s} states and {a} actions; both must be positive"));
        }
        if s2 != s {
            return Err(shape("transitions", self.transitions.shape(), &[s, a, s]));
        }
        if self.reward.dim() != (s, a) {
            return Err(shape("reward", self.reward.shape(), &[s, a]));
        }
        if self.features.nrows() != s {
            let k = self.features.ncols();
            return Err(shape("features", self.features.shape(), &[s, k]));
        }
        if self.initial.len() != s {
            return Err(shape("initial", self.initial.shape(), &[s]));
        }
        if self.horizon == 0 {
            return bad("horizon is zero".into());
        }
        if self.width == 0 || s % self.width != 0 {
            return bad(format!("width {} does not divide {s} states", self.width));
        }
        if self.reward.iter().any(|r| !r.is_finite()) {
            return bad("reward has a non-finite entry".into());
        }
        if self.features.iter().any(|f| !f.is_finite()) {
            return bad("features have a non-finite entry".into());
        }
        for ((from, action), row) in self
            .transitions
            .lanes(Axis(2))
            .into_iter()
            .enumerate()
            .map(|(i, row)| ((i / a, i % a), row))
        {
            check_distribution(row.iter().copied())
                .map_err(|e| TabularError::InvalidMdp(format!("P[{from}, {action}, ·] {e}")))?;
        }
        check_distribution(self.initial.iter().copied())
            .map_err(|e| TabularError::InvalidMdp(format!("initial distribution {e}")))
    }
}

/// Checks that `p` is non-negative, finite and sums to one.
fn check_distribution(p: impl Iterator<Item = f32>) -> Result<(), String> {
    let mut sum = 0.0f64;
    for x in p {
        if !(x.is_finite() && x >= 0.0) {
            return Err(format!("has the entry {x}, which is not a probability"));
        }
        sum += f64::from(x);
    }
    if (sum - 1.0).abs() > SUM_TOLERANCE {
        return Err(format!("sums to {sum}, not 1"));
    }
    Ok(())
}

fn shape(what: &'static str, got: &[usize], expected: &[usize]) -> TabularError {
    TabularError::Shape {
        what,
        got: got.to_vec(),
        expected: expected.to_vec(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two states in one row, two actions: action `a` moves to state `a`.
    fn two_state() -> Mdp {
        let mut transitions = Array3::zeros((2, 2, 2));
        for s in 0..2 {
            for a in 0..2 {
                transitions[[s, a, a]] = 1.0;
            }
        }
        Mdp {
            transitions,
            reward: Array2::zeros((2, 2)),
            features: Array2::eye(2),
            initial: Array1::from(vec![0.5, 0.5]),
            horizon: 3,
            width: 2,
        }
    }

    #[test]
    fn a_well_formed_mdp_validates() {
        let m = two_state();
        assert_eq!(m.validate(), Ok(()));
        assert_eq!(
            (m.num_states(), m.num_actions(), m.num_features()),
            (2, 2, 2)
        );
        assert_eq!(m.height(), 1);
        assert_eq!(m.state_of(&m.observation(1, 2)), Some(1));
        assert_eq!(m.state_of(&[1.0, 0.0, 0.0]), None);
    }

    #[test]
    fn validate_finds_each_kind_of_defect() {
        let mut m = two_state();
        m.transitions[[1, 0, 1]] = 0.5;
        assert!(
            matches!(m.validate(), Err(TabularError::InvalidMdp(msg)) if msg.contains("P[1, 0, ·]"))
        );

        let mut m = two_state();
        m.transitions[[0, 1, 0]] = -0.5;
        m.transitions[[0, 1, 1]] = 1.5;
        assert!(m.validate().is_err());

        let mut m = two_state();
        m.initial = Array1::from(vec![0.5, 0.6]);
        assert!(
            matches!(m.validate(), Err(TabularError::InvalidMdp(msg)) if msg.contains("initial"))
        );

        let mut m = two_state();
        m.reward = Array2::zeros((2, 3));
        assert!(matches!(
            m.validate(),
            Err(TabularError::Shape { what: "reward", .. })
        ));

        let mut m = two_state();
        m.features = Array2::zeros((3, 1));
        assert!(matches!(
            m.validate(),
            Err(TabularError::Shape {
                what: "features",
                ..
            })
        ));

        let mut m = two_state();
        m.reward[[0, 0]] = f32::NAN;
        assert!(m.validate().is_err());

        let mut m = two_state();
        m.width = 3;
        assert!(m.validate().is_err());

        let mut m = two_state();
        m.horizon = 0;
        assert!(m.validate().is_err());
    }
}
