//! Observation and action spaces.
//!
//! Every observation and action crosses the [`Env`](crate::Env) boundary as a flat `f32` slice. A
//! [`Space::Box`] of dimension `d` is `d` floats; a [`Space::Discrete`] action is one float holding the
//! index `0..n` (so a batch of discrete actions is still an `[N, 1]` array).

use rand::Rng;
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;

/// The set a vector of observations or actions lives in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Space {
    /// A box `low ≤ x ≤ high` in `R^d`, elementwise; bounds may be infinite.
    Box {
        /// Lower bounds, one per dimension.
        low: Vec<f32>,
        /// Upper bounds, one per dimension.
        high: Vec<f32>,
    },
    /// `n` choices, stored as a single float holding the index.
    Discrete {
        /// Number of choices.
        n: usize,
    },
}

impl Space {
    /// A box with the same bounds `[low, high]` in every one of `dim` dimensions.
    pub fn uniform_box(dim: usize, low: f32, high: f32) -> Self {
        Space::Box {
            low: vec![low; dim],
            high: vec![high; dim],
        }
    }

    /// An unbounded box in `R^dim`.
    pub fn unbounded(dim: usize) -> Self {
        Self::uniform_box(dim, f32::NEG_INFINITY, f32::INFINITY)
    }

    /// Number of floats an element of this space occupies.
    pub fn dim(&self) -> usize {
        match self {
            Space::Box { low, .. } => low.len(),
            Space::Discrete { .. } => 1,
        }
    }

    /// Whether this is a discrete space.
    pub fn is_discrete(&self) -> bool {
        matches!(self, Space::Discrete { .. })
    }

    /// Whether `x` is an element of this space (right length, finite, inside the bounds; an integral
    /// index below `n` for a discrete space).
    pub fn contains(&self, x: &[f32]) -> bool {
        if x.len() != self.dim() || x.iter().any(|v| !v.is_finite()) {
            return false;
        }
        match self {
            Space::Box { low, high } => x
                .iter()
                .zip(low.iter().zip(high))
                .all(|(v, (lo, hi))| lo <= v && v <= hi),
            Space::Discrete { n } => x[0] >= 0.0 && x[0].fract() == 0.0 && (x[0] as usize) < *n,
        }
    }

    /// Draws a uniform sample into `out`. An unbounded side of a box samples from a unit-scale
    /// interval around the finite side (or `[-1, 1]` when both sides are unbounded).
    pub fn sample_into<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f32]) {
        match self {
            Space::Box { low, high } => {
                for ((o, &lo), &hi) in out.iter_mut().zip(low).zip(high) {
                    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
                        (true, true) => (lo, hi),
                        (true, false) => (lo, lo + 1.0),
                        (false, true) => (hi - 1.0, hi),
                        (false, false) => (-1.0, 1.0),
                    };
                    *o = lo + (hi - lo) * rng.gen::<f32>();
                }
            }
            Space::Discrete { n } => out[0] = rng.gen_range(0..*n) as f32,
        }
    }

    /// Checks that the space is well formed: bounds of equal length, `low ≤ high`, no NaN, `n > 0`.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            Space::Box { low, high } => {
                if low.len() != high.len() {
                    return Err(format!(
                        "box bounds have different lengths ({} and {})",
                        low.len(),
                        high.len()
                    ));
                }
                if low.is_empty() {
                    return Err("box has zero dimensions".into());
                }
                if let Some(i) = (0..low.len()).find(|&i| {
                    !matches!(
                        low[i].partial_cmp(&high[i]),
                        Some(Ordering::Less | Ordering::Equal)
                    )
                }) {
                    return Err(format!(
                        "box bound {i} is empty or NaN (low {} > high {})",
                        low[i], high[i]
                    ));
                }
                Ok(())
            }
            Space::Discrete { n: 0 } => Err("discrete space with zero choices".into()),
            Space::Discrete { .. } => Ok(()),
        }
    }
}

impl std::fmt::Display for Space {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Space::Box { low, high } => {
                let (lo, hi) = (low[0], high[0]);
                if low.iter().all(|&l| l == lo) && high.iter().all(|&h| h == hi) {
                    write!(f, "Box({lo}, {hi}, ({},))", low.len())
                } else {
                    write!(f, "Box(({},))", low.len())
                }
            }
            Space::Discrete { n } => write!(f, "Discrete({n})"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn contains_checks_bounds_length_and_finiteness() {
        let b = Space::uniform_box(2, -1.0, 1.0);
        assert!(b.contains(&[0.0, 1.0]));
        assert!(!b.contains(&[0.0, 1.5]));
        assert!(!b.contains(&[0.0]));
        assert!(!b.contains(&[f32::NAN, 0.0]));
        let d = Space::Discrete { n: 3 };
        assert!(d.contains(&[2.0]));
        assert!(!d.contains(&[3.0]));
        assert!(!d.contains(&[0.5]));
        assert!(!d.contains(&[-1.0]));
    }

    #[test]
    fn samples_lie_in_the_space() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
        for space in [Space::uniform_box(3, -2.0, 0.5), Space::Discrete { n: 4 }] {
            let mut x = vec![0.0; space.dim()];
            for _ in 0..100 {
                space.sample_into(&mut rng, &mut x);
                assert!(space.contains(&x), "{space} does not contain {x:?}");
            }
        }
    }

    #[test]
    fn validate_rejects_malformed_spaces() {
        assert!(Space::Discrete { n: 0 }.validate().is_err());
        assert!(Space::Box {
            low: vec![1.0],
            high: vec![0.0]
        }
        .validate()
        .is_err());
        assert!(Space::Box {
            low: vec![0.0, 0.0],
            high: vec![1.0]
        }
        .validate()
        .is_err());
        assert!(Space::Box {
            low: vec![f32::NAN],
            high: vec![1.0]
        }
        .validate()
        .is_err());
        assert!(Space::unbounded(2).validate().is_ok());
    }
}
