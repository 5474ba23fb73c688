//! Demo files: round trips, every malformed-file error, atomic writes, and numpy interoperability.

use costlearn_envs::demos::{actions_outside_box, load, load_for, save, DemoError};
use costlearn_envs::{episode_rng, EnvSpec, Space, Trajectories};
use ndarray::{Array, Array1, Array2, Array3};
use ndarray_npy::{NpzWriter, WriteNpzError};
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

const N: usize = 3;
const T: usize = 5;

fn toy_spec() -> EnvSpec {
    EnvSpec {
        name: "toy".into(),
        observation_space: Space::uniform_box(3, -1.0, 1.0),
        action_space: Space::uniform_box(2, -2.0, 2.0),
        horizon: T,
        dt: 0.05,
    }
}

fn discrete_spec() -> EnvSpec {
    EnvSpec {
        name: "toy-grid".into(),
        observation_space: Space::unbounded(2),
        action_space: Space::Discrete { n: 4 },
        horizon: T,
        dt: 1.0,
    }
}

/// `n` episodes with distinct, seeded values; actions are drawn from the action space.
fn trajs(spec: &EnvSpec, n: usize, with_logp: bool) -> Trajectories {
    let (t, od, ad) = (spec.horizon, spec.obs_dim(), spec.act_dim());
    let mut acts = Array3::zeros((n, t, ad));
    for i in 0..n {
        let mut rng = episode_rng(7, i as u64);
        for s in 0..t {
            let mut u = vec![0.0; ad];
            spec.action_space.sample_into(&mut rng, &mut u);
            for (k, v) in u.into_iter().enumerate() {
                acts[[i, s, k]] = v;
            }
        }
    }
    Trajectories {
        spec: spec.clone(),
        obs: Array3::from_shape_fn((n, t + 1, od), |(i, s, k)| {
            (i as f32) - 0.25 * s as f32 + 0.01 * k as f32
        }),
        acts,
        rews: Array2::from_shape_fn((n, t), |(i, s)| -((i * t + s) as f32) / 7.0),
        logp: with_logp.then(|| Array2::from_shape_fn((n, t), |(i, s)| -1.5 - (i + s) as f32)),
    }
}

fn spec_blob(json: &str) -> Array1<u8> {
    Array1::from(json.as_bytes().to_vec())
}

fn spec_json(spec: &EnvSpec) -> String {
    serde_json::json!({ "format": 1, "spec": spec }).to_string()
}

/// Adds arrays to an npz being written.
type AddArrays = fn(&mut NpzWriter<File>) -> Result<(), WriteNpzError>;

/// Writes an npz with arrays chosen by `add`.
fn write_npz(path: &Path, add: impl FnOnce(&mut NpzWriter<File>) -> Result<(), WriteNpzError>) {
    let mut npz = NpzWriter::new(File::create(path).unwrap());
    add(&mut npz).unwrap();
    npz.finish().unwrap();
}

/// Writes `trajs`' arrays directly (no validation), then lets `add` append more.
fn write_parts(
    path: &Path,
    trajs: &Trajectories,
    skip: &str,
    add: impl FnOnce(&mut NpzWriter<File>) -> Result<(), WriteNpzError>,
) {
    write_npz(path, |npz| {
        if skip != "obs" {
            npz.add_array("obs", &trajs.obs)?;
        }
        if skip != "acts" {
            npz.add_array("acts", &trajs.acts)?;
        }
        if skip != "rews" {
            npz.add_array("rews", &trajs.rews)?;
        }
        if skip != "spec" {
            npz.add_array("spec", &spec_blob(&spec_json(&trajs.spec)))?;
        }
        add(npz)
    });
}

fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

/// Loads `path`, expects an error, and checks its message is one line naming the file.
fn load_err(path: &Path) -> DemoError {
    let err = load(path).expect_err("loading should fail");
    let msg = err.to_string();
    assert!(
        msg.starts_with(&path.display().to_string()),
        "message does not start with the path: {msg}"
    );
    assert!(!msg.contains('\n'), "message is not one line: {msg}");
    err
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

// ---------------------------------------------------------------- round trips

#[test]
fn round_trip_box_actions_with_logp() {
    let dir = temp_dir();
    let path = dir.path().join("toy.npz");
    let original = trajs(&toy_spec(), N, true);
    save(&path, &original).unwrap();
    let loaded = load(&path).unwrap();
    assert!(loaded.logp.is_some());
    assert_eq!(loaded, original);
}

#[test]
fn round_trip_box_actions_without_logp() {
    let dir = temp_dir();
    let path = dir.path().join("toy.npz");
    let original = trajs(&toy_spec(), N, false);
    save(&path, &original).unwrap();
    let loaded = load(&path).unwrap();
    assert_eq!(loaded.logp, None);
    assert_eq!(loaded, original);
}

#[test]
fn round_trip_discrete_actions() {
    let dir = temp_dir();
    let path = dir.path().join("grid.npz");
    let original = trajs(&discrete_spec(), 4, true);
    save(&path, &original).unwrap();
    let loaded = load(&path).unwrap();
    assert_eq!(loaded, original);
    assert_eq!(loaded.spec.action_space, Space::Discrete { n: 4 });
}

#[test]
fn save_replaces_an_existing_file() {
    let dir = temp_dir();
    let path = dir.path().join("toy.npz");
    save(&path, &trajs(&toy_spec(), 5, true)).unwrap();
    let second = trajs(&toy_spec(), 2, false);
    save(&path, &second).unwrap();
    assert_eq!(load(&path).unwrap(), second);
    assert_eq!(entries(dir.path()), vec![path]);
}

#[test]
fn files_are_compressed() {
    let dir = temp_dir();
    let path = dir.path().join("zeros.npz");
    let mut t = trajs(&toy_spec(), 200, true);
    t.obs.fill(0.0);
    t.rews.fill(0.0);
    save(&path, &t).unwrap();
    let raw_bytes = 4 * (t.obs.len() + t.acts.len() + t.rews.len() + 200 * T);
    let size = fs::metadata(&path).unwrap().len() as usize;
    assert!(
        size < raw_bytes / 2,
        "{size} bytes for {raw_bytes} bytes of data"
    );
}

// ------------------------------------------------------------ unreadable files

#[test]
fn missing_file_is_reported() {
    let dir = temp_dir();
    let path = dir.path().join("absent.npz");
    let err = load_err(&path);
    assert!(matches!(err, DemoError::Unreadable { .. }), "{err}");
}

#[test]
fn a_file_that_is_not_a_zip_is_reported() {
    let dir = temp_dir();
    let path = dir.path().join("text.npz");
    fs::write(&path, "obs,acts,rews\n1,2,3\n").unwrap();
    let err = load_err(&path);
    assert!(matches!(err, DemoError::CorruptArchive { .. }), "{err}");
}

#[test]
fn a_truncated_archive_is_reported() {
    let dir = temp_dir();
    let path = dir.path().join("cut.npz");
    save(&path, &trajs(&toy_spec(), N, true)).unwrap();
    let bytes = fs::read(&path).unwrap();
    fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let err = load_err(&path);
    assert!(matches!(err, DemoError::CorruptArchive { .. }), "{err}");
    assert!(err.to_string().contains("truncated or corrupt"), "{err}");
}

/// The npy encoding of an array.
fn npy<A: ndarray_npy::WriteNpyExt>(array: &A) -> Vec<u8> {
    let mut bytes = Vec::new();
    array.write_npy(&mut bytes).unwrap();
    bytes
}

/// Writes a zip archive holding exactly `entries`, uncompressed.
fn write_zip(path: &Path, entries: &[(&str, Vec<u8>)]) {
    let mut zip = zip::ZipWriter::new(File::create(path).unwrap());
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in entries {
        zip.start_file(*name, opts).unwrap();
        zip.write_all(bytes).unwrap();
    }
    zip.finish().unwrap();
}

#[test]
fn an_array_with_a_bad_npy_header_is_reported() {
    let dir = temp_dir();
    let path = dir.path().join("header.npz");
    let t = trajs(&toy_spec(), N, false);
    write_zip(
        &path,
        &[
            ("obs.npy", npy(&t.obs)),
            ("acts.npy", b"\x93NUMPY but not really".to_vec()),
            ("rews.npy", npy(&t.rews)),
            ("spec.npy", npy(&spec_blob(&spec_json(&t.spec)))),
        ],
    );
    match load_err(&path) {
        DemoError::CorruptArray { array, .. } => assert_eq!(array, "acts"),
        err => panic!("unexpected error: {err}"),
    }
}

#[test]
fn an_array_with_too_little_or_too_much_data_is_reported() {
    let dir = temp_dir();
    let t = trajs(&toy_spec(), N, false);
    let full = npy(&t.rews);
    let short = full[..full.len() - 4].to_vec();
    let mut long = full.clone();
    long.extend_from_slice(&[0; 4]);
    for (label, rews) in [("short", short), ("long", long)] {
        let path = dir.path().join(format!("{label}.npz"));
        write_zip(
            &path,
            &[
                ("obs.npy", npy(&t.obs)),
                ("acts.npy", npy(&t.acts)),
                ("rews.npy", rews),
                ("spec.npy", npy(&spec_blob(&spec_json(&t.spec)))),
            ],
        );
        match load_err(&path) {
            DemoError::CorruptArray { array, .. } => assert_eq!(array, "rews", "{label}"),
            err => panic!("unexpected error for {label} data: {err}"),
        }
    }
}

#[test]
fn a_header_claiming_an_enormous_array_is_reported_without_allocating_it() {
    let dir = temp_dir();
    let path = dir.path().join("huge.npz");
    let t = trajs(&toy_spec(), N, false);
    // Rewrite the header's shape (3, 5) as (300000000000, 5), taking the extra characters out of
    // the header's space padding so the header length stays valid.
    let bytes = npy(&t.rews);
    // Version 1.0 layout: magic (6 bytes), version (2), header length (2), header text ending in '\n'.
    assert_eq!(bytes[6], 1);
    let end = 10 + bytes[10..].iter().position(|&b| b == b'\n').unwrap();
    let header = std::str::from_utf8(&bytes[10..end]).unwrap();
    let (old, new) = ("'shape': (3, 5)", "'shape': (300000000000, 5)");
    assert!(header.contains(old), "{header}");
    let huge = header.replacen(old, new, 1);
    let huge = huge.trim_end().to_string() + &" ".repeat(header.len() - huge.trim_end().len());
    assert_eq!(huge.len(), header.len());
    let mut rews = bytes[..10].to_vec();
    rews.extend_from_slice(huge.as_bytes());
    rews.extend_from_slice(&bytes[end..]);
    write_zip(
        &path,
        &[
            ("obs.npy", npy(&t.obs)),
            ("acts.npy", npy(&t.acts)),
            ("rews.npy", rews),
            ("spec.npy", npy(&spec_blob(&spec_json(&t.spec)))),
        ],
    );
    match load_err(&path) {
        DemoError::CorruptArray { array, .. } => assert_eq!(array, "rews"),
        err => panic!("unexpected error: {err}"),
    }
}

// ----------------------------------------------------------- missing arrays

#[test]
fn each_missing_array_is_named() {
    let dir = temp_dir();
    let t = trajs(&toy_spec(), N, false);
    for name in ["obs", "acts", "rews", "spec"] {
        let path = dir.path().join(format!("no-{name}.npz"));
        write_parts(&path, &t, name, |_| Ok(()));
        match load_err(&path) {
            DemoError::MissingArray { array, .. } => assert_eq!(array, name),
            err => panic!("unexpected error without `{name}`: {err}"),
        }
    }
}

// ------------------------------------------------------- dtypes and dimensions

#[test]
fn a_float64_array_is_a_wrong_dtype() {
    let dir = temp_dir();
    let path = dir.path().join("f64.npz");
    let t = trajs(&toy_spec(), N, false);
    write_parts(&path, &t, "rews", |npz| {
        npz.add_array("rews", &t.rews.mapv(f64::from))
    });
    let err = load_err(&path);
    match &err {
        DemoError::WrongDtype { array, found, .. } => {
            assert_eq!(array, "rews");
            assert!(found.contains("f8"), "{found}");
        }
        err => panic!("unexpected error: {err}"),
    }
    assert!(err.to_string().contains("float32"), "{err}");
}

#[test]
fn a_spec_that_is_not_uint8_is_a_wrong_dtype() {
    let dir = temp_dir();
    let path = dir.path().join("spec-f32.npz");
    let t = trajs(&toy_spec(), N, false);
    write_parts(&path, &t, "spec", |npz| {
        npz.add_array("spec", &spec_blob(&spec_json(&t.spec)).mapv(f32::from))
    });
    match load_err(&path) {
        DemoError::WrongDtype {
            array, expected, ..
        } => {
            assert_eq!(array, "spec");
            assert_eq!(expected, "uint8");
        }
        err => panic!("unexpected error: {err}"),
    }
}

#[test]
fn a_wrong_number_of_dimensions_is_reported() {
    let dir = temp_dir();
    let path = dir.path().join("ndim.npz");
    let t = trajs(&toy_spec(), N, false);
    write_parts(&path, &t, "rews", |npz| {
        npz.add_array("rews", &t.rews.clone().insert_axis(ndarray::Axis(2)))
    });
    match load_err(&path) {
        DemoError::WrongNdim {
            array,
            found,
            expected,
            ..
        } => assert_eq!((array.as_str(), found, expected), ("rews", 3, 2)),
        err => panic!("unexpected error: {err}"),
    }
}

// ------------------------------------------------------------------- shapes

#[test]
fn an_action_dimension_other_than_the_spec_is_reported() {
    let dir = temp_dir();
    let path = dir.path().join("act-dim.npz");
    let t = trajs(&toy_spec(), N, false);
    write_parts(&path, &t, "acts", |npz| {
        npz.add_array("acts", &Array3::<f32>::zeros((N, T, 1)))
    });
    let err = load_err(&path);
    assert!(matches!(err, DemoError::ShapeMismatch { .. }), "{err}");
    assert_eq!(
        err.to_string(),
        format!(
            "{}: array `acts` has shape [3, 5, 1] but the spec wants [3, 5, 2]",
            path.display()
        )
    );
}

#[test]
fn an_observation_dimension_other_than_the_spec_is_reported() {
    let dir = temp_dir();
    let path = dir.path().join("obs-dim.npz");
    let t = trajs(&toy_spec(), N, false);
    write_parts(&path, &t, "obs", |npz| {
        npz.add_array("obs", &Array3::<f32>::zeros((N, T + 1, 4)))
    });
    match load_err(&path) {
        DemoError::ShapeMismatch {
            array,
            found,
            expected,
            ..
        } => {
            assert_eq!(array, "obs");
            assert_eq!(found, vec![N, T + 1, 4]);
            assert_eq!(expected, vec![N, T + 1, 3]);
        }
        err => panic!("unexpected error: {err}"),
    }
}

#[test]
fn a_horizon_other_than_the_spec_is_reported() {
    let dir = temp_dir();
    let path = dir.path().join("horizon.npz");
    let mut longer = toy_spec();
    longer.horizon = T + 2;
    let t = trajs(&longer, N, false);
    // Arrays for horizon T + 2, spec saying T.
    let mut parts = t.clone();
    parts.spec = toy_spec();
    write_parts(&path, &parts, "", |_| Ok(()));
    match load_err(&path) {
        DemoError::ShapeMismatch {
            array,
            found,
            expected,
            ..
        } => {
            assert_eq!(array, "obs");
            assert_eq!(found, vec![N, T + 3, 3]);
            assert_eq!(expected, vec![N, T + 1, 3]);
        }
        err => panic!("unexpected error: {err}"),
    }
}

#[test]
fn arrays_with_different_episode_counts_are_reported() {
    let dir = temp_dir();
    let t = trajs(&toy_spec(), N, true);
    let cases: [(&str, AddArrays); 3] = [
        ("acts", |npz| {
            npz.add_array("acts", &Array3::<f32>::zeros((N - 1, T, 2)))
        }),
        ("rews", |npz| {
            npz.add_array("rews", &Array2::<f32>::zeros((N + 1, T)))
        }),
        ("logp", |npz| {
            npz.add_array("logp", &Array2::<f32>::zeros((1, T)))
        }),
    ];
    for (name, add) in cases {
        let path = dir.path().join(format!("count-{name}.npz"));
        write_parts(&path, &t, name, add);
        match load_err(&path) {
            DemoError::EpisodeCountMismatch {
                array, expected, ..
            } => {
                assert_eq!(array, name);
                assert_eq!(expected, N);
            }
            err => panic!("unexpected error for `{name}`: {err}"),
        }
    }
}

#[test]
fn a_logp_of_the_wrong_horizon_is_reported() {
    let dir = temp_dir();
    let path = dir.path().join("logp.npz");
    let t = trajs(&toy_spec(), N, false);
    write_parts(&path, &t, "", |npz| {
        npz.add_array("logp", &Array2::<f32>::zeros((N, T + 1)))
    });
    match load_err(&path) {
        DemoError::ShapeMismatch { array, .. } => assert_eq!(array, "logp"),
        err => panic!("unexpected error: {err}"),
    }
}

#[test]
fn zero_episodes_are_refused() {
    let dir = temp_dir();
    let path = dir.path().join("empty.npz");
    let t = trajs(&toy_spec(), 0, false);
    write_parts(&path, &t, "", |_| Ok(()));
    let err = load_err(&path);
    assert!(matches!(err, DemoError::NoEpisodes { .. }), "{err}");
}

// ------------------------------------------------------------ values

#[test]
fn non_finite_values_are_located() {
    let dir = temp_dir();
    let mut t = trajs(&toy_spec(), N, true);
    t.obs[[1, 4, 2]] = f32::NAN;
    t.obs[[2, 0, 0]] = f32::NAN;
    let path = dir.path().join("nan-obs.npz");
    write_parts(&path, &t, "", |_| Ok(()));
    match load_err(&path) {
        DemoError::NonFinite { array, index, .. } => {
            assert_eq!(array, "obs");
            assert_eq!(index, vec![1, 4, 2]);
        }
        err => panic!("unexpected error: {err}"),
    }

    let t = trajs(&toy_spec(), N, true);
    let mut rews = t.rews.clone();
    rews[[2, 3]] = f32::INFINITY;
    let path = dir.path().join("inf-rews.npz");
    write_parts(&path, &t, "rews", |npz| npz.add_array("rews", &rews));
    let err = load_err(&path);
    match &err {
        DemoError::NonFinite {
            array,
            index,
            value,
            ..
        } => {
            assert_eq!(array, "rews");
            assert_eq!(index, &vec![2, 3]);
            assert_eq!(*value, f32::INFINITY);
        }
        err => panic!("unexpected error: {err}"),
    }
    assert!(err.to_string().contains("[2, 3]"), "{err}");

    let mut logp = t.logp.clone().unwrap();
    logp[[0, 1]] = f32::NEG_INFINITY;
    let path = dir.path().join("inf-logp.npz");
    write_parts(&path, &t, "", |npz| npz.add_array("logp", &logp));
    match load_err(&path) {
        DemoError::NonFinite { array, index, .. } => {
            assert_eq!((array.as_str(), index), ("logp", vec![0, 1]))
        }
        err => panic!("unexpected error: {err}"),
    }
}

#[test]
fn invalid_discrete_actions_are_refused() {
    let dir = temp_dir();
    for (bad, label) in [(4.0, "too-large"), (-1.0, "negative"), (1.5, "fractional")] {
        let mut t = trajs(&discrete_spec(), N, false);
        t.acts[[2, 1, 0]] = bad;
        let path = dir.path().join(format!("{label}.npz"));
        write_parts(&path, &t, "", |_| Ok(()));
        match load_err(&path) {
            DemoError::InvalidIndex {
                array,
                index,
                value,
                ..
            } => {
                assert_eq!(array, "acts");
                assert_eq!(index, vec![2, 1, 0]);
                assert_eq!(value, bad);
            }
            err => panic!("unexpected error for {bad}: {err}"),
        }
    }
}

#[test]
fn box_bounds_are_not_enforced() {
    let dir = temp_dir();
    let path = dir.path().join("outside.npz");
    let mut t = trajs(&toy_spec(), N, false);
    t.obs[[0, 0, 0]] = 10.0;
    t.acts[[0, 0, 1]] = -30.0;
    save(&path, &t).unwrap();
    assert_eq!(load(&path).unwrap(), t);
}

// ------------------------------------------------------------------ spec

#[test]
fn spec_that_is_not_json_is_reported() {
    let dir = temp_dir();
    let t = trajs(&toy_spec(), N, false);
    for (label, blob) in [
        ("json", spec_blob("{\"format\": 1, \"spec\": ")),
        ("utf8", Array1::from(vec![0xff, 0xfe, 0x00])),
        (
            "fields",
            spec_blob("{\"format\": 1, \"spec\": {\"name\": \"toy\"}}"),
        ),
        (
            "no-format",
            spec_blob(&serde_json::json!({ "spec": toy_spec() }).to_string()),
        ),
    ] {
        let path = dir.path().join(format!("spec-{label}.npz"));
        write_parts(&path, &t, "spec", |npz| npz.add_array("spec", &blob));
        let err = load_err(&path);
        assert!(
            matches!(err, DemoError::UnreadableSpec { .. }),
            "{label}: {err}"
        );
    }
}

#[test]
fn an_unknown_format_version_is_refused() {
    let dir = temp_dir();
    let path = dir.path().join("v2.npz");
    let t = trajs(&toy_spec(), N, false);
    let json = serde_json::json!({ "format": 2, "spec": toy_spec() }).to_string();
    write_parts(&path, &t, "spec", |npz| {
        npz.add_array("spec", &spec_blob(&json))
    });
    match load_err(&path) {
        DemoError::UnsupportedFormat { found, .. } => assert_eq!(found, 2),
        err => panic!("unexpected error: {err}"),
    }
}

#[test]
fn an_invalid_spec_is_refused() {
    let dir = temp_dir();
    let path = dir.path().join("bad-spec.npz");
    let t = trajs(&toy_spec(), N, false);
    let mut spec = toy_spec();
    spec.action_space = Space::Discrete { n: 0 };
    write_parts(&path, &t, "spec", |npz| {
        npz.add_array("spec", &spec_blob(&spec_json(&spec)))
    });
    let err = load_err(&path);
    assert!(matches!(err, DemoError::InvalidSpec { .. }), "{err}");
    assert!(err.to_string().contains("zero choices"), "{err}");
}

// ---------------------------------------------------------------- load_for

#[test]
fn load_for_accepts_the_matching_env() {
    let dir = temp_dir();
    let path = dir.path().join("toy.npz");
    let t = trajs(&toy_spec(), N, true);
    save(&path, &t).unwrap();
    assert_eq!(load_for(&path, &toy_spec()).unwrap(), t);
}

#[test]
fn load_for_refuses_another_envs_file() {
    let dir = temp_dir();
    let path = dir.path().join("grid.npz");
    save(&path, &trajs(&discrete_spec(), N, false)).unwrap();
    let err = load_for(&path, &toy_spec()).unwrap_err();
    match &err {
        DemoError::WrongEnv {
            found, expected, ..
        } => assert_eq!((found.as_str(), expected.as_str()), ("toy-grid", "toy")),
        err => panic!("unexpected error: {err}"),
    }
    assert!(err.to_string().starts_with(&path.display().to_string()));
}

#[test]
fn load_for_refuses_a_changed_spec() {
    let dir = temp_dir();
    let path = dir.path().join("toy.npz");
    save(&path, &trajs(&toy_spec(), N, false)).unwrap();

    let mut wider = toy_spec();
    wider.action_space = Space::uniform_box(2, -3.0, 3.0);
    let mut longer = toy_spec();
    longer.horizon = T + 1;
    let mut other_obs = toy_spec();
    other_obs.observation_space = Space::unbounded(3);
    let mut slower = toy_spec();
    slower.dt = 0.1;
    for (spec, part) in [
        (wider, "action space"),
        (longer, "horizon"),
        (other_obs, "observation space"),
        (slower, "seconds per step (dt)"),
    ] {
        match load_for(&path, &spec).unwrap_err() {
            DemoError::SpecMismatch { what, .. } => assert_eq!(what, part),
            err => panic!("unexpected error for a changed {part}: {err}"),
        }
    }
}

#[test]
fn actions_far_outside_the_box_are_counted_and_measured() {
    let mut t = trajs(&toy_spec(), N, false);
    assert_eq!(actions_outside_box(&t), None, "sampled from the box");
    t.acts[[0, 1, 0]] = 2.5;
    t.acts[[2, 4, 1]] = -10.0;
    let found = actions_outside_box(&t).unwrap();
    assert_eq!(found.count, 2);
    assert_eq!(found.largest, 8.0);
    assert_eq!(found.largest_in_widths, 2.0, "8 outside a box 4 wide");
    assert_eq!(
        actions_outside_box(&trajs(&discrete_spec(), N, false)),
        None
    );
}

// ----------------------------------------------------------- failed writes

#[test]
fn writing_into_a_missing_directory_fails_cleanly() {
    let dir = temp_dir();
    let path = dir.path().join("missing").join("toy.npz");
    let err = save(&path, &trajs(&toy_spec(), N, false)).unwrap_err();
    assert!(matches!(err, DemoError::NoSuchDirectory { .. }), "{err}");
    assert!(err.to_string().contains("does not exist"), "{err}");
    assert!(entries(dir.path()).is_empty(), "{:?}", entries(dir.path()));
}

#[test]
fn invalid_trajectories_are_not_written() {
    let dir = temp_dir();
    let path = dir.path().join("toy.npz");
    let good = trajs(&toy_spec(), N, true);
    save(&path, &good).unwrap();
    let before = fs::read(&path).unwrap();

    let mut nan = good.clone();
    nan.acts[[0, 2, 1]] = f32::NAN;
    let mut bad_shape = good.clone();
    bad_shape.rews = Array2::zeros((N, T - 1));
    let mut bad_spec = good.clone();
    bad_spec.spec.horizon = 0;
    let mut empty = trajs(&toy_spec(), 0, false);
    empty.spec = toy_spec();
    let cases = [
        (nan, "NonFinite"),
        (bad_shape, "ShapeMismatch"),
        (bad_spec, "InvalidSpec"),
        (empty, "NoEpisodes"),
    ];
    for (t, kind) in cases {
        let err = save(&path, &t).unwrap_err();
        assert!(format!("{err:?}").starts_with(kind), "{kind}: {err:?}");
        // The earlier file is untouched and no temporary file is left.
        assert_eq!(fs::read(&path).unwrap(), before, "{kind}");
        assert_eq!(entries(dir.path()), vec![path.clone()], "{kind}");
    }
    // A fresh destination is not created by a failed save either.
    let fresh = dir.path().join("fresh.npz");
    let mut nan = good.clone();
    nan.obs[[0, 0, 0]] = f32::NAN;
    assert!(save(&fresh, &nan).is_err());
    assert!(!fresh.exists());
}

// --------------------------------------------------------- numpy interop

/// Runs a Python snippet and returns its standard output; fails the test if Python or numpy is
/// missing.
fn python(script: &str, args: &[String]) -> String {
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run python3 ({e}); this test needs python3 with numpy: pip install numpy"
            )
        });
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("No module named 'numpy'"),
        "numpy is missing; this test needs it: pip install numpy"
    );
    assert!(out.status.success(), "python3 failed: {stderr}");
    String::from_utf8(out.stdout).unwrap()
}

/// Needs python3 with numpy, which a machine with only cargo lacks: `.ci/run` installs numpy and
/// runs it (`cargo test --release -p costlearn-envs --test demos -- --ignored numpy`).
#[test]
#[ignore = "needs python3 with numpy; .ci/run installs numpy and runs it"]
fn numpy_reads_a_costlearn_file() {
    let dir = temp_dir();
    let path = dir.path().join("toy.npz");
    let t = trajs(&toy_spec(), N, true);
    save(&path, &t).unwrap();
    let script = r#"
import json, sys
import numpy as np
with np.load(sys.argv[1]) as f:
    for name in sorted(f.files):
        a = f[name]
        print(name, a.dtype, list(a.shape))
    print("obs[1,2,0]", repr(float(f["obs"][1, 2, 0])))
    print("acts_sum", repr(float(f["acts"].astype(np.float64).sum())))
    header = json.loads(f["spec"].tobytes())
    print("format", header["format"])
    spec = header["spec"]
    print("spec", spec["name"], spec["horizon"], spec["action_space"]["kind"])
"#;
    let out = python(script, &[path.display().to_string()]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..4],
        [
            "acts float32 [3, 5, 2]",
            "logp float32 [3, 5]",
            "obs float32 [3, 6, 3]",
            "rews float32 [3, 5]",
        ],
        "{out}"
    );
    assert!(lines[4].starts_with("spec uint8 ["), "{out}");
    let obs: f64 = lines[5]
        .strip_prefix("obs[1,2,0] ")
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(obs as f32, t.obs[[1, 2, 0]]);
    let acts_sum: f64 = lines[6].strip_prefix("acts_sum ").unwrap().parse().unwrap();
    let expected: f64 = t.acts.iter().map(|&v| f64::from(v)).sum();
    assert!(
        (acts_sum - expected).abs() < 1e-9,
        "{acts_sum} vs {expected}"
    );
    assert_eq!(lines[7], "format 1");
    assert_eq!(lines[8], "spec toy 5 box");
}

/// A file written by numpy alone (`np.savez` of `obs`, `acts`, `rews` and the spec as bytes),
/// committed as a fixture with the script that made it (`envs/tests/fixtures/make_numpy_fixture.py`),
/// loads as the same episodes.
#[test]
fn a_numpy_written_file_loads() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/from-numpy.npz");
    let loaded = load_for(&path, &discrete_spec()).unwrap();
    let (n, t) = (2, 5);
    let expected = Trajectories {
        spec: discrete_spec(),
        obs: Array::from_iter((0..n * (t + 1) * 2).map(|i| i as f32 / 4.0))
            .into_shape_with_order((n, t + 1, 2))
            .unwrap(),
        acts: Array::from_iter((0..n * t).map(|i| (i % 4) as f32))
            .into_shape_with_order((n, t, 1))
            .unwrap(),
        rews: Array::from_iter((0..n * t).map(|i| -(i as f32)))
            .into_shape_with_order((n, t))
            .unwrap(),
        logp: None,
    };
    assert_eq!(loaded, expected);
}
