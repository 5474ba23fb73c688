//! `costlearn train rl` as a user runs it: the run directory it writes, and its one-line errors.

mod common;

use common::{assert_clean_failure, costlearn, stderr};

#[test]
fn a_tiny_run_writes_config_metrics_weights_and_a_plot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let out_s = out.to_str().unwrap();
    let args = [
        "train",
        "rl",
        "--env",
        "pendulum",
        "--out",
        out_s,
        "--iterations",
        "2",
        "--seed",
        "3",
        "--threads",
        "2",
        "--eval-episodes",
        "8",
    ];
    let run = costlearn(&args);
    assert!(run.status.success(), "{}", stderr(&run));
    assert!(String::from_utf8_lossy(&run.stdout).contains("mean return"));

    let config: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("config.json")).unwrap()).unwrap();
    assert_eq!(config["env"], "pendulum");
    assert_eq!(config["iterations"], 2);
    assert_eq!(config["ppo"]["seed"], 3);
    assert_eq!(config["ppo"]["alpha"], 0.0);

    let csv = std::fs::read_to_string(out.join("metrics.csv")).unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 3, "{csv}");
    assert!(lines[0].starts_with("iteration,env_steps,wall_s,mean_return"));
    let last: Vec<&str> = lines[2].split(',').collect();
    assert_eq!(last[0], "2");
    assert_eq!(last[1], "8000");
    assert!(last[3].parse::<f32>().unwrap().is_finite());

    // The same scalars in a TensorBoard event file, one event per iteration.
    let events = std::fs::read(out.join(costlearn::tensorboard::EVENTS_FILE)).unwrap();
    let events = costlearn::tensorboard::read(&events).unwrap();
    assert_eq!(events.len(), 3, "the file version, then 2 iterations");
    let Some(costlearn::tensorboard::What::Summary(summary)) = &events[2].what else {
        panic!("{:?}", events[2]);
    };
    assert_eq!(events[2].step, 2);
    let header: Vec<&str> = lines[0].split(',').collect();
    let value = |tag: &str| {
        summary
            .value
            .iter()
            .find(|v| v.tag == tag)
            .unwrap()
            .simple_value
    };
    assert_eq!(value("env_steps"), Some(8000.0));
    let mean_return: f32 = last[header.iter().position(|h| *h == "mean_return").unwrap()]
        .parse()
        .unwrap();
    assert_eq!(value("mean_return"), Some(mean_return));

    assert!(
        std::fs::metadata(out.join("weights.safetensors"))
            .unwrap()
            .len()
            > 0
    );
    let svg = std::fs::read_to_string(out.join("learning_curve.svg")).unwrap();
    assert!(svg.starts_with("<svg"));
    let eval: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("eval.json")).unwrap()).unwrap();
    assert_eq!(eval["episodes"], 8);
    assert!(eval["return_mean"].as_f64().unwrap().is_finite());

    // The trained policy records demonstrations, with their anchors; on another task it is refused.
    let demos = dir.path().join("from-rl.npz");
    let record = |env: &str, extra: &[&str]| {
        let mut args = vec![
            "record",
            "--env",
            env,
            "--run",
            out_s,
            "--episodes",
            "4",
            "--out",
            demos.to_str().unwrap(),
            "--force",
        ];
        args.extend_from_slice(extra);
        costlearn(&args)
    };
    let recorded = record("pendulum", &[]);
    assert!(recorded.status.success(), "{}", stderr(&recorded));
    let trajs = costlearn_envs::demos::load(&demos).unwrap();
    assert_eq!((trajs.len(), trajs.spec.name.as_str()), (4, "pendulum"));
    assert!(dir.path().join("from-rl.anchors.json").is_file());
    assert_clean_failure(
        &record("reacher", &[]),
        "trained on `pendulum`, not on `reacher`",
    );

    // With --action-noise the run's mean action acts, with noise of the given spread around it.
    let recorded = record("pendulum", &["--action-noise=0.05"]);
    assert!(recorded.status.success(), "{}", stderr(&recorded));
    let trajs = costlearn_envs::demos::load(&demos).unwrap();
    let policy = costlearn::methods::rebuild(&out).unwrap().policy;
    let (mut sum, mut sq, mut n) = (0.0f64, 0.0f64, 0.0f64);
    for traj in (0..trajs.len()).map(|i| trajs.episode(i)) {
        let steps = traj.acts.nrows();
        let mode = policy
            .mode(traj.obs.slice(ndarray::s![..steps, ..]))
            .unwrap();
        for (u, m) in traj.acts.iter().zip(mode.iter()) {
            let d = f64::from(u - m);
            (sum, sq, n) = (sum + d, sq + d * d, n + 1.0);
        }
    }
    let (mean, std) = (sum / n, (sq / n - (sum / n).powi(2)).sqrt());
    assert!(
        mean.abs() < 0.01 && (std - 0.05).abs() < 0.005,
        "{mean} ± {std}"
    );
    assert_clean_failure(
        &record("pendulum", &["--action-noise=-1"]),
        "--action-noise must be a positive number",
    );

    // The directory is not empty any more.
    assert_clean_failure(&costlearn(&args), "not empty");
    let mut forced = args.to_vec();
    forced.push("--force");
    assert!(costlearn(&forced).status.success());
}

#[test]
fn bad_input_gives_one_line_errors_and_no_directory() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let out_s = out.to_str().unwrap();
    let unknown = costlearn(&["train", "rl", "--env", "nope", "--out", out_s]);
    assert_clean_failure(&unknown, "unknown environment `nope`");
    let discrete = costlearn(&["train", "rl", "--env", "gridworld", "--out", out_s]);
    assert_clean_failure(&discrete, "discrete actions");
    let device = costlearn(&[
        "train", "rl", "--env", "pendulum", "--out", out_s, "--device", "tpu",
    ]);
    assert_clean_failure(&device, "unknown device");
    assert!(!out.exists());
}

/// TensorBoard's own reader reads the event file (`.ci/run` runs it with the `python3` named by
/// `COSTLEARN_TENSORBOARD_PYTHON`, in a virtual environment that has `tensorboard`).
#[test]
#[ignore = "needs Python with the tensorboard package"]
fn tensorboard_reads_the_event_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let run = costlearn(&[
        "train",
        "rl",
        "--env",
        "pendulum",
        "--iterations",
        "3",
        "--eval-episodes",
        "0",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let python = std::env::var("COSTLEARN_TENSORBOARD_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = "import sys\n\
        from tensorboard.backend.event_processing.event_accumulator import EventAccumulator\n\
        ea = EventAccumulator(sys.argv[1]); ea.Reload()\n\
        print(' '.join(f'{e.step}:{e.value!r}' for e in ea.Scalars('mean_return')))\n";
    let read = std::process::Command::new(python)
        .args(["-c", script, out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(read.status.success(), "{}", stderr(&read));
    let csv = costlearn::metrics::read(&out.join("metrics.csv")).unwrap();
    let want: Vec<String> = csv
        .column("iteration")
        .iter()
        .zip(csv.column("mean_return"))
        .map(|(i, r)| format!("{i}:{:?}", f64::from(r as f32)))
        .collect();
    assert_eq!(String::from_utf8_lossy(&read.stdout).trim(), want.join(" "));
}
