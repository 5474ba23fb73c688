//! `costlearn eval` of a `train rl` run: the policy is rebuilt from the directory alone.

mod common;

use common::costlearn;

#[test]
fn an_rl_run_is_rebuilt_and_scored_like_its_own_evaluation() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let out_s = out.to_str().unwrap();
    let res = costlearn(&[
        "train",
        "rl",
        "--env",
        "pendulum",
        "--out",
        out_s,
        "--iterations",
        "1",
        "--eval-episodes",
        "8",
        "--threads",
        "2",
    ]);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let trained: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("eval.json")).unwrap()).unwrap();
    let res = costlearn(&["eval", out_s, "--json", "--episodes", "8"]);
    assert!(
        res.status.success(),
        "{}",
        String::from_utf8_lossy(&res.stderr)
    );
    let evaluated: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    assert_eq!(evaluated["return_mean"], trained["return_mean"]);
    assert!(evaluated["normalized_score"].is_f64(), "{evaluated}");
}

/// A short `train gcl` run on pendulum in a fresh directory.
fn short_gcl_run(dir: &std::path::Path) -> std::path::PathBuf {
    let out = dir.join("gcl");
    let demos = common::shipped("pendulum.npz");
    let res = costlearn(&[
        "train",
        "gcl",
        "--env",
        "pendulum",
        "--demos",
        demos.to_str().unwrap(),
        "--num-demos",
        "8",
        "--iterations",
        "2",
        "--eval-episodes",
        "0",
        "--threads",
        "2",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(res.status.success(), "{}", common::stderr(&res));
    out
}

#[test]
fn a_gcl_run_gets_cost_correlations_a_plot_and_re_optimisation_scores() {
    let dir = tempfile::tempdir().unwrap();
    let out = short_gcl_run(dir.path());
    let out_s = out.to_str().unwrap();

    let res = costlearn(&["eval", out_s, "--json", "--episodes", "4"]);
    assert!(res.status.success(), "{}", common::stderr(&res));
    let evaluated: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    for key in ["cost_pearson", "cost_spearman"] {
        let r = evaluated[key].as_f64().unwrap_or(f64::NAN);
        assert!(r.is_finite() && r.abs() <= 1.0, "{key}: {evaluated}");
    }
    assert!(evaluated.get("reopt_return_mean").is_none(), "{evaluated}");
    let svg = std::fs::read_to_string(out.join("cost_vs_true.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.contains("held-out demos"));

    let res = costlearn(&[
        "eval",
        out_s,
        "--json",
        "--episodes",
        "4",
        "--reopt",
        "--reopt-iterations",
        "2",
    ]);
    assert!(res.status.success(), "{}", common::stderr(&res));
    let evaluated: serde_json::Value = serde_json::from_slice(&res.stdout).unwrap();
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("eval.json")).unwrap()).unwrap();
    assert_eq!(saved, evaluated);
    assert_eq!(evaluated["reopt_changed_env"], "pendulum-heavy");
    for key in [
        "reopt_return_mean",
        "reopt_normalized_score",
        "reopt_changed_return_mean",
        "reopt_changed_normalized_score",
    ] {
        assert!(evaluated[key].is_f64(), "{key}: {evaluated}");
    }

    let res = costlearn(&["eval", out_s, "--reopt", "--changed", "reacher-long"]);
    common::assert_clean_failure(&res, "spaces differ");
}

#[test]
fn reopt_needs_a_learned_cost() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let out_s = out.to_str().unwrap();
    let res = costlearn(&[
        "train",
        "rl",
        "--env",
        "pendulum",
        "--out",
        out_s,
        "--iterations",
        "1",
        "--eval-episodes",
        "0",
        "--threads",
        "2",
    ]);
    assert!(res.status.success(), "{}", common::stderr(&res));
    let res = costlearn(&["eval", out_s, "--reopt", "--episodes", "2"]);
    common::assert_clean_failure(&res, "needs a learned cost");
}
