//! `costlearn train ebm`: the paper's EBM view (§4) on a file of points. The energy `E_θ(x)` and
//! its `log Z` are learned against a Gaussian mixture generator (see [`costlearn_agents::ebm`]);
//! on 2-D points the run checks them exactly on a grid.
//!
//! A run folder holds `config.json`, `metrics.csv` (and its TensorBoard events), the energy's
//! weights `energy.safetensors`, `report.json` (the learned `log Z`, the quadrature value of
//! `log ∫ exp(−E_θ)`, and for a shipped dataset the total-variation distance of `exp(−E_θ)/Z` to
//! the true density) and `ebm.svg`, the learned density, the generator's and the data's side by
//! side.

use crate::cost_plot::{heat_maps_svg, Field};
use crate::progress::Progress;
use crate::run_dir::{CsvRow, RunDir};
use anyhow::{bail, Context, Result};
use costlearn_agents::ebm::{Dataset, EbmConfig, EbmLearner, EbmMetrics, Grid};
use ndarray::{Array1, Array2, Axis};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Iterations of a run by default.
pub const DEFAULT_ITERATIONS: usize = 600;
/// Points in each shipped dataset file (`examples/ebm_datasets.rs` writes them).
pub const SHIPPED_POINTS: usize = 4096;
/// Grid cells per axis of the 2-D checks.
const GRID_CELLS: usize = 160;
/// Grid cells per axis of the picture (a coarser grid keeps the SVG small).
const PICTURE_CELLS: usize = 64;

/// Everything one `train ebm` run needs besides where it goes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The points: a `.npy` array `[n, d]` of float32 or float64.
    pub data: PathBuf,
    /// Iterations (one generator draw, the discriminator's steps and one generator step each).
    pub iterations: usize,
    /// The learner's settings.
    pub ebm: EbmConfig,
}

impl Settings {
    /// The defaults on the points in `data`, seeded with `seed`.
    pub fn new(data: impl Into<PathBuf>, seed: u64) -> Self {
        Self {
            data: data.into(),
            iterations: DEFAULT_ITERATIONS,
            ebm: EbmConfig {
                seed,
                ..EbmConfig::default()
            },
        }
    }
}

/// What a run found, as `report.json` holds it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Points trained on.
    pub points: usize,
    /// Their dimension.
    pub dim: usize,
    /// The learned `log Z`.
    pub log_z: f64,
    /// `log ∫ exp(−E_θ(x)) dx` by midpoint quadrature on the grid (2-D points only).
    pub quadrature_log_z: Option<f64>,
    /// The grid `[lo, hi]²` and its cells per axis (2-D points only).
    pub grid: Option<(f32, f32, usize)>,
    /// The shipped dataset whose true density the file's name gives (`eight_gaussians.npy`).
    pub truth: Option<String>,
    /// `½∫|exp(−E_θ)/Z − p|` against that true density, on the grid.
    pub total_variation: Option<f64>,
    /// Training wall-clock seconds.
    pub wall_s: f64,
}

/// One row of `metrics.csv`.
struct Row {
    metrics: EbmMetrics,
    wall_s: f64,
}

impl CsvRow for Row {
    fn header() -> Vec<&'static str> {
        vec![
            "iteration",
            "wall_s",
            "disc_loss",
            "generator_loss",
            "log_z",
        ]
    }

    fn cells(&self) -> Vec<String> {
        let m = &self.metrics;
        vec![
            m.iteration.to_string(),
            format!("{:.3}", self.wall_s),
            m.disc_loss.to_string(),
            m.generator_loss.to_string(),
            m.log_z.to_string(),
        ]
    }
}

/// Reads the points of a `.npy` file, `[n, d]` of float32 or float64.
pub fn read_points(path: &Path) -> Result<Array2<f32>> {
    let open =
        || std::fs::File::open(path).with_context(|| format!("cannot read {}", path.display()));
    let points = match ndarray_npy::ReadNpyExt::read_npy(open()?) {
        Ok(points) => points,
        Err(_) => {
            let wide: Array2<f64> =
                ndarray_npy::ReadNpyExt::read_npy(open()?).with_context(|| {
                    format!("{} is not a .npy array [n, d] of floats", path.display())
                })?;
            wide.mapv(|v| v as f32)
        }
    };
    Ok(points)
}

/// Writes `points` to a `.npy` file.
pub fn write_points(path: &Path, points: &Array2<f32>) -> Result<()> {
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    ndarray_npy::WriteNpyExt::write_npy(points, file)
        .with_context(|| format!("cannot write {}", path.display()))
}

/// Trains from `settings` into the run folder `out` (`force`: replace what it holds).
pub fn train(settings: &Settings, out: &Path, force: bool, progress: &Progress) -> Result<Report> {
    RunDir::check(out, force)?;
    let data = read_points(&settings.data)?;
    let (points, dim) = data.dim();
    let mut learner = EbmLearner::new(settings.ebm.clone(), data.clone())
        .with_context(|| format!("cannot learn from {}", settings.data.display()))?;
    let run = RunDir::create(out, force)?;
    run.write_config(&serde_json::json!({
        "command": "train ebm",
        "method": "ebm",
        "settings": settings,
    }))?;
    let mut log = run.metrics::<Row>();
    let bar = progress.bar(settings.iterations);
    let start = Instant::now();
    for _ in 0..settings.iterations {
        let metrics = learner.step()?;
        if !metrics.log_z.is_finite() {
            bail!(
                "log Z is {} at iteration {}",
                metrics.log_z,
                metrics.iteration
            );
        }
        log.append(Row {
            metrics,
            wall_s: start.elapsed().as_secs_f64(),
        })?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    let wall_s = start.elapsed().as_secs_f64();
    learner
        .discriminator()
        .params()
        .save(run.file("energy.safetensors"))?;
    let mut report = Report {
        points,
        dim,
        log_z: f64::from(learner.log_z()),
        quadrature_log_z: None,
        grid: None,
        truth: None,
        total_variation: None,
        wall_s,
    };
    if dim == 2 {
        check_on_grid(&learner, &data, &settings.data, &run, &mut report)?;
    }
    run.write_json("report.json", &report)?;
    progress.summary(summary(&report, run.path()));
    Ok(report)
}

/// The report's one-line summary.
fn summary(report: &Report, dir: &Path) -> String {
    let mut line = format!(
        "EBM on {} points of dimension {}: learned log Z {:.3}",
        report.points, report.dim, report.log_z
    );
    if let Some(q) = report.quadrature_log_z {
        line += &format!(", quadrature {q:.3}");
    }
    if let (Some(tv), Some(truth)) = (report.total_variation, &report.truth) {
        line += &format!(", total variation to the true {truth} density {tv:.3}");
    }
    line + &format!(" ({:.1} s); run in {}", report.wall_s, dir.display())
}

/// Quadrature of `log Z`, the distance to a known true density and the picture, on a square grid
/// around the data.
fn check_on_grid(
    learner: &EbmLearner,
    data: &Array2<f32>,
    path: &Path,
    run: &RunDir,
    report: &mut Report,
) -> Result<()> {
    let reach = data.iter().fold(0.0f32, |m, v| m.max(v.abs()));
    let half = (1.25 * reach).max(1.0).ceil();
    let grid = Grid::new(-half, half, GRID_CELLS);
    let points = grid.points();
    let energy = learner.energy(&points)?;
    let density = grid.density(&energy);
    report.quadrature_log_z = Some(grid.log_partition(&energy));
    report.grid = Some((grid.lo, grid.hi, grid.cells));
    let truth = path
        .file_stem()
        .and_then(|s| s.to_str())
        .and_then(Dataset::from_name);
    if let Some(dataset) = truth {
        let p = dataset.density(points.view());
        report.total_variation = Some(grid.total_variation(&density, &p));
        report.truth = Some(dataset.name().to_string());
    }
    let picture = Grid::new(grid.lo, grid.hi, PICTURE_CELLS);
    let at = picture.points();
    let mut fields = vec![
        field("learned exp(−E)/Z", &picture.density(&learner.energy(&at)?)),
        field(
            "generator q",
            &learner
                .generator()
                .snapshot()
                .log_density(at.view())
                .mapv(f64::exp),
        ),
        field("data", &histogram(&picture, data)),
    ];
    if let Some(dataset) = truth {
        fields.push(field("true density", &dataset.density(at.view())));
    }
    let svg = heat_maps_svg(
        "energy-based model",
        &format!(
            "[{}, {}]² on a {}×{} grid; each panel on its own scale",
            picture.lo, picture.hi, picture.cells, picture.cells
        ),
        &fields,
    )?;
    run.write("ebm.svg", svg.as_bytes())
}

/// A grid field with row 0 at the top (the grid's points run from the bottom row up).
fn field(name: &str, values: &Array1<f64>) -> Field {
    let cells = (values.len() as f64).sqrt() as usize;
    let values = values
        .to_shape((cells, cells))
        .expect("a square grid")
        .slice(ndarray::s![..;-1, ..])
        .iter()
        .copied()
        .collect();
    Field {
        name: name.to_string(),
        rows: cells,
        cols: cells,
        values,
    }
}

/// Counts of the points in each cell of `grid`, in the order of its points.
fn histogram(grid: &Grid, data: &Array2<f32>) -> Array1<f64> {
    let mut counts = Array1::zeros(grid.cells * grid.cells);
    let h = (grid.hi - grid.lo) / grid.cells as f32;
    for row in data.axis_iter(Axis(0)) {
        let (col, r) = (
            ((row[0] - grid.lo) / h).floor(),
            ((row[1] - grid.lo) / h).floor(),
        );
        if (0.0..grid.cells as f32).contains(&col) && (0.0..grid.cells as f32).contains(&r) {
            counts[r as usize * grid.cells + col as usize] += 1.0;
        }
    }
    counts
}
