//! Seeded 2-D datasets whose true densities are known, for training and checking energies.

use costlearn_envs::Rng;
use ndarray::{Array1, Array2, ArrayView2};
use rand::Rng as _;
use rand_distr::{Distribution, StandardNormal};
use std::f64::consts::{PI, TAU};

/// A 2-D distribution with a sampler and its exact density.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dataset {
    /// Eight isotropic Gaussians of standard deviation [`RING_STD`] on the circle of radius
    /// [`RING_RADIUS`], equally weighted.
    EightGaussians,
    /// Uniform over the 8 dark squares of a 4 × 4 checkerboard on `[−2, 2]²`.
    Checkerboard,
}

/// Radius of the ring of [`Dataset::EightGaussians`].
pub const RING_RADIUS: f64 = 2.0;
/// Standard deviation of each Gaussian of [`Dataset::EightGaussians`].
pub const RING_STD: f64 = 0.25;

impl Dataset {
    /// Every dataset, in a fixed order.
    pub const ALL: [Dataset; 2] = [Dataset::EightGaussians, Dataset::Checkerboard];

    /// The dataset's name (`eight_gaussians`, `checkerboard`).
    pub fn name(self) -> &'static str {
        match self {
            Dataset::EightGaussians => "eight_gaussians",
            Dataset::Checkerboard => "checkerboard",
        }
    }

    /// The dataset called `name`.
    pub fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.name() == name)
    }

    /// `n` points, `[n, 2]`.
    pub fn sample(self, n: usize, rng: &mut Rng) -> Array2<f32> {
        let mut out = Array2::zeros((n, 2));
        for mut row in out.rows_mut() {
            let (x, y) = match self {
                Dataset::EightGaussians => {
                    let angle = f64::from(rng.gen_range(0..8u32)) * TAU / 8.0;
                    let (ex, ey): (f64, f64) = (
                        StandardNormal.sample(&mut *rng),
                        StandardNormal.sample(&mut *rng),
                    );
                    (
                        RING_RADIUS * angle.cos() + RING_STD * ex,
                        RING_RADIUS * angle.sin() + RING_STD * ey,
                    )
                }
                Dataset::Checkerboard => {
                    // A square (i, j) of the 4 × 4 board is dark when i + j is even.
                    let square = rng.gen_range(0..8u32);
                    let i = square / 2;
                    let j = 2 * (square % 2) + i % 2;
                    (
                        -2.0 + f64::from(j) + rng.gen::<f64>(),
                        -2.0 + f64::from(i) + rng.gen::<f64>(),
                    )
                }
            };
            row[0] = x as f32;
            row[1] = y as f32;
        }
        out
    }

    /// The true density at each row of `x` `[n, 2]`.
    pub fn density(self, x: ArrayView2<'_, f32>) -> Array1<f64> {
        x.rows()
            .into_iter()
            .map(|row| {
                let (x, y) = (f64::from(row[0]), f64::from(row[1]));
                match self {
                    Dataset::EightGaussians => {
                        let norm = 1.0 / (8.0 * 2.0 * PI * RING_STD * RING_STD);
                        (0..8)
                            .map(|k| {
                                let angle = f64::from(k) * TAU / 8.0;
                                let dx = x - RING_RADIUS * angle.cos();
                                let dy = y - RING_RADIUS * angle.sin();
                                (-(dx * dx + dy * dy) / (2.0 * RING_STD * RING_STD)).exp()
                            })
                            .sum::<f64>()
                            * norm
                    }
                    Dataset::Checkerboard => {
                        if !(-2.0..2.0).contains(&x) || !(-2.0..2.0).contains(&y) {
                            return 0.0;
                        }
                        let (j, i) = ((x + 2.0).floor() as i64, (y + 2.0).floor() as i64);
                        if (i + j) % 2 == 0 {
                            1.0 / 8.0
                        } else {
                            0.0
                        }
                    }
                }
            })
            .collect()
    }
}
