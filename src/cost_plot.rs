//! `cost_vs_true.svg`: a learned cost next to the true one.
//!
//! - [`scatter_svg`]: learned against true cost of held-out steps, one colour per source of
//!   episodes (continuous tasks);
//! - [`heat_maps_svg`]: cost fields side by side on a grid of cells, each on its own colour scale
//!   (the per-state costs of a tabular task, or a cost over the plane for `navigation`).

use crate::evaluate::held_out::Group;
use crate::plot::{padded_range, COLORS};
use crate::render::palette::viridis;
use crate::render::svg::{element, element_with_text, num};
use crate::render::{page, PAGE_WIDTH};
use anyhow::{anyhow, bail, Result};
use plotters::prelude::*;

/// Name of the plot in a run directory.
pub const COST_PLOT_FILE: &str = "cost_vs_true.svg";
/// Points drawn per group at most (every k-th step beyond that).
const MAX_POINTS: usize = 1500;

/// A scatter of learned (vertical) against true (horizontal) cost of every group's steps. Errors
/// if no step has finite costs.
pub fn scatter_svg(title: &str, groups: &[Group]) -> Result<String> {
    let finite = |&(x, y): &(f64, f64)| x.is_finite() && y.is_finite();
    let series: Vec<Vec<(f64, f64)>> = groups
        .iter()
        .map(|g| {
            let stride = g.truth.len().div_ceil(MAX_POINTS).max(1);
            g.truth
                .iter()
                .zip(&g.learned)
                .step_by(stride)
                .map(|(&t, &l)| (t, l))
                .filter(finite)
                .collect()
        })
        .collect();
    if series.iter().all(Vec::is_empty) {
        bail!("no finite costs to plot for `{title}`");
    }
    let (x_lo, x_hi) = padded_range(series.iter().flatten().map(|p| p.0));
    let (y_lo, y_hi) = padded_range(series.iter().flatten().map(|p| p.1));
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 600)).into_drawing_area();
        let draw_err = |e| anyhow!("cannot draw `{title}`: {e:?}");
        root.fill(&WHITE).map_err(draw_err)?;
        let mut ctx = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
            .map_err(draw_err)?;
        ctx.configure_mesh()
            .x_desc("true cost −r(x, u)")
            .y_desc("learned cost c_θ(x, u)")
            .draw()
            .map_err(draw_err)?;
        for (k, (group, points)) in groups.iter().zip(&series).enumerate() {
            let color = COLORS[k % COLORS.len()];
            ctx.draw_series(
                points
                    .iter()
                    .map(|&p| Circle::new(p, 2, color.mix(0.5).filled())),
            )
            .map_err(draw_err)?
            .label(format!("{} ({} steps)", group.name, group.truth.len()))
            .legend(move |(x, y)| Circle::new((x + 10, y), 4, color.filled()));
        }
        ctx.configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .map_err(draw_err)?;
        root.present().map_err(draw_err)?;
    }
    Ok(svg)
}

/// Values over a grid of `rows × cols` cells, row-major with row 0 at the top.
#[derive(Clone, Debug)]
pub struct Field {
    /// Label above the panel.
    pub name: String,
    /// Rows of cells.
    pub rows: usize,
    /// Columns of cells.
    pub cols: usize,
    /// One value per cell.
    pub values: Vec<f64>,
}

/// Width of the gap between panels, in pixels.
const GAP: f64 = 30.0;

/// Draws `fields` side by side, each on its own viridis scale (dark = its lowest value), with a
/// colour key under each. Errors if a field's values do not fill its grid or are not finite.
pub fn heat_maps_svg(title: &str, caption: &str, fields: &[Field]) -> Result<String> {
    if fields.is_empty() {
        bail!("no cost fields to draw for `{title}`");
    }
    for f in fields {
        if f.rows * f.cols == 0 || f.values.len() != f.rows * f.cols {
            bail!(
                "`{}`: {} values for a {}×{} grid",
                f.name,
                f.values.len(),
                f.rows,
                f.cols
            );
        }
        if f.values.iter().any(|v| !v.is_finite()) {
            bail!("`{}` has non-finite values", f.name);
        }
    }
    let panel = (PAGE_WIDTH - GAP * (fields.len() + 1) as f64) / fields.len() as f64;
    let cell = fields
        .iter()
        .map(|f| panel / f.cols as f64)
        .fold(f64::INFINITY, f64::min)
        .min(
            fields
                .iter()
                .map(|f| 480.0 / f.rows as f64)
                .fold(f64::INFINITY, f64::min),
        );
    let tallest = fields.iter().map(|f| f.rows).max().unwrap_or(0) as f64 * cell;
    let mut doc = page(tallest + 90.0, title, &[caption]);
    let top = crate::render::HEADER_HEIGHT + 24.0;
    for (k, f) in fields.iter().enumerate() {
        let left = GAP + k as f64 * (panel + GAP) + (panel - cell * f.cols as f64) / 2.0;
        let (lo, hi) = f
            .values
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                (lo.min(v), hi.max(v))
            });
        let shade = |v: f64| if hi > lo { (v - lo) / (hi - lo) } else { 0.5 };
        doc.text(
            left + cell * f.cols as f64 / 2.0,
            top - 8.0,
            14.0,
            "middle",
            &f.name,
        );
        doc.open_group(&[("class", "field".into())]);
        for (i, &v) in f.values.iter().enumerate() {
            let (row, col) = (i / f.cols, i % f.cols);
            doc.raw(&element_with_text(
                "rect",
                &[
                    ("class", "cell".into()),
                    ("x", num(left + col as f64 * cell)),
                    ("y", num(top + row as f64 * cell)),
                    ("width", num(cell + 0.3)),
                    ("height", num(cell + 0.3)),
                    ("fill", viridis(shade(v))),
                ],
                &format!("<title>row {row}, col {col}: {v:.4}</title>"),
            ));
        }
        doc.close_group();
        let key_top = top + tallest + 16.0;
        let key_width = (cell * f.cols as f64).min(240.0);
        let key_left = left + (cell * f.cols as f64 - key_width) / 2.0;
        let steps = 12;
        for i in 0..steps {
            let u = (i as f64 + 0.5) / steps as f64;
            doc.raw(&element(
                "rect",
                &[
                    ("x", num(key_left + i as f64 * key_width / steps as f64)),
                    ("y", num(key_top)),
                    ("width", num(key_width / steps as f64 + 0.5)),
                    ("height", "10".into()),
                    ("fill", viridis(u)),
                ],
            ));
        }
        doc.text(key_left, key_top + 24.0, 11.0, "start", &format!("{lo:.3}"));
        doc.text(
            key_left + key_width,
            key_top + 24.0,
            11.0,
            "end",
            &format!("{hi:.3}"),
        );
    }
    Ok(doc.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scatter_names_its_groups_and_needs_finite_points() {
        let group = |name: &str, n: usize| Group {
            name: name.into(),
            learned: (0..n).map(|i| i as f64 * 0.5).collect(),
            truth: (0..n).map(|i| i as f64).collect(),
        };
        let svg = scatter_svg("cost", &[group("demos", 10), group("random", 5000)]).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("demos (10 steps)"));
        assert!(svg.contains("random (5000 steps)"));
        let nan = Group {
            name: "nan".into(),
            learned: vec![f64::NAN],
            truth: vec![1.0],
        };
        assert!(scatter_svg("cost", &[nan]).is_err());
    }

    #[test]
    fn heat_maps_draw_one_cell_per_value_and_check_their_grids() {
        let field = |name: &str| Field {
            name: name.into(),
            rows: 2,
            cols: 3,
            values: vec![0.0, 1.0, 2.0, 3.0, 4.0, 5.0],
        };
        let svg = heat_maps_svg("t", "c", &[field("learned"), field("true")]).unwrap();
        assert_eq!(svg.matches(r#"class="cell""#).count(), 12);
        assert!(svg.contains("learned") && svg.contains("5.000"));
        let mut bad = field("bad");
        bad.values.pop();
        assert!(heat_maps_svg("t", "c", &[bad]).is_err());
    }
}
