//! Tests of the fusion buffer: mixture densities against hand computations, snapshots coming and
//! going, and the log-probabilities it keeps against a fresh scoring.

use super::*;
use costlearn_envs::{EnvSpec, Rng, Space};
use ndarray::{array, ArrayView2};

/// `π(u | x) = N(u; mean, 1)` whatever the state (the GCL training tests use it too).
pub(crate) struct FixedGaussian(pub(crate) f32);

impl Policy for FixedGaussian {
    fn act(&self, obs: ArrayView2<'_, f32>, _rngs: &mut [Rng]) -> Array2<f32> {
        Array2::from_elem((obs.nrows(), 1), self.0)
    }
    fn log_prob(&self, _obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        acts.column(0)
            .mapv(|u| -0.5 * (u - self.0).powi(2) - 0.5 * (2.0 * std::f32::consts::PI).ln())
    }
}

struct Broken;

impl Policy for Broken {
    fn act(&self, obs: ArrayView2<'_, f32>, _rngs: &mut [Rng]) -> Array2<f32> {
        Array2::zeros((obs.nrows(), 1))
    }
    fn log_prob(&self, obs: ArrayView2<'_, f32>, _acts: ArrayView2<'_, f32>) -> Array1<f32> {
        Array1::from_elem(obs.nrows(), f32::NAN)
    }
}

/// `n` episodes of 2 steps whose actions are `acts` in every episode.
fn trajs(n: usize, acts: [f32; 2]) -> Trajectories {
    let spec = EnvSpec {
        name: "toy".into(),
        observation_space: Space::unbounded(1),
        action_space: Space::unbounded(1),
        horizon: 2,
        dt: 1.0,
    };
    Trajectories {
        spec,
        obs: Array3::zeros((n, 3, 1)),
        acts: Array3::from_shape_fn((n, 2, 1), |(_, t, _)| acts[t]),
        rews: Array2::zeros((n, 2)),
        logp: None,
    }
}

fn gaussian(u: f64, mean: f64) -> f64 {
    (-0.5 * (u - mean).powi(2)).exp() / (2.0 * std::f64::consts::PI).sqrt()
}

fn three_snapshots() -> FusionBuffer {
    let mut buf = FusionBuffer::new(3).unwrap();
    // Snapshots with means 0, 1, -2 drew 1, 2 and 3 samples: w = (1/6, 2/6, 3/6).
    buf.push(Arc::new(FixedGaussian(0.0)), trajs(1, [0.0, 0.0]))
        .unwrap();
    buf.push(Arc::new(FixedGaussian(1.0)), trajs(2, [1.0, 1.0]))
        .unwrap();
    buf.push(Arc::new(FixedGaussian(-2.0)), trajs(3, [-2.0, -2.0]))
        .unwrap();
    buf
}

#[test]
fn mixture_density_equals_the_hand_computation() {
    let buf = three_snapshots();
    let demo = trajs(1, [0.5, -1.0]);
    let w = [1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0];
    let means = [0.0, 1.0, -2.0];
    // q_fus(τ) = Σ_k w_k Π_t N(u_t; μ_k, 1)
    let q: f64 = (0..3)
        .map(|k| w[k] * gaussian(0.5, means[k]) * gaussian(-1.0, means[k]))
        .sum();
    let got = buf.log_density(&demo, Fusion::Mixture, None).unwrap();
    assert!((got[0] - q.ln()).abs() < 1e-6, "{} vs {}", got[0], q.ln());

    // Per step: q_fus(u_t | x_t) = Σ_k w_k N(u_t; μ_k, 1)
    let per_step = buf
        .log_density_per_step(&demo, Fusion::Mixture, None)
        .unwrap();
    for (t, u) in [0.5, -1.0].into_iter().enumerate() {
        let q_t: f64 = (0..3).map(|k| w[k] * gaussian(u, means[k])).sum();
        assert!((per_step[[0, t]] - q_t.ln()).abs() < 1e-6);
    }
}

#[test]
fn own_and_latest_pick_one_snapshot() {
    let buf = three_snapshots();
    let sample = trajs(1, [1.0, 0.0]);
    let under = |mean: f64| (gaussian(1.0, mean) * gaussian(0.0, mean)).ln();
    let own = buf.log_density(&sample, Fusion::Own, Some(1)).unwrap();
    assert!((own[0] - under(1.0)).abs() < 1e-6);
    let latest = buf.log_density(&sample, Fusion::Latest, Some(1)).unwrap();
    assert!((latest[0] - under(-2.0)).abs() < 1e-6);
    // Demonstrations have no drawing snapshot: `Own` scores them under the latest.
    let demo = buf.log_density(&sample, Fusion::Own, None).unwrap();
    assert!((demo[0] - under(-2.0)).abs() < 1e-6);
}

#[test]
fn capacity_drops_the_oldest_snapshot() {
    let mut buf = three_snapshots();
    buf.push(Arc::new(FixedGaussian(5.0)), trajs(4, [5.0, 5.0]))
        .unwrap();
    assert_eq!(buf.len(), 3);
    assert_eq!(buf.weights(), array![2.0 / 9.0, 3.0 / 9.0, 4.0 / 9.0]);
    let counts: Vec<usize> = buf.samples().map(Trajectories::len).collect();
    assert_eq!(counts, [2, 3, 4]);
    let lp = buf.step_log_probs(&trajs(1, [5.0, 5.0])).unwrap();
    assert_eq!(lp.dim(), (3, 1, 2));
    assert!((lp[[2, 0, 0]] + 0.5 * (2.0 * std::f32::consts::PI).ln()).abs() < 1e-6);
}

#[test]
fn misuse_gives_errors() {
    assert_eq!(FusionBuffer::new(0).err(), Some(FusionError::ZeroCapacity));
    let mut buf = FusionBuffer::new(2).unwrap();
    assert_eq!(
        buf.log_density(&trajs(1, [0.0, 0.0]), Fusion::Mixture, None)
            .err(),
        Some(FusionError::Empty)
    );
    assert_eq!(
        buf.push(Arc::new(FixedGaussian(0.0)), trajs(0, [0.0, 0.0]))
            .err(),
        Some(FusionError::NoSamples)
    );
    assert_eq!(
        buf.held(Held::Reference).err(),
        Some(FusionError::NoReference)
    );
    buf.push(Arc::new(FixedGaussian(0.0)), trajs(1, [0.0, 0.0]))
        .unwrap();
    // A policy with NaN log-probabilities is refused at the push, and the buffer is unchanged.
    let err = buf
        .push(Arc::new(Broken), trajs(2, [0.0, 0.0]))
        .unwrap_err();
    assert!(matches!(
        err,
        FusionError::BadLogProb {
            snapshot: 1,
            episode: 0,
            step: 0,
            ..
        }
    ));
    assert_eq!(buf.len(), 1);
    assert_eq!(
        buf.held(Held::Samples(1)).err(),
        Some(FusionError::NoSnapshot { index: 1, kept: 1 })
    );
}

#[test]
fn held_batches_keep_the_log_densities_a_fresh_scoring_gives() {
    // Five pushes through a buffer of three: the kept log-probabilities must follow the
    // snapshots that come and go.
    let demo = trajs(2, [0.5, -1.0]);
    let mut buf = FusionBuffer::new(3)
        .unwrap()
        .with_reference(demo.clone())
        .unwrap();
    for (i, mean) in [0.0, 1.0, -2.0, 0.5, 3.0].into_iter().enumerate() {
        buf.push(Arc::new(FixedGaussian(mean)), trajs(i + 1, [mean, -mean]))
            .unwrap();
        let held = (0..buf.len()).map(Held::Samples).chain([Held::Reference]);
        for which in held {
            let batch = buf.held(which).unwrap().clone();
            let drawn_by = match which {
                Held::Samples(k) => Some(k),
                Held::Reference => None,
            };
            assert_eq!(
                buf.held_step_log_probs(which).unwrap(),
                buf.step_log_probs(&batch).unwrap()
            );
            for fusion in [Fusion::Mixture, Fusion::Own, Fusion::Latest] {
                for len in [1, 2] {
                    assert_eq!(
                        buf.held_log_density_per_segment(which, fusion, len)
                            .unwrap(),
                        buf.log_density_per_segment(&batch, fusion, drawn_by, len)
                            .unwrap()
                    );
                }
            }
        }
    }
    // A reference given to a buffer that already keeps snapshots is scored under them.
    let late = three_snapshots().with_reference(demo.clone()).unwrap();
    assert_eq!(
        late.held_step_log_probs(Held::Reference).unwrap(),
        late.step_log_probs(&demo).unwrap()
    );
}
