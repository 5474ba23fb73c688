//! A user's own task through every verb of the command line, in-process: the program registers
//! it and runs `costlearn::cli` (what `examples/custom_cli.rs` does), and `record`, `train`, `eval`
//! and `bench` work on it, with normalisation anchors found beside its demonstrations or measured.

#[path = "../examples/task/double_integrator.rs"]
mod double_integrator;

use costlearn::cli::run_from;
use std::path::Path;

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn every_verb_runs_on_a_registered_task_and_scores_it_with_its_own_anchors() {
    double_integrator::register();
    let dir = tempfile::tempdir().unwrap();
    let demos = dir.path().join("demos/di.npz");
    let demos_arg = demos.to_str().unwrap();
    run_from([
        "costlearn",
        "record",
        "--env",
        "double-integrator",
        "--episodes",
        "8",
        "--out",
        demos_arg,
    ])
    .unwrap();
    // `record` wrote the anchors beside the demonstrations: their own return and a random one's.
    let sidecar = dir.path().join("demos/di.anchors.json");
    let anchors = json(&sidecar);
    assert_eq!(anchors["env"], "double-integrator");
    assert_eq!(anchors["episodes"], 8);
    assert!(
        anchors["expert_return_mean"].as_f64().unwrap()
            > anchors["random_return_mean"].as_f64().unwrap()
    );

    let run = dir.path().join("gcl");
    let run_arg = run.to_str().unwrap();
    run_from([
        "costlearn",
        "train",
        "gcl",
        "--env",
        "double-integrator",
        "--demos",
        demos_arg,
        "--iterations",
        "2",
        "--eval-episodes",
        "4",
        "--out",
        run_arg,
    ])
    .unwrap();
    let trained = json(&run.join("eval.json"));
    assert!(trained["normalized_score"].is_f64(), "{trained}");
    assert_eq!(trained["anchors"], sidecar.display().to_string());

    // Without the file beside the demonstrations, `eval` measures the anchors and writes them once.
    std::fs::remove_file(&sidecar).unwrap();
    run_from([
        "costlearn",
        "eval",
        run_arg,
        "--episodes",
        "4",
        "--reopt",
        "--reopt-iterations",
        "1",
    ])
    .unwrap();
    let evaluated = json(&run.join("eval.json"));
    assert!(evaluated["normalized_score"].is_f64(), "{evaluated}");
    assert!(evaluated["reopt_normalized_score"].is_f64(), "{evaluated}");
    assert_eq!(json(&sidecar)["episodes"], 8);

    let suite = dir.path().join("suite.toml");
    std::fs::write(
        &suite,
        format!(
            "name = \"di\"\nseeds = [0]\ndemos = [2]\nalgorithms = [\"bc\", \"gcl\"]\n\
             iterations = 2\nepochs = 2\neval_episodes = 4\n\n[[task]]\nname = \"double-integrator\"\n\
             demo_file = {demos_arg:?}\n"
        ),
    )
    .unwrap();
    let out = dir.path().join("bench");
    run_from([
        "costlearn",
        "bench",
        "--suite",
        suite.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
    .unwrap();
    let report = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(
        report.contains("| double-integrator | expert (anchor) |"),
        "{report}"
    );
    let results = std::fs::read_to_string(out.join("results.csv")).unwrap();
    assert_eq!(results.lines().count(), 3, "{results}");
    assert!(!results.contains(",failed,"), "{results}");
}
