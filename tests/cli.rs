//! The command line as a user runs it: the happy path and every user mistake.

mod common;

use common::{assert_clean_failure, costlearn, stderr};
use std::path::Path;

#[test]
fn envs_lists_the_builtin_tasks() {
    let out = costlearn(&["envs"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8(out.stdout).unwrap();
    for name in ["gridworld", "objectworld"] {
        assert!(table.contains(name), "{name} missing from:\n{table}");
    }
    let json = costlearn(&["envs", "--json"]);
    let rows: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(rows
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["spec"]["name"] == "gridworld"));
}

#[test]
fn record_then_inspect_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grid.npz");
    let file = file.to_str().unwrap();
    let rec = costlearn(&[
        "record",
        "--env",
        "gridworld",
        "--episodes",
        "5",
        "--seed",
        "3",
        "--out",
        file,
    ]);
    assert!(rec.status.success(), "{}", stderr(&rec));

    let out = costlearn(&["inspect", file, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(summary["env"], "gridworld");
    assert_eq!(summary["episodes"], 5);
    assert_eq!(summary["horizon"], 32);
    assert!(summary["return_mean"].as_f64().unwrap().is_finite());

    // The same seed records the same file, whatever the thread count.
    let again = dir.path().join("again.npz");
    let again = again.to_str().unwrap();
    let rec = costlearn(&[
        "record",
        "--env",
        "gridworld",
        "--episodes",
        "5",
        "--seed",
        "3",
        "--out",
        again,
        "--threads",
        "1",
    ]);
    assert!(rec.status.success(), "{}", stderr(&rec));
    let a = costlearn_envs::demos::load(Path::new(file)).unwrap();
    let b = costlearn_envs::demos::load(Path::new(again)).unwrap();
    assert_eq!(a, b);

    let human = costlearn(&["inspect", file]);
    let text = String::from_utf8(human.stdout).unwrap();
    assert!(text.contains("gridworld") && text.contains("±"), "{text}");
}

#[test]
fn every_task_with_an_expert_records_and_inspects() {
    let dir = tempfile::tempdir().unwrap();
    for entry in costlearn_envs::registry::entries() {
        if !entry.has_expert() {
            continue;
        }
        let name = entry.name();
        let file = dir.path().join(format!("{name}.npz"));
        let file = file.to_str().unwrap();
        let rec = costlearn(&["record", "--env", name, "--episodes", "2", "--out", file]);
        assert!(rec.status.success(), "{name}: {}", stderr(&rec));
        let out = costlearn(&["inspect", file, "--json"]);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["env"], name);
        assert_eq!(summary["episodes"], 2);
        assert!(
            summary["return_mean"].as_f64().unwrap().is_finite(),
            "{name}"
        );
    }
}

#[test]
fn record_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("grid.npz");
    std::fs::write(&file, b"precious").unwrap();
    let f = file.to_str().unwrap();
    let out = costlearn(&[
        "record",
        "--env",
        "gridworld",
        "--episodes",
        "2",
        "--out",
        f,
    ]);
    assert_clean_failure(&out, "--force");
    assert_eq!(std::fs::read(&file).unwrap(), b"precious");
    let out = costlearn(&[
        "record",
        "--env",
        "gridworld",
        "--episodes",
        "2",
        "--out",
        f,
        "--force",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn unknown_env_is_a_clean_error() {
    let out = costlearn(&["record", "--env", "no-such-task", "--episodes", "2"]);
    assert_clean_failure(&out, "no-such-task");
    assert!(
        stderr(&out).contains("gridworld"),
        "the error lists the known tasks"
    );
}

#[test]
fn zero_episodes_is_a_clean_error() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.npz");
    let out = costlearn(&[
        "record",
        "--env",
        "gridworld",
        "--episodes",
        "0",
        "--out",
        f.to_str().unwrap(),
    ]);
    assert_clean_failure(&out, "--episodes");
    assert!(!f.exists());
}

#[test]
fn a_missing_output_folder_is_created_and_an_impossible_one_fails_leaving_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let record = |f: &Path| {
        costlearn(&[
            "record",
            "--env",
            "gridworld",
            "--episodes",
            "2",
            "--out",
            f.to_str().unwrap(),
        ])
    };
    let f = dir.path().join("missing").join("x.npz");
    let out = record(&f);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(f.is_file());
    // Under a file there can be no folder.
    let file = dir.path().join("file");
    std::fs::write(&file, b"").unwrap();
    let g = file.join("x.npz");
    assert_clean_failure(&record(&g), "cannot create");
    assert!(!g.exists());
}

#[test]
fn inspect_reports_missing_and_corrupt_files_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("nope.npz");
    assert_clean_failure(
        &costlearn(&["inspect", missing.to_str().unwrap()]),
        "nope.npz",
    );

    let corrupt = dir.path().join("corrupt.npz");
    std::fs::write(&corrupt, b"this is not a zip archive").unwrap();
    assert_clean_failure(
        &costlearn(&["inspect", corrupt.to_str().unwrap()]),
        "corrupt.npz",
    );
}

#[test]
fn a_bad_flag_fails_without_a_panic() {
    let out = costlearn(&["record", "--env", "gridworld", "--episodes", "many"]);
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(
        err.contains("--episodes") && !err.contains("panicked"),
        "{err}"
    );

    let out = costlearn(&["frobnicate"]);
    assert!(!out.status.success());
    assert!(!stderr(&out).contains("panicked"));
}

#[test]
fn every_verb_has_help() {
    for verb in ["envs", "record", "inspect", "render"] {
        let out = costlearn(&[verb, "--help"]);
        assert!(out.status.success(), "{verb} --help failed");
        assert!(String::from_utf8_lossy(&out.stdout).contains("Usage"));
    }
}
