//! `costlearn train ebm` on the shipped 2-D datasets: the run folder, its report, and the files
//! the datasets script wrote.

use costlearn::ebm::{read_points, Report, SHIPPED_POINTS};
use costlearn_agents::ebm::Dataset;
use costlearn_envs::episode_rng;
use std::path::Path;

fn shipped(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("demos/{name}.npy"))
}

#[test]
fn the_shipped_datasets_are_what_the_seeded_script_writes() {
    for (i, dataset) in Dataset::ALL.into_iter().enumerate() {
        let points = read_points(&shipped(dataset.name())).unwrap();
        assert_eq!(points.dim(), (SHIPPED_POINTS, 2));
        let again = dataset.sample(SHIPPED_POINTS, &mut episode_rng(0, i as u64));
        assert_eq!(points, again, "{}", dataset.name());
    }
}

#[test]
fn a_run_writes_its_report_picture_and_weights() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let data = shipped("eight_gaussians");
    costlearn::cli::run_from([
        "costlearn",
        "train",
        "ebm",
        "--data",
        data.to_str().unwrap(),
        "--iterations",
        "40",
        "--out",
        out.to_str().unwrap(),
    ])
    .unwrap();
    for file in [
        "config.json",
        "metrics.csv",
        "energy.safetensors",
        "ebm.svg",
    ] {
        assert!(out.join(file).is_file(), "{file}");
    }
    let report: Report =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!((report.points, report.dim), (SHIPPED_POINTS, 2));
    assert_eq!(report.truth.as_deref(), Some("eight_gaussians"));
    let tv = report.total_variation.unwrap();
    assert!((0.0..=1.0).contains(&tv), "{tv}");
    assert!(report.quadrature_log_z.unwrap().is_finite() && report.log_z.is_finite());
    let metrics = costlearn::metrics::read(&out.join("metrics.csv")).unwrap();
    assert_eq!(metrics.rows().len(), 40);
}

#[test]
fn a_file_that_is_not_points_and_a_gpu_are_clear_errors() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.npy");
    std::fs::write(&bad, b"not numpy").unwrap();
    let err = costlearn::cli::run_from([
        "costlearn",
        "train",
        "ebm",
        "--data",
        bad.to_str().unwrap(),
        "--out",
        dir.path().join("run").to_str().unwrap(),
    ])
    .unwrap_err();
    assert!(format!("{err:#}").contains("bad.npy"), "{err:#}");
    let err = costlearn::cli::run_from([
        "costlearn",
        "train",
        "ebm",
        "--data",
        shipped("eight_gaussians").to_str().unwrap(),
        "--device",
        "cuda",
        "--out",
        dir.path().join("run").to_str().unwrap(),
    ])
    .unwrap_err();
    assert!(format!("{err:#}").contains("runs on the CPU"), "{err:#}");
}
