//! Checkpoints of `train rl` and `train gcl`: a resumed run is the uninterrupted run, bit for bit;
//! Ctrl-C stops after a whole iteration and says how to resume; bad resumes get one-line errors.

mod common;

use common::{assert_clean_failure, costlearn, shipped, stderr};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `metrics.csv` without its wall-clock column (the only one that may differ between runs).
fn metrics_without_clock(dir: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(dir.join("metrics.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let clock = header.iter().position(|h| *h == "wall_s").unwrap();
    text.lines()
        .map(|line| {
            line.split(',')
                .enumerate()
                .filter(|(k, _)| *k != clock)
                .map(|(_, cell)| cell)
                .collect::<Vec<_>>()
                .join(",")
        })
        .collect()
}

fn train(args: &[&str], out: &Path, iterations: usize, extra: &[&str]) {
    let iterations = iterations.to_string();
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--out", out.to_str().unwrap(), "--iterations", &iterations]);
    all.extend_from_slice(extra);
    let run = costlearn(&all);
    assert!(run.status.success(), "{}", stderr(&run));
}

/// Trains `iterations` at once and in two parts, and checks both runs wrote the same metrics and
/// the same final weights.
fn resumed_equals_uninterrupted(args: &[&str], first: usize, iterations: usize, files: &[&str]) {
    let dir = tempfile::tempdir().unwrap();
    let (whole, parts) = (dir.path().join("whole"), dir.path().join("parts"));
    train(args, &whole, iterations, &[]);
    train(args, &parts, first, &[]);
    train(args, &parts, iterations, &["--resume"]);
    let rows = metrics_without_clock(&whole);
    assert_eq!(rows.len(), iterations + 1);
    assert_eq!(rows, metrics_without_clock(&parts));
    for file in files {
        assert_eq!(
            std::fs::read(whole.join(file)).unwrap(),
            std::fs::read(parts.join(file)).unwrap(),
            "{file} differs"
        );
    }
}

#[test]
fn a_resumed_rl_run_is_the_uninterrupted_run() {
    let args = [
        "train",
        "rl",
        "--env",
        "pendulum",
        "--eval-episodes",
        "0",
        "--seed",
        "2",
    ];
    resumed_equals_uninterrupted(&args, 2, 4, &["weights.safetensors"]);
}

#[test]
fn a_resumed_gcl_run_is_the_uninterrupted_run() {
    let demos = shipped("pendulum.npz");
    let args = [
        "train",
        "gcl",
        "--env",
        "pendulum",
        "--demos",
        demos.to_str().unwrap(),
        "--num-demos",
        "4",
        "--eval-episodes",
        "0",
        "--seed",
        "3",
    ];
    resumed_equals_uninterrupted(&args, 2, 3, &["weights.safetensors", "cost.safetensors"]);
}

#[test]
fn a_bad_resume_is_refused_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let rl = ["train", "rl", "--env", "pendulum", "--eval-episodes", "0"];

    let mut nothing = rl.to_vec();
    nothing.extend(["--out", out.to_str().unwrap(), "--resume"]);
    assert_clean_failure(&costlearn(&nothing), "no run to resume");

    train(&rl, &out, 1, &[]);
    let mut other_seed = rl.to_vec();
    other_seed.extend([
        "--out",
        out.to_str().unwrap(),
        "--iterations",
        "2",
        "--seed",
        "9",
        "--resume",
    ]);
    assert_clean_failure(&costlearn(&other_seed), "`ppo.seed`");

    let mut done = rl.to_vec();
    done.extend([
        "--out",
        out.to_str().unwrap(),
        "--iterations",
        "1",
        "--resume",
    ]);
    assert_clean_failure(&costlearn(&done), "has done 1 iterations already");

    let mut both = rl.to_vec();
    both.extend(["--out", out.to_str().unwrap(), "--resume", "--force"]);
    let clash = costlearn(&both);
    assert!(!clash.status.success());
    assert!(
        stderr(&clash).contains("cannot be used with"),
        "{}",
        stderr(&clash)
    );
}

#[test]
fn ctrl_c_stops_after_a_whole_iteration_and_the_run_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let child = Command::new(env!("CARGO_BIN_EXE_costlearn"))
        .args([
            "train",
            "rl",
            "--env",
            "pendulum",
            "--iterations",
            "1000",
            "--eval-episodes",
            "0",
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait for the first whole iteration (its metrics row and its checkpoint).
    let start = Instant::now();
    while !out.join("checkpoint").join("complete").is_file() {
        assert!(
            start.elapsed() < Duration::from_secs(120),
            "no checkpoint after two minutes"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let kill = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let ended = child.wait_with_output().unwrap();
    let err = stderr(&ended);
    assert_eq!(ended.status.code(), Some(130), "{err}");
    let line = err
        .lines()
        .find(|l| l.starts_with("interrupted after iteration "))
        .unwrap_or_else(|| panic!("no interruption line in: {err}"));
    assert!(
        line.contains("--resume") && !line.contains("--force"),
        "{line}"
    );
    let done: usize = line["interrupted after iteration ".len()..]
        .split(';')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..1000).contains(&done), "{line}");
    assert_eq!(metrics_without_clock(&out).len(), done + 1);

    let more = (done + 1).to_string();
    let resumed = costlearn(&[
        "train",
        "rl",
        "--env",
        "pendulum",
        "--iterations",
        &more,
        "--eval-episodes",
        "0",
        "--out",
        out.to_str().unwrap(),
        "--resume",
    ]);
    assert!(resumed.status.success(), "{}", stderr(&resumed));
    assert_eq!(metrics_without_clock(&out).len(), done + 2);
}
