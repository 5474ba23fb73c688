//! `objectworld`: the benchmark of Levine, Popović and Koltun 2011 ("Nonlinear Inverse Reinforcement
//! Learning with Gaussian Processes"), as specified by Wulfmeier, Ondruska and Posner 2015 ("Maximum
//! Entropy Deep Inverse Reinforcement Learning", §4.1). The true reward is a nonlinear function of the
//! features, so a linear cost cannot represent it.
//!
//! - States: the `M²` cells of an `M × M` grid (default `M = 16`), `s = row·M + col`.
//! - Actions and dynamics: as in `gridworld` — stay, up, down, left, right, with probability `slip`
//!   (default 0.1) of one of the four other moves instead, walls keep the agent in place.
//! - Objects: `n` objects (default 16) on distinct cells, each with an inner and an outer colour out
//!   of `C` colours (default 2), placed uniformly at random by a ChaCha8 generator seeded with the
//!   layout seed (default 0), or given explicitly with [`ObjectWorld::objects`].
//! - Distances are Euclidean between cell centres, `√(Δrow² + Δcol²)`; "within `d`" means `≤ d`.
//! - True reward (the same for every action): `+1` in cells within distance 3 of an object of outer
//!   colour 0 *and* within distance 2 of an object of outer colour 1; `−1` in cells within distance
//!   3 of outer colour 0 but not within 2 of outer colour 1; `0` elsewhere. (Colours 0 and 1 are the
//!   papers' colours 1 and 2.)
//! - Features (`2C`): `φ[s, 2c]` is the distance from `s` to the nearest object of *inner* colour
//!   `c`, and `φ[s, 2c + 1]` the distance to the nearest object of *outer* colour `c`. When no object
//!   has that colour the feature is `M·√2`, more than any distance on the grid.
//! - `p_0` uniform over all cells; horizon `T = 32`.
//!
//! With the defaults the reward map has 56 cells at `+1`, 86 at `−1` and 114 at `0`.

use super::env::TabularEnv;
use super::error::{invalid, TabularError};
use super::grid::{self, NUM_MOVES};
use super::mdp::Mdp;
use super::policy::TabularPolicy;
use super::task::BuiltinTask;
use crate::registry::EnvEntry;
use crate::seeding::Rng;
use ndarray::{Array1, Array2};
use rand::{Rng as _, SeedableRng};
use std::sync::Arc;

/// Registry name.
pub const NAME: &str = "objectworld";

/// Temperature `α` of the expert's soft value iteration.
///
/// On the default task the expert's exact expected return is 26.12, against −3.75 for the uniformly
/// random policy and 27.89 for the near-deterministic optimum (soft value iteration at `α = 0.001`),
/// while its entropy averages 1.27 nats per step (ln 5 ≈ 1.61 is uniform).
pub const EXPERT_TEMPERATURE: f64 = 0.5;

/// Distance within which outer colour 0 makes a cell rewarding (+1) or penalised (−1).
pub const NEAR_COLOUR_0: f32 = 3.0;
/// Distance within which outer colour 1 turns a cell near outer colour 0 from −1 into +1.
pub const NEAR_COLOUR_1: f32 = 2.0;

/// An object on the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Object {
    /// Row of its cell.
    pub row: usize,
    /// Column of its cell.
    pub col: usize,
    /// Inner colour, `0..C`.
    pub inner: usize,
    /// Outer colour, `0..C`.
    pub outer: usize,
}

/// Builder of an objectworld [`Mdp`].
#[derive(Clone, Debug, PartialEq)]
pub struct ObjectWorld {
    size: usize,
    num_objects: usize,
    num_colours: usize,
    slip: f32,
    horizon: usize,
    layout_seed: u64,
    objects: Option<Vec<Object>>,
}

impl Default for ObjectWorld {
    fn default() -> Self {
        Self {
            size: 16,
            num_objects: 16,
            num_colours: 2,
            slip: 0.1,
            horizon: 32,
            layout_seed: 0,
            objects: None,
        }
    }
}

impl ObjectWorld {
    /// The default task: 16 × 16, 16 objects, 2 colours, slip 0.1, layout seed 0, `T = 32`.
    pub fn new() -> Self {
        Self::default()
    }

    /// Side length `M` of the grid (at least 1).
    pub fn size(mut self, size: usize) -> Self {
        self.size = size;
        self
    }

    /// Number of randomly placed objects (at least 1, at most `M²`). Ignored with [`objects`](Self::objects).
    pub fn num_objects(mut self, n: usize) -> Self {
        self.num_objects = n;
        self
    }

    /// Number of colours `C` (at least 2, since the reward refers to colours 0 and 1).
    pub fn colours(mut self, c: usize) -> Self {
        self.num_colours = c;
        self
    }

    /// Probability that a move is replaced by one of the other four (in `[0, 1]`).
    pub fn slip(mut self, slip: f32) -> Self {
        self.slip = slip;
        self
    }

    /// Horizon `T` (at least 1).
    pub fn horizon(mut self, horizon: usize) -> Self {
        self.horizon = horizon;
        self
    }

    /// Seed of the random object layout.
    pub fn layout_seed(mut self, seed: u64) -> Self {
        self.layout_seed = seed;
        self
    }

    /// Uses exactly these objects instead of a random layout (on distinct cells of the grid, colours
    /// below `C`).
    pub fn objects(mut self, objects: Vec<Object>) -> Self {
        self.objects = Some(objects);
        self
    }

    /// The objects the built task will have: the explicit ones, or the random layout of the seed.
    /// Errors on invalid parameters, as [`build`](Self::build).
    pub fn placed_objects(&self) -> Result<Vec<Object>, TabularError> {
        if self.size == 0 {
            return Err(invalid("size", "the grid needs at least one cell"));
        }
        if self.num_colours < 2 {
            return Err(invalid(
                "colours",
                format!(
                    "the reward needs at least 2 colours, got {}",
                    self.num_colours
                ),
            ));
        }
        let cells = self.size * self.size;
        let objects = match &self.objects {
            Some(objects) => objects.clone(),
            None => {
                if self.num_objects == 0 || self.num_objects > cells {
                    return Err(invalid(
                        "num_objects",
                        format!("must be in 1..={cells}, got {}", self.num_objects),
                    ));
                }
                self.random_layout()
            }
        };
        let mut taken = vec![false; cells];
        for (i, o) in objects.iter().enumerate() {
            if o.row >= self.size || o.col >= self.size {
                return Err(invalid(
                    "objects",
                    format!("object {i} lies off the grid: {o:?}"),
                ));
            }
            if o.inner >= self.num_colours || o.outer >= self.num_colours {
                return Err(invalid(
                    "objects",
                    format!(
                        "object {i} has a colour outside 0..{}: {o:?}",
                        self.num_colours
                    ),
                ));
            }
            let cell = &mut taken[o.row * self.size + o.col];
            if std::mem::replace(cell, true) {
                return Err(invalid(
                    "objects",
                    format!("object {i} shares its cell: {o:?}"),
                ));
            }
        }
        Ok(objects)
    }

    /// `num_objects` distinct cells by a partial Fisher–Yates shuffle, then an inner and an outer
    /// colour for each, all from ChaCha8 seeded with the layout seed.
    fn random_layout(&self) -> Vec<Object> {
        let mut rng = Rng::seed_from_u64(self.layout_seed);
        let mut cells: Vec<usize> = (0..self.size * self.size).collect();
        for i in 0..self.num_objects {
            let j = rng.gen_range(i..cells.len());
            cells.swap(i, j);
        }
        cells[..self.num_objects]
            .iter()
            .map(|&cell| Object {
                row: cell / self.size,
                col: cell % self.size,
                inner: rng.gen_range(0..self.num_colours),
                outer: rng.gen_range(0..self.num_colours),
            })
            .collect()
    }

    /// Builds the MDP. Errors if the size is zero, there are fewer than 2 colours, the object count
    /// is not in `1..=M²`, an explicit object is off the grid, shares a cell or has a colour `≥ C`,
    /// the slip is outside `[0, 1]`, or the horizon is zero.
    pub fn build(&self) -> Result<Mdp, TabularError> {
        let objects = self.placed_objects()?;
        grid::check_slip(self.slip)?;
        grid::check_horizon(self.horizon)?;
        let (m, c) = (self.size, self.num_colours);
        let n = m * m;
        let features = features(m, c, &objects);
        let mut reward = Array2::zeros((n, NUM_MOVES));
        for s in 0..n {
            let near_0 = features[[s, 1]] <= NEAR_COLOUR_0; // outer colour 0
            let near_1 = features[[s, 3]] <= NEAR_COLOUR_1; // outer colour 1
            let r = match (near_0, near_1) {
                (true, true) => 1.0,
                (true, false) => -1.0,
                (false, _) => 0.0,
            };
            reward.row_mut(s).fill(r);
        }
        Ok(Mdp {
            transitions: grid::transitions(m, self.slip),
            reward,
            features,
            initial: Array1::from_elem(n, 1.0 / n as f32),
            horizon: self.horizon,
            width: m,
        })
    }
}

/// `φ [M², 2C]`: for each cell and colour `c`, the distance to the nearest object of inner colour `c`
/// (column `2c`) and of outer colour `c` (column `2c + 1`), or `M·√2` if there is none.
fn features(m: usize, c: usize, objects: &[Object]) -> Array2<f32> {
    let none = m as f32 * std::f32::consts::SQRT_2;
    Array2::from_shape_fn((m * m, 2 * c), |(s, k)| {
        let (row, col) = ((s / m) as f32, (s % m) as f32);
        let colour = k / 2;
        objects
            .iter()
            .filter(|o| {
                if k % 2 == 0 {
                    o.inner == colour
                } else {
                    o.outer == colour
                }
            })
            .map(|o| (row - o.row as f32).hypot(col - o.col as f32))
            .fold(none, f32::min)
    })
}

static TASK: BuiltinTask =
    BuiltinTask::new(NAME, || ObjectWorld::new().build(), EXPERT_TEMPERATURE);

/// The default task's model, built once.
pub fn default_mdp() -> Arc<Mdp> {
    TASK.mdp()
}

/// The default task as an environment.
pub fn make() -> TabularEnv {
    TASK.env()
}

/// The expert of the default task: soft value iteration on the true reward at
/// [`EXPERT_TEMPERATURE`], computed once.
pub fn expert() -> TabularPolicy {
    TASK.expert()
}

/// The registry entry of `objectworld`, with its expert.
pub fn entry() -> EnvEntry {
    TASK.entry("16x16 grid, 16 two-colour objects, reward nonlinear in distance features, T = 32")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(row: usize, col: usize, inner: usize, outer: usize) -> Object {
        Object {
            row,
            col,
            inner,
            outer,
        }
    }

    /// A 9 × 9 grid with one object of outer colour 0 at (4, 4) (inner colour 1) and one of outer
    /// colour 1 at (4, 7) (inner colour 0).
    fn hand_made() -> Mdp {
        ObjectWorld::new()
            .size(9)
            .objects(vec![object(4, 4, 1, 0), object(4, 7, 0, 1)])
            .build()
            .unwrap()
    }

    #[test]
    fn reward_rules_on_a_hand_made_layout() {
        let mdp = hand_made();
        let r = |row: usize, col: usize| mdp.reward[[row * 9 + col, 0]];
        // (4, 6): 2 from outer 0, 1 from outer 1 → +1.
        assert_eq!(r(4, 6), 1.0);
        // (4, 5): 1 from outer 0, 2 from outer 1 (exactly at the boundary) → +1.
        assert_eq!(r(4, 5), 1.0);
        // (4, 4): on outer 0, 3 from outer 1 → −1.
        assert_eq!(r(4, 4), -1.0);
        // (4, 1): 3 from outer 0 (boundary), 6 from outer 1 → −1.
        assert_eq!(r(4, 1), -1.0);
        // (6, 6): √8 ≈ 2.83 from outer 0, √5 ≈ 2.24 from outer 1 → −1.
        assert_eq!(r(6, 6), -1.0);
        // (5, 6): √5 ≈ 2.24 from outer 0, √2 from outer 1 → +1.
        assert_eq!(r(5, 6), 1.0);
        // (4, 8): 4 from outer 0 → 0 although next to outer 1.
        assert_eq!(r(4, 8), 0.0);
        // (0, 0): far from both → 0.
        assert_eq!(r(0, 0), 0.0);
        // (7, 6): √13 ≈ 3.6 from outer 0 → 0.
        assert_eq!(r(7, 6), 0.0);
        // The reward does not depend on the action.
        assert!(mdp
            .reward
            .rows()
            .into_iter()
            .all(|row| row.iter().all(|&x| x == row[0])));
    }

    #[test]
    fn features_are_distances_to_inner_and_outer_colours() {
        let mdp = hand_made();
        assert_eq!(mdp.num_features(), 4);
        // Cell (1, 4): inner 0 is the object at (4, 7), inner 1 and outer 0 the one at (4, 4),
        // outer 1 the one at (4, 7).
        let phi = mdp.features.row(4 + 9);
        let d47 = (9.0f32 + 9.0).sqrt();
        let want = [d47, 3.0, 3.0, d47];
        assert!(
            phi.iter().zip(want).all(|(&a, b)| (a - b).abs() < 1e-6),
            "{phi}"
        );
    }

    #[test]
    fn missing_colours_get_the_cap_distance() {
        let mdp = ObjectWorld::new()
            .size(4)
            .colours(3)
            .objects(vec![object(0, 0, 0, 1)])
            .build()
            .unwrap();
        let cap = 4.0 * std::f32::consts::SQRT_2;
        let phi = mdp.features.row(5);
        assert_eq!(mdp.num_features(), 6);
        assert!((phi[0] - 2f32.sqrt()).abs() < 1e-6 && (phi[3] - 2f32.sqrt()).abs() < 1e-6);
        assert!([1, 2, 4, 5].iter().all(|&k| phi[k] == cap), "{phi}");
        // No object of outer colour 0: no cell is rewarded or penalised.
        assert!(mdp.reward.iter().all(|&r| r == 0.0));
    }

    #[test]
    fn default_layout_is_reproducible_and_non_trivial() {
        let a = ObjectWorld::new().placed_objects().unwrap();
        assert_eq!(a, ObjectWorld::new().placed_objects().unwrap());
        assert_eq!(a.len(), 16);
        assert_ne!(
            a,
            ObjectWorld::new().layout_seed(1).placed_objects().unwrap()
        );
        let mdp = ObjectWorld::new().build().unwrap();
        assert_eq!(mdp.validate(), Ok(()));
        assert_eq!(
            (mdp.num_states(), mdp.num_actions(), mdp.num_features()),
            (256, 5, 4)
        );
        let count = |v: f32| mdp.reward.column(0).iter().filter(|&&r| r == v).count();
        // The counts documented in the module header.
        assert_eq!((count(1.0), count(-1.0), count(0.0)), (56, 86, 114));
    }

    #[test]
    fn bad_parameters_are_errors() {
        let err = |w: ObjectWorld| match w.build() {
            Err(TabularError::InvalidParameter { name, .. }) => name,
            other => panic!("expected an invalid parameter, got {other:?}"),
        };
        assert_eq!(err(ObjectWorld::new().size(0)), "size");
        assert_eq!(err(ObjectWorld::new().colours(1)), "colours");
        assert_eq!(err(ObjectWorld::new().num_objects(0)), "num_objects");
        assert_eq!(
            err(ObjectWorld::new().size(3).num_objects(10)),
            "num_objects"
        );
        assert_eq!(err(ObjectWorld::new().slip(2.0)), "slip");
        assert_eq!(err(ObjectWorld::new().horizon(0)), "horizon");
        let off_grid = ObjectWorld::new().size(4).objects(vec![object(4, 0, 0, 0)]);
        assert_eq!(err(off_grid), "objects");
        let bad_colour = ObjectWorld::new().objects(vec![object(0, 0, 2, 0)]);
        assert_eq!(err(bad_colour), "objects");
        let shared = ObjectWorld::new().objects(vec![object(1, 1, 0, 0), object(1, 1, 1, 1)]);
        assert_eq!(err(shared), "objects");
    }
}
