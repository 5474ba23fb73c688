//! `costlearn train bc` and `costlearn eval` as a user runs them: the run directory, the rebuilt
//! policy's evaluation, and the one-line errors.

use std::path::Path;
use std::process::Output;
mod common;

use common::{assert_clean_failure, costlearn, stderr};

fn train_bc(env: &str, demos: &str, out: &Path) -> Output {
    costlearn(&[
        "train",
        "bc",
        "--env",
        env,
        "--demos",
        demos,
        "--out",
        out.to_str().unwrap(),
        "--num-demos",
        "6",
        "--epochs",
        "3",
        "--threads",
        "2",
    ])
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_tiny_run_writes_its_files_and_eval_rebuilds_the_same_policy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let res = train_bc("pendulum", "demos/pendulum.npz", &out);
    assert!(res.status.success(), "{}", stderr(&res));
    for file in [
        "config.json",
        "metrics.csv",
        "weights.safetensors",
        "learning_curve.svg",
        "eval.json",
    ] {
        assert!(out.join(file).is_file(), "missing {file}");
    }
    let config = read_json(&out.join("config.json"));
    assert_eq!(config["method"], "bc");
    assert_eq!(config["num_demos"], 6);
    assert_eq!(
        config["standardizer"]["mean"].as_array().unwrap().len(),
        3,
        "pendulum observes 3 features"
    );
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let lines: Vec<&str> = metrics.lines().collect();
    assert_eq!(lines[0], "epoch,train_nll,heldout_nll");
    assert_eq!(lines.len(), 4, "{metrics}");
    let trained = read_json(&out.join("eval.json"));
    assert_eq!(trained["episodes"], 64);
    assert!(trained["normalized_score"].is_f64(), "{trained}");

    // The policy rebuilt from the directory alone acts exactly as the trained one.
    let res = costlearn(&["eval", out.to_str().unwrap(), "--json"]);
    assert!(res.status.success(), "{}", stderr(&res));
    let evaluated: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    for key in ["return_mean", "return_std", "normalized_score"] {
        assert!(evaluated[key].is_f64(), "{key} in {evaluated}");
        assert_eq!(evaluated[key], trained[key], "{key}");
    }
    assert!(evaluated.get("cost_pearson").is_none());

    let res = costlearn(&[
        "eval",
        out.to_str().unwrap(),
        "--episodes",
        "4",
        "--seed",
        "9",
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    let text = String::from_utf8_lossy(&res.stdout);
    assert!(
        text.contains("4 episodes, seed 9") && text.contains("normalised score"),
        "{text}"
    );
}

#[test]
fn discrete_actions_are_cloned_too() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let res = train_bc("gridworld", "demos/gridworld.npz", &out);
    assert!(res.status.success(), "{}", stderr(&res));
    let res = costlearn(&["eval", out.to_str().unwrap(), "--json", "--episodes", "8"]);
    assert!(res.status.success(), "{}", stderr(&res));
    let evaluated: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    assert!(evaluated["return_mean"].is_f64(), "{evaluated}");
}

#[test]
fn mismatched_demos_fail_in_one_line_and_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let res = train_bc("cartpole", "demos/pendulum.npz", &out);
    assert_clean_failure(&res, "demos/pendulum.npz");
    assert!(!out.exists());

    let res = costlearn(&[
        "train",
        "bc",
        "--env",
        "pendulum",
        "--demos",
        "demos/pendulum.npz",
        "--out",
        out.to_str().unwrap(),
        "--num-demos",
        "100000",
    ]);
    assert_clean_failure(&res, "--num-demos");
    assert!(!out.exists());

    // A non-empty output directory is refused before any training.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("notes.txt"), "keep").unwrap();
    let res = train_bc("pendulum", "demos/pendulum.npz", &out);
    assert_clean_failure(&res, "--force");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1);
}

#[test]
fn eval_refuses_a_directory_that_is_not_a_run() {
    let dir = tempfile::tempdir().unwrap();
    let res = costlearn(&["eval", dir.path().to_str().unwrap()]);
    assert_clean_failure(&res, "not a run directory");
    std::fs::write(
        dir.path().join("config.json"),
        "{\"command\": \"train magic\"}",
    )
    .unwrap();
    let res = costlearn(&["eval", dir.path().to_str().unwrap()]);
    assert_clean_failure(&res, "unknown method `magic`");
}

#[test]
fn a_diverging_run_names_its_epoch_and_keeps_its_config_and_metrics() {
    let dir = tempfile::tempdir().unwrap();
    // The shipped demonstrations with one action of 1e30: finite, so the file is valid, and far
    // outside the action box.
    let mut demos = costlearn_envs::demos::load(&common::shipped("pendulum.npz")).unwrap();
    demos.acts[[0, 0, 0]] = 1e30;
    let bad = dir.path().join("bad.npz");
    costlearn_envs::demos::save(&bad, &demos).unwrap();
    let out = dir.path().join("run");
    let res = train_bc("pendulum", bad.to_str().unwrap(), &out);
    let err = stderr(&res);
    assert!(!res.status.success(), "{err}");
    assert!(
        err.contains("warning:") && err.contains("outside the action box of `pendulum`"),
        "{err}"
    );
    assert!(err.contains("diverged at epoch 1"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    for file in ["config.json", "metrics.csv", "weights.safetensors"] {
        assert!(out.join(file).is_file(), "missing {file}");
    }
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    assert!(
        metrics.starts_with("epoch,train_nll,heldout_nll"),
        "{metrics}"
    );
}
