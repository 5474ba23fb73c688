//! The exact check of a 2-D energy: the partition function and the total-variation distance to
//! the true density by midpoint quadrature on a grid.

use crate::gcl::partition::log_sum_exp;
use ndarray::{Array1, Array2};

/// A square grid of `cells × cells` midpoints over `[lo, hi]²`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Grid {
    /// Lower bound of both coordinates.
    pub lo: f32,
    /// Upper bound of both coordinates.
    pub hi: f32,
    /// Cells per axis.
    pub cells: usize,
}

impl Grid {
    /// The grid of `cells` per axis over `[lo, hi]²`.
    pub fn new(lo: f32, hi: f32, cells: usize) -> Self {
        Self { lo, hi, cells }
    }

    /// The midpoints, `[cells², 2]`, row after row (`y` slowest).
    pub fn points(&self) -> Array2<f32> {
        let h = (self.hi - self.lo) / self.cells as f32;
        Array2::from_shape_fn((self.cells * self.cells, 2), |(i, j)| {
            let (row, col) = (i / self.cells, i % self.cells);
            let index = if j == 0 { col } else { row };
            self.lo + (index as f32 + 0.5) * h
        })
    }

    /// The area of one cell.
    pub fn cell_area(&self) -> f64 {
        let h = f64::from(self.hi - self.lo) / self.cells as f64;
        h * h
    }

    /// `log ∫ exp(−E(x)) dx` over the grid, from the energies of its [`Grid::points`].
    pub fn log_partition(&self, energies: &Array1<f64>) -> f64 {
        log_sum_exp(energies.iter().map(|e| -e)) + self.cell_area().ln()
    }

    /// The density `exp(−E)/Z` of the energies, normalised over the grid, at each point.
    pub fn density(&self, energies: &Array1<f64>) -> Array1<f64> {
        let log_z = self.log_partition(energies);
        energies.mapv(|e| (-e - log_z).exp())
    }

    /// `½ ∫ |p − q| dx` of two densities given at the grid points (each normalised over the grid
    /// first, so that mass outside it does not count).
    pub fn total_variation(&self, p: &Array1<f64>, q: &Array1<f64>) -> f64 {
        let area = self.cell_area();
        let (zp, zq) = (p.sum() * area, q.sum() * area);
        0.5 * p
            .iter()
            .zip(q)
            .map(|(a, b)| (a / zp - b / zq).abs())
            .sum::<f64>()
            * area
    }
}
