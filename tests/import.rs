//! `costlearn import` and bare demo files as a user meets them: another tool's file becomes a demo
//! file with the task's spec, short episodes are named or dropped, and `train` reads a bare file
//! with the spec of `--env`.

mod common;

use common::{assert_clean_failure, costlearn, stderr};
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("envs/tests/fixtures")
        .join(name)
}

fn stdout(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_flat_file_is_imported_with_its_short_episode_named_or_dropped() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("imported/pendulum.npz");
    let input = fixture("import-imitation.npz");
    let args = |extra: &[&str]| {
        let mut args = vec![
            "import",
            "--env",
            "pendulum",
            "--from",
            "flat",
            input.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        costlearn(&args)
    };
    assert_clean_failure(&args(&[]), "episode 3: 150 steps");
    assert!(!out.exists());
    let res = args(&["--drop-short"]);
    assert!(res.status.success(), "{}", stderr(&res));
    assert!(
        stdout(&res).contains("dropped 1 episodes: episode 3"),
        "{}",
        stdout(&res)
    );
    let trajs = costlearn_envs::demos::load(&out).unwrap();
    assert_eq!((trajs.len(), trajs.spec.name.as_str()), (3, "pendulum"));
    assert!(dir.path().join("imported/pendulum.anchors.json").is_file());
    // Once written, the file is not replaced without --force.
    assert_clean_failure(&args(&["--drop-short"]), "exists already");
}

#[test]
fn train_reads_a_bare_file_with_the_tasks_spec_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let run = dir.path().join("run");
    let res = costlearn(&[
        "train",
        "bc",
        "--env",
        "pendulum",
        "--demos",
        fixture("import-bare.npz").to_str().unwrap(),
        "--epochs",
        "2",
        "--eval-episodes",
        "2",
        "--out",
        run.to_str().unwrap(),
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    assert!(stdout(&res).contains("holds no spec: its arrays are read with the spec of `pendulum`"));
    // The wrong task is refused in one line naming the dimensions.
    let res = costlearn(&[
        "train",
        "bc",
        "--env",
        "reacher",
        "--demos",
        fixture("import-bare.npz").to_str().unwrap(),
        "--out",
        dir.path().join("other").to_str().unwrap(),
    ]);
    assert_clean_failure(&res, "but `reacher` has 10 and 2");
}

/// `costlearn import --env pendulum --from FORMAT FIXTURE --out DIR/pendulum.npz --drop-short`:
/// its output, and the episodes of the file it wrote.
fn import_pendulum(format: &str, fixture_name: &str) -> (String, usize) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pendulum.npz");
    let res = costlearn(&[
        "import",
        "--env",
        "pendulum",
        "--from",
        format,
        fixture(fixture_name).to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--drop-short",
    ]);
    assert!(res.status.success(), "{}", stderr(&res));
    (
        stdout(&res),
        costlearn_envs::demos::load(&out).unwrap().len(),
    )
}

#[test]
fn imitations_dataset_folder_is_imported() {
    let (said, episodes) = import_pendulum("imitation", "import-imitation-hf");
    assert!(said.contains("imported 3 episodes of pendulum"), "{said}");
    assert_eq!(episodes, 3);
}

#[cfg(feature = "minari")]
#[test]
fn a_minari_dataset_is_imported() {
    let (said, episodes) = import_pendulum("minari", "import-minari");
    assert!(said.contains("dropped 1 episodes: episode 3"), "{said}");
    assert_eq!(episodes, 3);
}

#[cfg(not(feature = "minari"))]
#[test]
fn minari_without_its_feature_says_how_to_get_it() {
    let res = costlearn(&[
        "import",
        "--env",
        "pendulum",
        "--from",
        "minari",
        fixture("import-minari").to_str().unwrap(),
        "--out",
        "unused.npz",
    ]);
    assert_clean_failure(&res, "--features minari");
}
