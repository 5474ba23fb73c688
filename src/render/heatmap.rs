//! Tabular tasks as a state-visitation heat map: how often the episodes were in each cell, with the
//! sign of the true reward marked in the cells where it is not zero and, for `objectworld`, the
//! objects drawn with their inner (fill) and outer (ring) colours.

use super::palette::{category, heat};
use super::svg::{element, element_with_text, num, Document};
use super::{expect_obs_dim, page, PAGE_WIDTH};
use anyhow::{bail, Result};
use costlearn_envs::tabular::{Mdp, Object};
use costlearn_envs::Trajectories;
use ndarray::Axis;

/// What the heat map needs to know about the grid.
#[derive(Clone, Debug)]
pub struct Grid {
    width: usize,
    height: usize,
    /// True reward of each state, averaged over actions.
    reward: Vec<f32>,
    objects: Vec<Object>,
}

impl Grid {
    /// The grid of `mdp`, with `objects` to draw on it (none for a plain gridworld).
    pub fn new(mdp: &Mdp, objects: Vec<Object>) -> Self {
        Self {
            width: mdp.width,
            height: mdp.height(),
            reward: mdp
                .reward
                .rows()
                .into_iter()
                .map(|r| r.mean().unwrap_or(0.0))
                .collect(),
            objects,
        }
    }

    /// The objects drawn on the grid.
    pub fn objects(&self) -> &[Object] {
        &self.objects
    }

    /// Visits per cell (`row · width + col`) over every observation of every episode.
    pub fn visits(&self, trajs: &Trajectories) -> Result<Vec<usize>> {
        let mut counts = vec![0; self.width * self.height];
        for (e, episode) in trajs.obs.axis_iter(Axis(0)).enumerate() {
            for (t, o) in episode.rows().into_iter().enumerate() {
                let (row, col) = (o[0], o[1]);
                let on_grid = |v: f32, n: usize| v.fract() == 0.0 && v >= 0.0 && (v as usize) < n;
                if !(on_grid(row, self.height) && on_grid(col, self.width)) {
                    bail!(
                        "episode {e}, step {t}: cell ({row}, {col}) is not on the {}×{} grid",
                        self.height,
                        self.width
                    );
                }
                counts[row as usize * self.width + col as usize] += 1;
            }
        }
        Ok(counts)
    }
}

/// Largest side of the grid in pixels.
const GRID_SIZE: f64 = 600.0;
/// Height of the keys below the grid.
const KEY_HEIGHT: f64 = 96.0;

/// Draws the heat map of `trajs` on `grid`.
pub fn draw(grid: &Grid, trajs: &Trajectories, title: &str) -> Result<String> {
    expect_obs_dim(trajs, 3)?;
    let visits = grid.visits(trajs)?;
    let most = visits.iter().copied().max().unwrap_or(0).max(1);
    let cell = GRID_SIZE / grid.width.max(grid.height) as f64;
    let (left, top) = (
        (PAGE_WIDTH - cell * grid.width as f64) / 2.0,
        super::HEADER_HEIGHT + 6.0,
    );
    let marks = if grid.objects.is_empty() {
        "Green + / red −: cells where the true reward is positive / negative."
    } else {
        "Green + / red −: sign of the true reward. Objects: fill = inner colour, ring = outer colour."
    };
    let caption = [
        "Visits per cell, every step of every episode (log scale, darker = more; row 0 at the top).",
        marks,
    ];
    let mut doc = page(
        cell * grid.height as f64 + 12.0 + KEY_HEIGHT,
        title,
        &caption,
    );

    for (s, &count) in visits.iter().enumerate() {
        let (row, col) = (s / grid.width, s % grid.width);
        let (x, y) = (left + col as f64 * cell, top + row as f64 * cell);
        doc.open_group(&[
            ("class", "cell".into()),
            ("data-row", row.to_string()),
            ("data-col", col.to_string()),
            ("data-visits", count.to_string()),
        ]);
        doc.raw(&element_with_text(
            "title",
            &[],
            &format!(
                "row {row}, col {col}: {count} visits, true reward {}",
                grid.reward[s]
            ),
        ));
        doc.raw(&element(
            "rect",
            &[
                ("x", num(x)),
                ("y", num(y)),
                ("width", num(cell)),
                ("height", num(cell)),
                ("fill", heat(shade(count, most))),
                ("stroke", "#d0d0d0".into()),
                ("stroke-width", "0.5".into()),
            ],
        ));
        if cell >= 40.0 {
            let ink = if shade(count, most) > 0.55 {
                "white"
            } else {
                "#555"
            };
            doc.raw(&element_with_text(
                "text",
                &[
                    ("x", num(x + cell * 0.95)),
                    ("y", num(y + cell * 0.92)),
                    ("font-family", "sans-serif".into()),
                    ("font-size", num(cell * 0.2)),
                    ("text-anchor", "end".into()),
                    ("fill", ink.into()),
                ],
                &count.to_string(),
            ));
        }
        doc.close_group();
    }
    for (s, &r) in grid.reward.iter().enumerate() {
        if r != 0.0 {
            let (row, col) = (s / grid.width, s % grid.width);
            let (x, y) = (left + col as f64 * cell, top + row as f64 * cell);
            reward_mark(
                &mut doc,
                x + cell * 0.2,
                y + cell * 0.38,
                cell * 0.4,
                r > 0.0,
            );
        }
    }
    for o in grid.objects() {
        let (cx, cy) = (
            left + (o.col as f64 + 0.5) * cell,
            top + (o.row as f64 + 0.5) * cell,
        );
        doc.raw(&object(cx, cy, cell * 0.26, o.inner, o.outer));
    }
    let key_top = top + cell * grid.height as f64 + 26.0;
    visits_bar(&mut doc, key_top, most);
    if !grid.objects.is_empty() {
        colour_key(&mut doc, key_top + 56.0, grid);
    }
    Ok(doc.finish())
}

/// Where `count` lies between 0 and `most` on a log scale, in `[0, 1]`.
fn shade(count: usize, most: usize) -> f64 {
    (count as f64).ln_1p() / (most.max(1) as f64).ln_1p()
}

/// A `+` (green) or `−` (red) outlined in white so it reads on any shade.
fn reward_mark(doc: &mut Document, x: f64, y: f64, size: f64, positive: bool) {
    let (glyph, colour) = if positive {
        ("+", "#1a9850")
    } else {
        ("−", "#d73027")
    };
    doc.raw(&element_with_text(
        "text",
        &[
            ("class", "reward".into()),
            ("x", num(x)),
            ("y", num(y)),
            ("font-family", "sans-serif".into()),
            ("font-weight", "bold".into()),
            ("font-size", num(size)),
            ("text-anchor", "middle".into()),
            ("fill", colour.into()),
            ("stroke", "white".into()),
            ("stroke-width", num((size / 10.0).max(1.0))),
            ("paint-order", "stroke".into()),
        ],
        glyph,
    ));
}

fn object(cx: f64, cy: f64, r: f64, inner: usize, outer: usize) -> String {
    element(
        "circle",
        &[
            ("class", "object".into()),
            ("cx", num(cx)),
            ("cy", num(cy)),
            ("r", num(r)),
            ("fill", category(inner).into()),
            ("stroke", category(outer).into()),
            ("stroke-width", num(r * 0.55)),
        ],
    )
}

/// The colour scale of the visit counts, from 0 to `most`, labelled at its ends and middle on the
/// same log scale as the cells.
fn visits_bar(doc: &mut Document, top: f64, most: usize) {
    let (width, height, steps) = (300.0, 12.0, 10);
    let left = (PAGE_WIDTH - width) / 2.0;
    for i in 0..steps {
        let u = (i as f64 + 0.5) / steps as f64;
        doc.raw(&element(
            "rect",
            &[
                ("x", num(left + i as f64 * width / steps as f64)),
                ("y", num(top)),
                ("width", num(width / steps as f64 + 0.5)),
                ("height", num(height)),
                ("fill", heat(u)),
            ],
        ));
    }
    let label_y = top + height + 14.0;
    doc.text(left, label_y, 11.0, "start", "0");
    doc.text(left + width, label_y, 11.0, "end", &most.to_string());
    // The count whose shade is 0.5: ln(1 + c) = ½ ln(1 + most).
    let middle = ((most as f64 + 1.0).sqrt() - 1.0).round();
    doc.text(
        left + width / 2.0,
        label_y,
        11.0,
        "middle",
        &format!("{middle}"),
    );
    doc.text(
        left + width / 2.0,
        label_y + 14.0,
        11.0,
        "middle",
        "visits (log scale)",
    );
}

/// Which colour is which, for the objects.
fn colour_key(doc: &mut Document, y: f64, grid: &Grid) {
    let colours = grid
        .objects
        .iter()
        .map(|o| o.inner.max(o.outer) + 1)
        .max()
        .unwrap_or(0);
    let mut x = PAGE_WIDTH / 2.0 - 60.0 * colours as f64;
    for c in 0..colours {
        doc.raw(&element(
            "rect",
            &[
                ("x", num(x)),
                ("y", num(y - 11.0)),
                ("width", "14".into()),
                ("height", "14".into()),
                ("fill", category(c).into()),
            ],
        ));
        doc.text(x + 20.0, y, 12.0, "start", &format!("colour {c}"));
        x += 120.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use costlearn_envs::tabular::GridWorld;
    use costlearn_envs::EnvSpec;
    use ndarray::{Array2, Array3};

    fn trajs(cells: &[(f32, f32)]) -> Trajectories {
        let t = cells.len() - 1;
        let mut obs = Array3::zeros((1, t + 1, 3));
        for (i, &(r, c)) in cells.iter().enumerate() {
            obs[[0, i, 0]] = r;
            obs[[0, i, 1]] = c;
            obs[[0, i, 2]] = i as f32;
        }
        Trajectories {
            spec: EnvSpec {
                name: "gridworld".into(),
                observation_space: costlearn_envs::Space::unbounded(3),
                action_space: costlearn_envs::Space::Discrete { n: 5 },
                horizon: t,
                dt: 1.0,
            },
            obs,
            acts: Array3::zeros((1, t, 1)),
            rews: Array2::zeros((1, t)),
            logp: None,
        }
    }

    #[test]
    fn visits_count_every_observation() {
        let mdp = GridWorld::new().size(3).build().unwrap();
        let grid = Grid::new(&mdp, Vec::new());
        let v = grid
            .visits(&trajs(&[(0.0, 0.0), (0.0, 1.0), (0.0, 1.0), (2.0, 2.0)]))
            .unwrap();
        assert_eq!(v, vec![1, 2, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(grid.reward[8], 1.0);
    }

    #[test]
    fn shades_run_from_zero_to_one_on_a_log_scale() {
        assert_eq!(shade(0, 120), 0.0);
        assert_eq!(shade(120, 120), 1.0);
        assert!((shade(10, 120) - 0.5).abs() < 1e-9);
        assert_eq!(shade(0, 0), 0.0);
    }

    #[test]
    fn cells_off_the_grid_are_errors() {
        let mdp = GridWorld::new().size(3).build().unwrap();
        let grid = Grid::new(&mdp, Vec::new());
        for bad in [(3.0, 0.0), (0.0, -1.0), (0.5, 0.0), (f32::NAN, 0.0)] {
            let err = grid.visits(&trajs(&[(0.0, 0.0), bad])).unwrap_err();
            assert!(err.to_string().contains("not on the 3×3 grid"), "{err}");
        }
    }
}
