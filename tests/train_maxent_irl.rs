//! `costlearn train maxent-irl` and `costlearn eval` of its runs, as a user runs them.

use std::path::Path;
use std::process::Output;
mod common;

use common::{costlearn, stderr};

fn fit(env: &str, demos: &str, out: &Path) -> Output {
    costlearn(&[
        "train",
        "maxent-irl",
        "--env",
        env,
        "--demos",
        demos,
        "--out",
        out.to_str().unwrap(),
        "--num-demos",
        "16",
        "--l2",
        "0.1",
    ])
}

#[test]
fn a_fit_writes_its_files_and_recovers_a_cost_that_tracks_the_true_one() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let res = fit("objectworld", "demos/objectworld.npz", &out);
    assert!(res.status.success(), "{}", stderr(&res));
    for file in ["config.json", "metrics.csv", "cost.json", "eval.json"] {
        assert!(out.join(file).is_file(), "missing {file}");
    }
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(out.join(name)).unwrap()).unwrap()
    };
    assert_eq!(read("config.json")["method"], "maxent-irl");
    let cost = read("cost.json");
    assert!(!cost["weights"].as_array().unwrap().is_empty());
    assert!(cost["state_cost"].as_array().unwrap().len() > 1);
    let metrics = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    assert!(
        metrics.starts_with("iteration,dual_objective\n0,"),
        "{metrics}"
    );
    let objectives: Vec<f64> = metrics
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(1).unwrap().parse().unwrap())
        .collect();
    assert!(
        objectives.windows(2).all(|w| w[1] >= w[0]),
        "the dual ascends"
    );

    let exact = read("eval.json");
    assert_eq!(exact["episodes"], 0);
    assert!(exact["return_std"].is_null());
    assert!(exact["normalized_score"].as_f64().unwrap() > 0.5, "{exact}");
    assert!(exact["cost_pearson"].as_f64().unwrap() > 0.0, "{exact}");
    assert!(exact["cost_spearman"].as_f64().unwrap() > 0.0, "{exact}");

    let res = costlearn(&["eval", out.to_str().unwrap(), "--json", "--episodes", "16"]);
    assert!(res.status.success(), "{}", stderr(&res));
    let evaluated: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    for key in [
        "return_mean",
        "return_std",
        "normalized_score",
        "cost_pearson",
        "cost_spearman",
    ] {
        assert!(evaluated[key].is_f64(), "{key} in {evaluated}");
    }
    assert_eq!(evaluated["cost_pearson"], exact["cost_pearson"]);
}

#[test]
fn non_tabular_tasks_are_refused_in_one_line_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let res = fit("pendulum", "demos/pendulum.npz", &out);
    let err = stderr(&res);
    assert!(!res.status.success());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error:") && err.contains("tabular"),
        "{err}"
    );
    assert!(!out.exists());

    let res = fit("gridworld", "demos/objectworld.npz", &out);
    let err = stderr(&res);
    assert!(!res.status.success());
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("demos/objectworld.npz"), "{err}");
    assert!(!out.exists());
}

#[test]
fn an_mlp_cost_fit_writes_the_cost_of_every_state() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let res = costlearn(&[
        "train",
        "maxent-irl",
        "--env",
        "objectworld",
        "--demos",
        "demos/objectworld.npz",
        "--out",
        out.to_str().unwrap(),
        "--cost",
        "mlp",
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    let cost: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("cost.json")).unwrap()).unwrap();
    assert!(cost["weights"].as_array().unwrap().is_empty());
    assert_eq!(cost["state_cost"].as_array().unwrap().len(), 256);
    let eval: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("eval.json")).unwrap()).unwrap();
    assert!(eval["cost_pearson"].as_f64().unwrap() > 0.5, "{eval}");
}
