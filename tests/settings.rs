//! Every setting reachable from the command line: `--print-config`, `--config FILE`, `--set
//! key.path=value`, and a run's `config.json` as the file that reproduces it.

mod common;

use common::{assert_clean_failure, costlearn, shipped, stderr};
use std::path::Path;

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// `metrics.csv` without its clock column.
fn metrics_without_time(run: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(run.join("metrics.csv")).unwrap();
    text.lines()
        .map(|line| {
            let mut cells: Vec<&str> = line.split(',').collect();
            cells.remove(2); // wall_s
            cells.join(",")
        })
        .collect()
}

#[test]
fn defaults_to_a_file_to_a_run_and_its_config_json_to_the_same_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let demos = shipped("pendulum.npz");
    let printed = costlearn(&[
        "train",
        "gcl",
        "--env",
        "pendulum",
        "--demos",
        demos.to_str().unwrap(),
        "--print-config",
    ]);
    assert!(printed.status.success(), "{}", stderr(&printed));
    let text = String::from_utf8(printed.stdout).unwrap();
    assert!(text.contains("[learner.gcl]\nalpha = 0.1\n"), "{text}");
    let file = dir.path().join("settings.toml");
    std::fs::write(&file, text).unwrap();

    let first = dir.path().join("first");
    let res = costlearn(&[
        "train",
        "gcl",
        "--config",
        file.to_str().unwrap(),
        "--set",
        "learner.gcl.alpha=0.2",
        "--set",
        "learner.gcl.cost.hidden=[32]",
        "--iterations",
        "2",
        "--num-demos",
        "4",
        "--eval-episodes",
        "0",
        "--threads",
        "2",
        "--out",
        first.to_str().unwrap(),
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    let config = json(&first.join("config.json"));
    assert_eq!(config["settings"]["learner"]["gcl"]["alpha"], 0.2);
    assert_eq!(
        config["settings"]["learner"]["gcl"]["cost"]["hidden"],
        serde_json::json!([32])
    );
    assert_eq!(
        config["learner"]["gcl"]["alpha"], 0.2,
        "the settings are the ones trained with"
    );

    let again = dir.path().join("again");
    let res = costlearn(&[
        "train",
        "gcl",
        "--config",
        first.join("config.json").to_str().unwrap(),
        "--threads",
        "1",
        "--out",
        again.to_str().unwrap(),
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    assert_eq!(metrics_without_time(&first), metrics_without_time(&again));
    assert_eq!(
        json(&again.join("config.json"))["settings"],
        config["settings"]
    );
}

/// `--disc-steps` holds whatever the number of demonstrations: it replaces the pendulum's
/// few-demonstration default instead of being replaced by it.
#[test]
fn disc_steps_given_on_the_command_line_hold_for_any_number_of_demonstrations() {
    let demos = shipped("pendulum.npz");
    let print = |extra: &[&str]| {
        let mut args = vec!["train", "gcl", "--env", "pendulum", "--demos"];
        args.push(demos.to_str().unwrap());
        args.extend_from_slice(extra);
        args.push("--print-config");
        let out = costlearn(&args);
        assert!(out.status.success(), "{}", stderr(&out));
        String::from_utf8(out.stdout).unwrap()
    };
    let default = print(&[]);
    assert!(
        default.contains("[learner.few_demos]\nat_most = 4\ndisc_steps = 30\n"),
        "{default}"
    );
    let given = print(&["--disc-steps", "12"]);
    assert!(given.contains("few_demos = \"none\"\n"), "{given}");
    assert!(given.contains("disc_steps = 12\n"), "{given}");
}

#[test]
fn a_bad_key_or_value_is_refused_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let demos = shipped("pendulum.npz");
    let out = dir.path().join("run");
    let train = |set: &str| {
        costlearn(&[
            "train",
            "bc",
            "--env",
            "pendulum",
            "--demos",
            demos.to_str().unwrap(),
            "--set",
            set,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let res = train("bc.epoch=3");
    assert_clean_failure(&res, "unknown setting `bc.epoch` (did you mean `epochs`?)");
    assert!(
        stderr(&res).contains("batch_size"),
        "the allowed keys are listed"
    );
    assert_clean_failure(&train("bc.epochs=many"), "setting `bc.epochs`");
    assert_clean_failure(&train("epochs"), "key.path=value");
    assert!(!out.exists());
    // Without --env, a --config file must name the task.
    let empty = dir.path().join("empty.toml");
    std::fs::write(&empty, "").unwrap();
    let res = costlearn(&[
        "train",
        "rl",
        "--config",
        empty.to_str().unwrap(),
        "--print-config",
    ]);
    assert_clean_failure(&res, "does not set `env`");
}
