//! Other tools' demonstration layouts: each fixture (written by numpy in that tool's layout, see
//! `fixtures/make_import_fixtures.py`) imports to the shipped pendulum demonstrations it was made
//! from; short episodes, wrong tasks and missing boundaries are refused in one line.

use costlearn_envs::demos::{self, import, DemoError, Layout};
use costlearn_envs::{registry, EnvSpec, Trajectories};
use ndarray::s;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn pendulum() -> EnvSpec {
    registry::lookup("pendulum").unwrap().make().spec().clone()
}

/// The episodes the fixtures were made from.
fn shipped() -> Trajectories {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demos/pendulum.npz");
    demos::load(&path).unwrap().first(3)
}

#[test]
fn a_bare_file_takes_its_spec_from_the_task_and_loads_like_the_original() {
    let path = fixture("import-bare.npz");
    assert!(!demos::has_spec(&path).unwrap());
    let imported = import(&path, Layout::Bare, &pendulum(), false).unwrap();
    assert_eq!(imported.trajs, shipped());
    assert!(imported.notes.is_empty() && imported.dropped.is_empty());
    // Every command reads a bare file through `load_for`, with the task's spec.
    assert_eq!(demos::load_for(&path, &pendulum()).unwrap(), shipped());
    // Without a task there is no spec to take.
    assert!(matches!(
        demos::load(&path),
        Err(DemoError::MissingArray { .. })
    ));
}

#[test]
fn imitations_flat_layout_splits_at_its_indices_and_drops_a_terminated_episode_on_request() {
    let path = fixture("import-imitation.npz");
    let err = import(&path, Layout::Flat, &pendulum(), false).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("episode 3: 150 steps, fewer than the horizon"),
        "{text}"
    );
    assert!(text.contains("--drop-short"), "{text}");
    let imported = import(&path, Layout::Flat, &pendulum(), true).unwrap();
    assert_eq!(imported.trajs, shipped());
    assert_eq!(imported.dropped.len(), 1);
    assert_eq!(imported.dropped[0].0, 3);
}

#[test]
fn sb3s_episode_starts_and_dones_split_the_same_steps() {
    let original = shipped();
    for name in ["import-sb3.npz", "import-dones.npz"] {
        let imported = import(&fixture(name), Layout::Flat, &pendulum(), false).unwrap();
        let trajs = &imported.trajs;
        assert_eq!(trajs.acts, original.acts, "{name}");
        assert_eq!(trajs.rews, original.rews, "{name}");
        let t = original.spec.horizon;
        assert_eq!(
            trajs.obs.slice(s![.., ..t, ..]),
            original.obs.slice(s![.., ..t, ..]),
            "{name}"
        );
        // No final observations in these layouts: the last one is repeated, and a note says so.
        assert_eq!(
            trajs.obs.slice(s![.., t, ..]),
            original.obs.slice(s![.., t - 1, ..]),
            "{name}"
        );
        assert_eq!(imported.notes.len(), 1, "{name}: {:?}", imported.notes);
        assert!(imported.notes[0].contains("last one is repeated"), "{name}");
    }
}

#[test]
fn files_that_do_not_fit_the_task_are_refused_in_one_line() {
    let reacher = registry::lookup("reacher").unwrap().make().spec().clone();
    let err = import(&fixture("import-bare.npz"), Layout::Bare, &reacher, false).unwrap_err();
    assert!(
        err.to_string().contains("but `reacher` has 10 and 2"),
        "{err}"
    );
    // A flat file read as bare, and a bare file read as flat.
    let err = import(&fixture("import-sb3.npz"), Layout::Bare, &pendulum(), false).unwrap_err();
    assert!(err.to_string().contains("import it as `flat`"), "{err}");
    let err = import(
        &fixture("import-bare.npz"),
        Layout::Flat,
        &pendulum(),
        false,
    )
    .unwrap_err();
    assert!(err.to_string().contains("episode boundaries"), "{err}");
    assert_eq!(err.to_string().lines().count(), 1, "{err}");
    assert!(err
        .to_string()
        .starts_with(&fixture("import-bare.npz").display().to_string()));
}

#[cfg(feature = "hf-datasets")]
#[test]
fn imitations_hugging_face_folder_reads_like_its_npz() {
    let dir = fixture("import-imitation-hf");
    let err = import(&dir, Layout::HfDataset, &pendulum(), false).unwrap_err();
    assert!(err.to_string().contains("episode 3: 150 steps"), "{err}");
    let imported = import(&dir, Layout::HfDataset, &pendulum(), true).unwrap();
    assert_eq!(imported.trajs, shipped());
    assert_eq!(imported.dropped.len(), 1);
    assert!(imported.notes.is_empty());
    // A folder that is not a dataset is named.
    let err = import(&fixture("."), Layout::HfDataset, &pendulum(), false).unwrap_err();
    assert!(err.to_string().contains("state.json"), "{err}");
}

#[cfg(feature = "minari")]
#[test]
fn a_minari_dataset_reads_like_the_npz_it_was_made_from() {
    let dir = fixture("import-minari");
    let err = import(&dir, Layout::Minari, &pendulum(), false).unwrap_err();
    assert!(err.to_string().contains("episode 3: 150 steps"), "{err}");
    let imported = import(&dir, Layout::Minari, &pendulum(), true).unwrap();
    assert_eq!(imported.trajs, shipped());
    assert_eq!(imported.dropped.len(), 1);
    // The HDF5 file alone is read as well; a file that is not HDF5 is named.
    let file = dir.join("main_data.hdf5");
    assert_eq!(
        import(&file, Layout::Minari, &pendulum(), true)
            .unwrap()
            .trajs,
        shipped()
    );
    let err = import(
        &fixture("import-bare.npz"),
        Layout::Minari,
        &pendulum(),
        false,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("not the HDF5 file of a Minari dataset"),
        "{err}"
    );
}
