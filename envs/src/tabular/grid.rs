//! Grid dynamics shared by the grid tasks: five moves, walls, and slipping.

use super::error::{invalid, TabularError};
use ndarray::Array3;

/// The five actions of a grid task, in index order. Row 0 is the top of the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Move {
    /// Action 0: stay in place.
    Stay = 0,
    /// Action 1: one row up (row − 1).
    Up = 1,
    /// Action 2: one row down (row + 1).
    Down = 2,
    /// Action 3: one column left (col − 1).
    Left = 3,
    /// Action 4: one column right (col + 1).
    Right = 4,
}

impl Move {
    /// Every move, in index order.
    pub const ALL: [Move; 5] = [Move::Stay, Move::Up, Move::Down, Move::Left, Move::Right];

    /// The cell reached from `(row, col)` on a `height × width` grid; a move into a wall stays put.
    pub fn apply(self, row: usize, col: usize, height: usize, width: usize) -> (usize, usize) {
        match self {
            Move::Stay => (row, col),
            Move::Up => (row.saturating_sub(1), col),
            Move::Down => ((row + 1).min(height - 1), col),
            Move::Left => (row, col.saturating_sub(1)),
            Move::Right => (row, (col + 1).min(width - 1)),
        }
    }
}

/// Number of grid actions.
pub const NUM_MOVES: usize = Move::ALL.len();

/// Checks a slip probability: finite and in `[0, 1]`.
pub(crate) fn check_slip(slip: f32) -> Result<(), TabularError> {
    if (0.0..=1.0).contains(&slip) {
        Ok(())
    } else {
        Err(invalid("slip", format!("must lie in [0, 1], got {slip}")))
    }
}

/// Checks a horizon: at least one step.
pub(crate) fn check_horizon(horizon: usize) -> Result<(), TabularError> {
    if horizon == 0 {
        Err(invalid("horizon", "must be at least 1"))
    } else {
        Ok(())
    }
}

/// `P[s, a, s']` of a `size × size` grid where the chosen move is carried out with probability
/// `1 − slip` and replaced by each of the four other moves with probability `slip / 4`.
pub(crate) fn transitions(size: usize, slip: f32) -> Array3<f32> {
    let n = size * size;
    let mut p = Array3::zeros((n, NUM_MOVES, n));
    let other = slip / (NUM_MOVES - 1) as f32;
    for s in 0..n {
        let (row, col) = (s / size, s % size);
        for chosen in Move::ALL {
            for done in Move::ALL {
                let (r, c) = done.apply(row, col, size, size);
                // P(s'|s,a) = (1 − slip)·[a leads to s'] + slip/4 · Σ_{b ≠ a} [b leads to s']
                p[[s, chosen as usize, r * size + c]] +=
                    if done == chosen { 1.0 - slip } else { other };
            }
        }
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_row_is_a_distribution() {
        for (size, slip) in [(1, 0.3), (4, 0.0), (5, 0.1), (3, 1.0)] {
            let p = transitions(size, slip);
            for row in p.lanes(ndarray::Axis(2)) {
                assert!(row.iter().all(|&x| x >= 0.0));
                assert!(
                    (row.sum() - 1.0).abs() < 1e-6,
                    "{size}, {slip}: {}",
                    row.sum()
                );
            }
        }
    }

    /// A 3×3 grid with slip 0.2 (so 0.05 for each of the four other moves), states numbered
    ///
    /// ```text
    /// 0 1 2
    /// 3 4 5
    /// 6 7 8
    /// ```
    #[test]
    fn slip_semantics_on_a_three_by_three_grid() {
        let p = transitions(3, 0.2);
        let close = |x: f32, y: f32| (x - y).abs() < 1e-6;
        let row = |s: usize, a: Move| p.slice(ndarray::s![s, a as usize, ..]).to_vec();
        // Centre, right: 0.8 to 5, and 0.05 to each of 4 (stay), 1 (up), 7 (down), 3 (left).
        let want = [0.0, 0.05, 0.0, 0.05, 0.05, 0.8, 0.0, 0.05, 0.0];
        assert!(row(4, Move::Right)
            .iter()
            .zip(want)
            .all(|(&a, b)| close(a, b)));
        // Top-left corner, up: the wall keeps it at 0 (0.8), as do slips to stay and left (0.05
        // each): 0.9 at 0; slips down (to 3) and right (to 1) get 0.05 each.
        let want = [0.9, 0.05, 0.0, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0];
        assert!(row(0, Move::Up).iter().zip(want).all(|(&a, b)| close(a, b)));
        // Top-left corner, stay: 0.8 + 0.05 (up) + 0.05 (left) = 0.9 at 0; 0.05 to 3 and to 1.
        assert!(row(0, Move::Stay)
            .iter()
            .zip(want)
            .all(|(&a, b)| close(a, b)));
        // Bottom-middle (7), down: blocked (0.8) + stay slip (0.05) = 0.85 at 7; 0.05 to 4, 6, 8.
        let want = [0.0, 0.0, 0.0, 0.0, 0.05, 0.0, 0.05, 0.85, 0.05];
        assert!(row(7, Move::Down)
            .iter()
            .zip(want)
            .all(|(&a, b)| close(a, b)));
    }

    #[test]
    fn slip_parameter_is_checked() {
        assert!(check_slip(0.0).is_ok() && check_slip(1.0).is_ok());
        assert!(check_slip(-0.1).is_err());
        assert!(check_slip(1.01).is_err());
        assert!(check_slip(f32::NAN).is_err());
    }
}
