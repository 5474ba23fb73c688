//! Plots of runs as SVG files, drawn with `plotters`.

use anyhow::{anyhow, bail, Result};
use plotters::prelude::*;

/// One named curve of `(x, y)` points, optionally with an interval `[lo, hi]` at each point.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend label.
    pub name: String,
    /// Points in drawing order; non-finite points are skipped.
    pub points: Vec<(f64, f64)>,
    /// The interval `(lo, hi)` drawn at each point, in the order of `points` (empty: none; a
    /// non-finite end draws no interval at its point).
    pub bounds: Vec<(f64, f64)>,
}

impl Series {
    /// A curve through `points` with no intervals.
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        Self {
            name: name.into(),
            points,
            bounds: Vec::new(),
        }
    }

    /// The same curve with the interval `bounds[i] = (lo, hi)` at its `i`-th point.
    pub fn with_bounds(mut self, bounds: Vec<(f64, f64)>) -> Self {
        self.bounds = bounds;
        self
    }

    /// The points with their intervals `(x, lo, y, hi)`, where all are finite.
    fn intervals(&self) -> impl Iterator<Item = (f64, f64, f64, f64)> + '_ {
        self.points
            .iter()
            .zip(&self.bounds)
            .map(|(&(x, y), &(lo, hi))| (x, lo, y, hi))
            .filter(|(x, lo, y, hi)| [x, lo, y, hi].iter().all(|v| v.is_finite()))
    }
}

/// Axis labels and title of a line chart.
#[derive(Clone, Debug)]
pub struct Chart<'a> {
    /// Title above the plot.
    pub title: &'a str,
    /// Label of the horizontal axis.
    pub x_label: &'a str,
    /// Label of the vertical axis.
    pub y_label: &'a str,
    /// A logarithmic horizontal axis (for positive `x` such as demonstration counts).
    pub log_x: bool,
}

/// Colours of successive series (Tableau 10).
pub(crate) const COLORS: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(214, 39, 40),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(255, 127, 14),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// Draws `series` as lines on one chart and returns the SVG document. Errors if no series has a
/// finite point.
pub fn line_chart_svg(chart: &Chart<'_>, series: &[Series]) -> Result<String> {
    let finite = |&(x, y): &(f64, f64)| x.is_finite() && y.is_finite();
    // A log axis draws log₂ x on a linear axis, labelled with x at the powers of 2.
    let log = chart.log_x
        && series
            .iter()
            .flat_map(|s| s.points.iter().filter(|p| finite(p)))
            .all(|p| p.0 > 0.0);
    let series: Vec<Series> = if log {
        series
            .iter()
            .map(|s| Series {
                name: s.name.clone(),
                points: s.points.iter().map(|&(x, y)| (x.log2(), y)).collect(),
                bounds: s.bounds.clone(),
            })
            .collect()
    } else {
        series.to_vec()
    };
    let points: Vec<(f64, f64)> = series
        .iter()
        .flat_map(|s| s.points.iter().copied().filter(finite))
        .collect();
    if points.is_empty() {
        bail!("nothing to plot for `{}`", chart.title);
    }
    let ends = series
        .iter()
        .flat_map(|s| s.intervals().flat_map(|(_, lo, _, hi)| [lo, hi]));
    let (x_lo, x_hi) = padded_range(points.iter().map(|p| p.0));
    let (y_lo, y_hi) = padded_range(points.iter().map(|p| p.1).chain(ends));
    let power_of_two = |v: &f64| {
        let r = v.round();
        if (v - r).abs() < 1e-9 {
            format!("{}", 2f64.powf(r))
        } else {
            String::new()
        }
    };

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (800, 500)).into_drawing_area();
        let draw_err = |e| anyhow!("cannot draw `{}`: {e:?}", chart.title);
        root.fill(&WHITE).map_err(draw_err)?;
        let mut ctx = ChartBuilder::on(&root)
            .caption(chart.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(70)
            .build_cartesian_2d(x_lo..x_hi, y_lo..y_hi)
            .map_err(draw_err)?;
        let mut mesh = ctx.configure_mesh();
        mesh.x_desc(chart.x_label)
            .y_desc(chart.y_label)
            .light_line_style(RGBColor(240, 240, 240));
        if log {
            mesh.x_labels(((x_hi - x_lo).ceil() as usize + 1).max(2))
                .x_label_formatter(&power_of_two);
        }
        mesh.draw().map_err(draw_err)?;
        for (k, s) in series.iter().enumerate() {
            let color = COLORS[k % COLORS.len()];
            ctx.draw_series(LineSeries::new(
                s.points.iter().copied().filter(finite),
                color.stroke_width(2),
            ))
            .map_err(draw_err)?
            .label(s.name.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color));
            ctx.draw_series(s.intervals().map(|(x, lo, y, hi)| {
                ErrorBar::new_vertical(x, lo, y, hi, color.stroke_width(1), 8)
            }))
            .map_err(draw_err)?;
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

/// The range of `values` widened by 5% on each side (by 1 when all values are equal).
pub(crate) fn padded_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    let pad = if hi > lo { 0.05 * (hi - lo) } else { 1.0 };
    (lo - pad, hi + pad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_an_svg_with_the_labels_and_rejects_empty_data() {
        let chart = Chart {
            title: "learning curve",
            x_label: "env steps",
            y_label: "mean return",
            log_x: false,
        };
        let series = Series::new("ppo", vec![(0.0, -1200.0), (1.0, f64::NAN), (2.0, -300.0)]);
        let svg = line_chart_svg(&chart, std::slice::from_ref(&series)).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("learning curve"));
        assert!(svg.contains("env steps") && svg.contains("ppo"));
        let empty = Series::new("none", vec![(f64::NAN, 1.0)]);
        assert!(line_chart_svg(&chart, &[empty]).is_err());

        // A finite interval inside the axes draws its bar; non-finite ones draw nothing.
        let lines = |svg: &str| svg.matches("<line").count() + svg.matches("<polyline").count();
        let with =
            series
                .clone()
                .with_bounds(vec![(-1210.0, -1190.0), (0.0, 1.0), (f64::NAN, -290.0)]);
        assert_eq!(with.intervals().count(), 1);
        let bars = line_chart_svg(&chart, &[with]).unwrap();
        assert!(lines(&bars) > lines(&svg), "no interval drawn");
        let none = series.clone().with_bounds(vec![(f64::NAN, 0.0); 3]);
        assert_eq!(
            lines(&line_chart_svg(&chart, &[none]).unwrap()),
            lines(&svg)
        );
    }
}
