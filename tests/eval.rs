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
