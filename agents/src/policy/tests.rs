//! Tests of the policies: snapshots agree with the training networks, samples follow the
//! distribution, gradients match finite differences, files round-trip.

use super::*;
use crate::nn::{Adam, NnError};
use costlearn_envs::{episode_rng, Rng};
use ndarray::{array, Array1, Array2};
use rand::Rng as _;

fn rngs(n: usize, seed: u64) -> Vec<Rng> {
    (0..n as u64).map(|i| episode_rng(seed, i)).collect()
}

fn random_obs(n: usize, d: usize, seed: u64) -> Array2<f32> {
    let mut rng = episode_rng(seed, 99);
    Array2::from_shape_simple_fn((n, d), || rng.gen_range(-1.0f32..1.0))
}

/// Moves every parameter of `policy` away from its initial value, so that tests do not run at a
/// special point (zero biases, tiny output weights).
fn perturb(params: &mut crate::nn::ParamSet, seed: u64) {
    let mut rng = episode_rng(seed, 7);
    for name in params.names().to_vec() {
        let id = params.id(&name).unwrap();
        let p = params.get(id).mapv(|v| v + rng.gen_range(-0.5f32..0.5));
        params.set(id, &p).unwrap();
    }
}

fn assert_close(a: &Array1<f32>, b: &Array1<f32>, tol: f32) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol, "{x} vs {y}");
    }
}

fn training_log_prob<P: TrainablePolicy>(
    p: &P,
    obs: &Array2<f32>,
    acts: &Array2<f32>,
) -> Array1<f32> {
    let g = p.params().graph();
    p.log_prob_var(&g, obs.view(), acts.view())
        .unwrap()
        .to_array()
        .column(0)
        .to_owned()
}

fn gaussian(squash: bool) -> GaussianMlpPolicy {
    let b = GaussianMlpBuilder::new(3, 2)
        .hidden(&[16, 16])
        .init_log_std(-0.3)
        .seed(4);
    let b = if squash {
        b.squash_to(&[-2.0, 0.0], &[2.0, 1.0])
    } else {
        b
    };
    let mut p = b.build().unwrap();
    perturb(p.params_mut(), 1);
    p
}

#[test]
fn gaussian_snapshot_log_probs_equal_the_training_network() {
    for squash in [false, true] {
        let p = gaussian(squash);
        let snap = p.snapshot();
        let obs = random_obs(50, 3, 2);
        let acts = snap.act(obs.view(), &mut rngs(50, 3));
        let host = snap.log_prob(obs.view(), acts.view());
        assert!(host.iter().all(|v| v.is_finite()));
        assert_close(&host, &training_log_prob(&p, &obs, &acts), 1e-5);
    }
}

#[test]
fn gaussian_samples_have_the_policy_mean_and_std() {
    for squash in [false, true] {
        let p = gaussian(squash);
        let snap = p.snapshot();
        let n = 20_000;
        let obs = Array2::from_shape_fn((n, 3), |(_, j)| [0.3f32, -0.7, 0.1][j]);
        let acts = snap.act(obs.view(), &mut rngs(n, 5));
        let mean = snap.mean(obs.slice(ndarray::s![0..1, ..])).unwrap();
        let std = snap.log_std().mapv(f32::exp);
        for j in 0..2 {
            // Undo the squashing to recover the Gaussian draws.
            let u: Vec<f64> = acts
                .column(j)
                .iter()
                .map(|&a| {
                    let a = f64::from(a);
                    if squash {
                        let (lo, hi) = ([-2.0, 0.0][j], [2.0, 1.0][j]);
                        assert!(lo < a && a < hi, "squashed action {a} outside ({lo}, {hi})");
                        ((a - 0.5 * (lo + hi)) / (0.5 * (hi - lo))).atanh()
                    } else {
                        a
                    }
                })
                .collect();
            let m = u.iter().sum::<f64>() / n as f64;
            let s = (u.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
            let sigma = f64::from(std[j]);
            assert!(
                (m - f64::from(mean[[0, j]])).abs() < 4.0 * sigma / (n as f64).sqrt(),
                "mean {m}"
            );
            assert!((s / sigma - 1.0).abs() < 0.03, "std {s} vs {sigma}");
        }
    }
}

#[test]
fn squashed_density_integrates_to_one() {
    for squash in [false, true] {
        let b = GaussianMlpBuilder::new(1, 1)
            .hidden(&[4])
            .init_log_std(-0.2)
            .seed(9);
        let b = if squash {
            b.squash_to(&[-1.5], &[0.5])
        } else {
            b
        };
        let mut p = b.build().unwrap();
        perturb(p.params_mut(), 2);
        let snap = p.snapshot();
        let (lo, hi) = if squash {
            (-1.5f32, 0.5f32)
        } else {
            (-8.0, 8.0)
        };
        let n = 100_000;
        let da = (hi - lo) / n as f32;
        let acts = Array2::from_shape_fn((n, 1), |(i, _)| lo + (i as f32 + 0.5) * da);
        let obs = Array2::from_elem((n, 1), 0.4f32);
        let mass: f64 = snap
            .log_prob(obs.view(), acts.view())
            .iter()
            .map(|&lp| f64::from(lp).exp() * f64::from(da))
            .sum();
        assert!((mass - 1.0).abs() < 2e-3, "total probability {mass}");
    }
}

#[test]
fn each_row_draws_only_from_its_own_generator() {
    let snap = gaussian(true).snapshot();
    let obs = random_obs(3, 3, 1);
    let all = snap.act(obs.view(), &mut rngs(3, 8));
    let mut third = vec![episode_rng(8, 2)];
    let alone = snap.act(obs.slice(ndarray::s![2..3, ..]), &mut third);
    assert_eq!(all.row(2), alone.row(0));
    let again = snap.clone().act(obs.view(), &mut rngs(3, 8));
    assert_eq!(all, again);
}

/// Compares the gradient of `loss` with central finite differences on a sample of parameters.
fn check_policy_gradients<P: TrainablePolicy>(
    policy: &mut P,
    obs: &Array2<f32>,
    acts: &Array2<f32>,
) {
    let loss = |p: &P| {
        let g = p.params().graph();
        p.log_prob_var(&g, obs.view(), acts.view())
            .unwrap()
            .mean()
            .neg()
    };
    let analytic = policy
        .params()
        .grads(loss(policy).backward().unwrap())
        .unwrap()
        .to_arrays();
    let h = 1e-2f32;
    for (k, name) in policy.params().names().to_vec().iter().enumerate() {
        let id = policy.params().id(name).unwrap();
        let base = policy.params().get(id);
        for idx in ndarray::indices(base.dim()).into_iter().step_by(5) {
            let mut value = |delta: f32| {
                let mut v = base.clone();
                v[idx] += delta;
                policy.params_mut().set(id, &v).unwrap();
                f64::from(loss(policy).item())
            };
            let fd = ((value(h) - value(-h)) / (2.0 * f64::from(h))) as f32;
            let an = analytic[k][idx];
            assert!(
                (fd - an).abs() <= 3e-3 * an.abs().max(1.0),
                "d loss / d {name}{idx:?}: finite difference {fd}, backward {an}"
            );
        }
        policy.params_mut().set(id, &base).unwrap();
    }
}

#[test]
fn log_prob_gradients_match_finite_differences() {
    let obs = random_obs(12, 3, 4);
    let mut g = gaussian(true);
    let acts = g.snapshot().act(obs.view(), &mut rngs(12, 1));
    check_policy_gradients(&mut g, &obs, &acts);

    let mut c = CategoricalMlpBuilder::new(3, 4)
        .hidden(&[8])
        .seed(2)
        .build()
        .unwrap();
    perturb(c.params_mut(), 3);
    let acts = c.snapshot().act(obs.view(), &mut rngs(12, 2));
    check_policy_gradients(&mut c, &obs, &acts);

    let mut t = TabularSoftmaxBuilder::new(5, 3).build().unwrap();
    perturb(t.params_mut(), 4);
    let states = Array2::from_shape_fn((12, 1), |(i, _)| (i % 5) as f32);
    let acts = t.snapshot().act(states.view(), &mut rngs(12, 3));
    check_policy_gradients(&mut t, &states, &acts);
}

/// Empirical action frequencies of `n` draws against the probabilities `exp(log_p)`.
fn assert_frequencies(acts: &Array2<f32>, log_p: ndarray::ArrayView1<'_, f32>) {
    let n = acts.nrows() as f64;
    for (a, &lp) in log_p.iter().enumerate() {
        let freq = acts.column(0).iter().filter(|&&x| x == a as f32).count() as f64 / n;
        let p = f64::from(lp).exp();
        assert!(
            (freq - p).abs() < 4.0 * (p * (1.0 - p) / n).sqrt() + 1e-3,
            "action {a}: {freq} vs {p}"
        );
    }
}

#[test]
fn tabular_policy_samples_and_scores_its_softmax() {
    let logits = array![[0.0f32, 1.0, -1.0], [2.0, 0.0, 0.5]];
    let p = TabularSoftmaxBuilder::new(2, 3)
        .logits(logits.clone())
        .build()
        .unwrap();
    let snap = p.snapshot();
    let row = logits.row(1);
    let lse = row.iter().map(|v| v.exp()).sum::<f32>().ln();
    assert!((snap.log_probs()[[1, 0]] - (2.0 - lse)).abs() < 1e-6);

    let n = 20_000;
    let obs = Array2::from_elem((n, 1), 1.0f32);
    let acts = snap.act(obs.view(), &mut rngs(n, 6));
    assert_frequencies(&acts, snap.log_probs().row(1));
    let some_obs = array![[0.0f32], [1.0], [1.0], [0.0]];
    let some_acts = array![[2.0f32], [0.0], [1.0], [1.0]];
    assert_close(
        &snap.log_prob(some_obs.view(), some_acts.view()),
        &training_log_prob(&p, &some_obs, &some_acts),
        1e-5,
    );

    let onehot = TabularSoftmaxBuilder::new(2, 3)
        .logits(logits)
        .encoding(StateEncoding::OneHot)
        .build()
        .unwrap();
    let oh_obs = array![[1.0f32, 0.0], [0.0, 1.0], [0.0, 1.0], [1.0, 0.0]];
    assert_close(
        &onehot.snapshot().log_prob(oh_obs.view(), some_acts.view()),
        &snap.log_prob(some_obs.view(), some_acts.view()),
        0.0,
    );
}

#[test]
fn categorical_mlp_snapshot_matches_and_samples_its_softmax() {
    let mut p = CategoricalMlpBuilder::new(3, 4)
        .hidden(&[16])
        .seed(1)
        .build()
        .unwrap();
    perturb(p.params_mut(), 5);
    let snap = p.snapshot();
    let obs = random_obs(40, 3, 6);
    let acts = snap.act(obs.view(), &mut rngs(40, 2));
    assert_close(
        &snap.log_prob(obs.view(), acts.view()),
        &training_log_prob(&p, &obs, &acts),
        1e-5,
    );

    let n = 20_000;
    let one = Array2::from_shape_fn((n, 3), |(_, j)| obs[[0, j]]);
    let many = snap.act(one.view(), &mut rngs(n, 4));
    assert_frequencies(
        &many,
        snap.log_probs(obs.slice(ndarray::s![0..1, ..]))
            .unwrap()
            .row(0),
    );
}

#[test]
fn invalid_inputs_are_errors_for_training_and_explicit_for_snapshots() {
    let p = CategoricalMlpBuilder::new(2, 3)
        .hidden(&[4])
        .build()
        .unwrap();
    let g = p.params().graph();
    let obs = Array2::zeros((2, 2));
    for bad in [3.0f32, -1.0, 0.5, f32::NAN] {
        let acts = array![[0.0f32], [bad]];
        assert!(matches!(
            p.log_prob_var(&g, obs.view(), acts.view()),
            Err(NnError::BadIndex { .. })
        ));
        assert_eq!(
            p.snapshot().log_prob(obs.view(), acts.view())[1],
            f32::NEG_INFINITY
        );
    }
    assert!(matches!(
        p.log_prob_var(
            &g,
            Array2::zeros((2, 3)).view(),
            Array2::zeros((2, 1)).view()
        ),
        Err(NnError::ShapeMismatch { .. })
    ));
    assert!(p
        .snapshot()
        .act(Array2::zeros((1, 5)).view(), &mut rngs(1, 0))[[0, 0]]
    .is_nan());
    assert!(
        p.snapshot().try_act(obs.view(), &mut rngs(1, 0)).is_err(),
        "one generator per row"
    );

    let t = TabularSoftmaxBuilder::new(3, 2).build().unwrap();
    assert!(matches!(
        t.log_prob_var(
            &t.params().graph(),
            array![[3.0f32]].view(),
            array![[0.0f32]].view()
        ),
        Err(NnError::BadIndex { what: "state", .. })
    ));
    assert!(t
        .snapshot()
        .log_prob(array![[7.0f32]].view(), array![[0.0f32]].view())[0]
        .is_nan());

    assert!(GaussianMlpBuilder::new(2, 2)
        .squash_to(&[0.0], &[1.0])
        .build()
        .is_err());
    assert!(GaussianMlpBuilder::new(2, 1)
        .squash_to(&[1.0], &[1.0])
        .build()
        .is_err());
    assert!(GaussianMlpBuilder::new(2, 1)
        .init_log_std(f32::NAN)
        .build()
        .is_err());
    assert!(TabularSoftmaxBuilder::new(2, 2)
        .logits(Array2::zeros((3, 2)))
        .build()
        .is_err());
}

#[test]
fn the_mode_is_the_mean_action_or_the_most_probable_choice() {
    let obs = random_obs(8, 3, 2);
    for squash in [false, true] {
        let snapshot = gaussian(squash).snapshot();
        assert_eq!(
            snapshot.mode(obs.view()),
            Some(snapshot.mean_action(obs.view()).unwrap())
        );
    }
    let mut cat = CategoricalMlpBuilder::new(3, 4).seed(1).build().unwrap();
    perturb(cat.params_mut(), 3);
    let snapshot = cat.snapshot();
    let modes = snapshot.mode(obs.view()).unwrap();
    for (i, row) in obs.rows().into_iter().enumerate() {
        let row = row.insert_axis(ndarray::Axis(0));
        let best = (0..4)
            .map(|a| snapshot.log_prob(row, array![[a as f32]].view())[0])
            .fold(f32::NEG_INFINITY, f32::max);
        let at_mode = snapshot.log_prob(row, array![[modes[[i, 0]]]].view())[0];
        assert_eq!(at_mode, best);
    }
    let table = TabularSoftmaxBuilder::new(2, 3)
        .logits(array![[0.0, 2.0, 1.0], [3.0, 0.0, 0.0]])
        .build()
        .unwrap();
    assert_eq!(
        table.snapshot().mode(array![[0.0f32], [1.0]].view()),
        Some(array![[1.0f32], [0.0]])
    );
    assert!(snapshot.mode(Array2::zeros((1, 5)).view()).is_none());
}

#[test]
fn policies_save_and_load_their_weights() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("policy.safetensors");
    let mut trained = gaussian(false);
    let obs = random_obs(16, 3, 1);
    let acts = trained.snapshot().act(obs.view(), &mut rngs(16, 1));
    let mut adam = Adam::new(1e-2);
    let g = trained.params().graph();
    let loss = trained
        .log_prob_var(&g, obs.view(), acts.view())
        .unwrap()
        .mean()
        .neg();
    let grads = trained.params().grads(loss.backward().unwrap()).unwrap();
    adam.step(trained.params_mut(), grads).unwrap();
    trained.save(&path).unwrap();

    let mut fresh = GaussianMlpBuilder::new(3, 2)
        .hidden(&[16, 16])
        .seed(99)
        .build()
        .unwrap();
    let before = fresh.snapshot().log_prob(obs.view(), acts.view());
    fresh.load(&path).unwrap();
    let want = trained.snapshot().log_prob(obs.view(), acts.view());
    assert_ne!(before, want);
    assert_eq!(fresh.snapshot().log_prob(obs.view(), acts.view()), want);
    assert_eq!(fresh.log_std(), trained.log_std());

    let mut other = CategoricalMlpBuilder::new(3, 2).build().unwrap();
    let err = other.load(&path).unwrap_err();
    assert!(matches!(err, NnError::BadWeights { .. }), "{err}");
}

#[test]
fn behavioral_cloning_step_raises_the_demonstrated_log_likelihood() {
    let mut p = GaussianMlpBuilder::new(3, 2)
        .hidden(&[32])
        .tanh_squash()
        .seed(3)
        .build()
        .unwrap();
    let obs = random_obs(64, 3, 2);
    let acts = obs.slice(ndarray::s![.., 0..2]).mapv(|v| 0.8 * v);
    let mut adam = Adam::new(1e-2).max_grad_norm(5.0);
    let score = |p: &GaussianMlpPolicy| {
        p.snapshot()
            .log_prob(obs.view(), acts.view())
            .mean()
            .unwrap()
    };
    let start = score(&p);
    for _ in 0..100 {
        let g = p.params().graph();
        let loss = p
            .log_prob_var(&g, obs.view(), acts.view())
            .unwrap()
            .mean()
            .neg();
        let grads = p.params().grads(loss.backward().unwrap()).unwrap();
        adam.step(p.params_mut(), grads).unwrap();
    }
    assert!(
        score(&p) > start + 1.0,
        "mean log-likelihood {start} -> {}",
        score(&p)
    );
}

#[test]
fn policies_move_between_threads_and_snapshots_are_shared() {
    fn send_sync<T: Send + Sync + Clone>() {}
    // The CUDA backend's handles are tied to a thread; on the CPU the training side moves freely.
    #[cfg(not(feature = "cuda"))]
    {
        fn send<T: Send>() {}
        send::<GaussianMlpPolicy>();
        send::<CategoricalMlpPolicy>();
        send::<TabularSoftmaxPolicy>();
        send::<crate::nn::Adam>();
    }
    send_sync::<GaussianSnapshot>();
    send_sync::<CategoricalMlpSnapshot>();
    send_sync::<TabularSnapshot>();
    let snap = gaussian(false).snapshot();
    let obs = random_obs(4, 3, 0);
    let here = snap.act(obs.view(), &mut rngs(4, 1));
    let there = std::thread::scope(|s| {
        s.spawn(|| snap.act(obs.view(), &mut rngs(4, 1)))
            .join()
            .unwrap()
    });
    assert_eq!(here, there);
}

#[test]
fn empty_batches_give_empty_results() {
    let p = gaussian(true);
    let obs = Array2::zeros((0, 3));
    let acts = Array2::zeros((0, 2));
    assert_eq!(p.snapshot().act(obs.view(), &mut []).dim(), (0, 2));
    assert_eq!(p.snapshot().log_prob(obs.view(), acts.view()).len(), 0);
    let g = p.params().graph();
    assert_eq!(
        p.log_prob_var(&g, obs.view(), acts.view()).unwrap().shape(),
        (0, 1)
    );
    let c = CategoricalMlpBuilder::new(3, 2).build().unwrap();
    assert_eq!(c.snapshot().act(obs.view(), &mut []).dim(), (0, 1));
}
