//! Behaviour of the rollout engine: determinism across threads, copies and workers, the seeding
//! contract, the batching contract, error reports and stream shutdown.

use costlearn_envs::rollout::{EnvFactory, Rollout};
use costlearn_envs::{
    episode_rng, Env, EnvEntry, EnvError, EnvSpec, ParallelEnvs, Policy, Rng, Space, Trajectories,
    Trajectory, UniformRandom,
};
use ndarray::{Array1, Array2, ArrayView2};
use rand::{Rng as _, RngCore, SeedableRng};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

const HORIZON: usize = 12;

fn spec(name: &str, obs_dim: usize) -> EnvSpec {
    EnvSpec {
        name: name.into(),
        observation_space: Space::unbounded(obs_dim),
        action_space: Space::uniform_box(1, -1.0, 1.0),
        horizon: HORIZON,
        dt: 1.0,
    }
}

/// A 1-D random walk whose start and step noise come from its own generator, seeded at reset.
struct RandomWalk {
    spec: EnvSpec,
    x: f32,
    rng: Rng,
}

impl RandomWalk {
    fn new() -> Self {
        Self {
            spec: spec("walk", 1),
            x: 0.0,
            rng: Rng::seed_from_u64(0),
        }
    }

    fn boxed() -> Box<dyn Env> {
        Box::new(Self::new())
    }
}

impl Env for RandomWalk {
    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn reset(&mut self, seed: u64, obs: &mut [f32]) {
        self.rng = Rng::seed_from_u64(seed);
        self.x = self.rng.gen_range(-1.0..1.0);
        obs[0] = self.x;
    }

    fn step(&mut self, action: &[f32], obs: &mut [f32]) -> f32 {
        self.x += action[0].clamp(-1.0, 1.0) + 0.1 * (self.rng.gen::<f32>() - 0.5);
        obs[0] = self.x;
        -self.x * self.x
    }
}

/// Where a deterministic [`Drift`] goes wrong.
#[derive(Clone, Copy)]
enum Fault {
    None,
    NanObservation { tag: f32, step: usize },
    NanReward { tag: f32, step: usize },
    Panic { tag: f32, step: usize },
}

/// Deterministic dynamics `x' = 0.9 x + u`. The observation is `[x, t, tag]`, where the tag is a
/// function of the reset seed that names the episode.
struct Drift {
    spec: EnvSpec,
    x: f32,
    t: usize,
    tag: f32,
    fault: Fault,
}

impl Drift {
    fn boxed(fault: Fault) -> Box<dyn Env> {
        Box::new(Self {
            spec: spec("drift", 3),
            x: 0.0,
            t: 0,
            tag: 0.0,
            fault,
        })
    }
}

/// The tag [`Drift`] shows for a reset seed (24 bits, exact in `f32`).
fn tag_of_seed(seed: u64) -> f32 {
    (seed >> 40) as f32
}

/// The tag of episode `index` of the run seeded with `seed`, per the seeding contract.
fn tag_of_episode(seed: u64, index: u64) -> f32 {
    tag_of_seed(episode_rng(seed, index).next_u64())
}

impl Env for Drift {
    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn reset(&mut self, seed: u64, obs: &mut [f32]) {
        (self.x, self.t, self.tag) = (1.0, 0, tag_of_seed(seed));
        obs.copy_from_slice(&[self.x, 0.0, self.tag]);
    }

    fn step(&mut self, action: &[f32], obs: &mut [f32]) -> f32 {
        self.x = 0.9 * self.x + action[0];
        let mut reward = -self.x * self.x;
        obs.copy_from_slice(&[self.x, (self.t + 1) as f32, self.tag]);
        match self.fault {
            Fault::NanObservation { tag, step } if tag == self.tag && step == self.t => {
                obs[0] = f32::NAN
            }
            Fault::NanReward { tag, step } if tag == self.tag && step == self.t => {
                reward = f32::INFINITY
            }
            Fault::Panic { tag, step } if tag == self.tag && step == self.t => {
                panic!("drift broke")
            }
            _ => {}
        }
        self.t += 1;
        reward
    }
}

/// `u = -0.5 x + σ z`, `z ~ N(0, 1)` drawn (Box–Muller) from the row's generator.
struct Gaussian {
    sigma: f32,
}

impl Gaussian {
    fn mean(obs: ArrayView2<'_, f32>, i: usize) -> f32 {
        -0.5 * obs[[i, 0]]
    }
}

impl Policy for Gaussian {
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        Array2::from_shape_fn((obs.nrows(), 1), |(i, _)| {
            let (u1, u2) = (1.0 - rngs[i].gen::<f32>(), rngs[i].gen::<f32>());
            let z = (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos();
            Self::mean(obs, i) + self.sigma * z
        })
    }

    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        Array1::from_shape_fn(obs.nrows(), |i| {
            let z = (acts[[i, 0]] - Self::mean(obs, i)) / self.sigma;
            -0.5 * z * z - self.sigma.ln() - 0.5 * std::f32::consts::TAU.ln()
        })
    }
}

/// Ways for a policy to misbehave, on top of [`Gaussian`].
enum Misbehaviour {
    NanAction { tag: f32, step: usize },
    NanLogProb { tag: f32, step: usize },
    WrongShape,
    ShortLogProb,
}

struct Faulty(Misbehaviour);

impl Faulty {
    fn hits(obs: ArrayView2<'_, f32>, i: usize, tag: f32, step: usize) -> bool {
        obs[[i, 2]] == tag && obs[[i, 1]] == step as f32
    }
}

impl Policy for Faulty {
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        let mut acts = Gaussian { sigma: 0.3 }.act(obs, rngs);
        match self.0 {
            Misbehaviour::NanAction { tag, step } => {
                for i in 0..obs.nrows() {
                    if Self::hits(obs, i, tag, step) {
                        acts[[i, 0]] = f32::NAN;
                    }
                }
                acts
            }
            Misbehaviour::WrongShape => Array2::zeros((obs.nrows(), 2)),
            _ => acts,
        }
    }

    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        let mut logp = Gaussian { sigma: 0.3 }.log_prob(obs, acts);
        match self.0 {
            Misbehaviour::NanLogProb { tag, step } => {
                for i in 0..obs.nrows() {
                    if Self::hits(obs, i, tag, step) {
                        logp[i] = f32::NAN;
                    }
                }
                logp
            }
            Misbehaviour::ShortLogProb => logp.slice(ndarray::s![1..]).to_owned(),
            _ => logp,
        }
    }
}

/// Counts the calls made to the policy it wraps.
struct Counting {
    inner: Gaussian,
    acts: AtomicUsize,
    log_probs: AtomicUsize,
}

impl Policy for Counting {
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        self.acts.fetch_add(1, Ordering::SeqCst);
        self.inner.act(obs, rngs)
    }

    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        self.log_probs.fetch_add(1, Ordering::SeqCst);
        self.inner.log_prob(obs, acts)
    }
}

fn gaussian() -> Arc<dyn Policy> {
    Arc::new(Gaussian { sigma: 0.3 })
}

fn in_pool<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap()
        .install(f)
}

fn collect_with(
    rollout: Rollout,
    copies: usize,
    make: fn() -> Box<dyn Env>,
    policy: &dyn Policy,
) -> Result<Trajectories, EnvError> {
    rollout.collect(&mut ParallelEnvs::new(copies, make), policy)
}

fn bits(t: &Trajectory) -> Vec<u32> {
    let logp = t.logp.iter().flat_map(|l| l.iter());
    t.obs
        .iter()
        .chain(t.acts.iter())
        .chain(t.rews.iter())
        .chain(logp)
        .map(|v| v.to_bits())
        .collect()
}

fn all_bits(batch: &Trajectories) -> Vec<Vec<u32>> {
    (0..batch.len()).map(|i| bits(&batch.episode(i))).collect()
}

/// Every episode of a finite stream, sorted by index.
fn stream_sorted(
    rollout: Rollout,
    env: impl Into<EnvFactory>,
    policy: Arc<dyn Policy>,
    workers: usize,
) -> Vec<(u64, Trajectory)> {
    let mut episodes: Vec<_> = rollout
        .stream(env, policy, workers)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    episodes.sort_by_key(|(i, _)| *i);
    episodes
}

fn expect_rollout_error(
    result: Result<impl std::fmt::Debug, EnvError>,
    env: &str,
    episode: usize,
    step: usize,
    reason_has: &str,
) {
    match result {
        Err(EnvError::Rollout {
            env: e,
            episode: ep,
            step: st,
            reason,
        }) => {
            assert_eq!(
                (e.as_str(), ep, st),
                (env, episode, step),
                "reason: {reason}"
            );
            assert!(reason.contains(reason_has), "unexpected reason: {reason}");
        }
        other => panic!("expected a rollout error, got {other:?}"),
    }
}

#[test]
fn same_seed_gives_bitwise_identical_episodes_for_any_threads_and_copies() {
    let rollout = Rollout::new(11).episodes(20).log_probs(true);
    let policy = Gaussian { sigma: 0.3 };
    let reference = in_pool(1, || collect_with(rollout, 16, RandomWalk::boxed, &policy)).unwrap();
    assert_eq!(reference.len(), 20);
    assert_eq!(reference.obs.dim(), (20, HORIZON + 1, 1));
    let reference = all_bits(&reference);
    for threads in [2, 8] {
        let batch = in_pool(threads, || {
            collect_with(rollout, 16, RandomWalk::boxed, &policy)
        });
        assert_eq!(all_bits(&batch.unwrap()), reference, "{threads} threads");
    }
    for copies in [1, 3, 7] {
        for threads in [1, 8] {
            let batch = in_pool(threads, || {
                collect_with(rollout, copies, RandomWalk::boxed, &policy)
            });
            assert_eq!(
                all_bits(&batch.unwrap()),
                reference,
                "{copies} copies, {threads} threads"
            );
        }
    }
}

#[test]
fn episodes_follow_the_seeding_contract() {
    // Episode k: reset seed = first u64 of episode_rng(seed, k), then the policy's noise from the
    // same generator. A plain single-episode loop must reproduce the rollout exactly.
    let (seed, first) = (5, 2);
    let policy = Gaussian { sigma: 0.3 };
    let batch = collect_with(
        Rollout::new(seed)
            .episodes(4)
            .first_episode(first)
            .log_probs(true),
        3,
        RandomWalk::boxed,
        &policy,
    )
    .unwrap();
    for i in 0..4 {
        let mut rng = [episode_rng(seed, first + i as u64)];
        let mut env = RandomWalk::new();
        let mut obs = Array2::zeros((1, 1));
        env.reset(rng[0].next_u64(), obs.as_slice_mut().unwrap());
        let mut expected = vec![obs[[0, 0]]];
        let (mut acts, mut rews, mut logp) = (vec![], vec![], vec![]);
        for _ in 0..HORIZON {
            let a = policy.act(obs.view(), &mut rng);
            logp.push(policy.log_prob(obs.view(), a.view())[0]);
            rews.push(env.step(a.as_slice().unwrap(), obs.as_slice_mut().unwrap()));
            acts.push(a[[0, 0]]);
            expected.push(obs[[0, 0]]);
        }
        let got = batch.episode(i);
        assert_eq!(got.obs.iter().copied().collect::<Vec<_>>(), expected);
        assert_eq!(got.acts.iter().copied().collect::<Vec<_>>(), acts);
        assert_eq!(got.rews.to_vec(), rews);
        assert_eq!(got.logp.unwrap().to_vec(), logp);
    }
}

#[test]
fn streaming_gives_the_lock_step_episodes_with_any_worker_count() {
    let rollout = Rollout::new(3).episodes(13).log_probs(true);
    let lock_step = collect_with(rollout, 4, RandomWalk::boxed, &Gaussian { sigma: 0.3 }).unwrap();
    for workers in [1, 2, 8] {
        let episodes = stream_sorted(
            rollout,
            EnvFactory::new(RandomWalk::boxed),
            gaussian(),
            workers,
        );
        let indices: Vec<u64> = episodes.iter().map(|(i, _)| *i).collect();
        assert_eq!(indices, (0..13).collect::<Vec<_>>(), "{workers} workers");
        for (i, episode) in &episodes {
            assert_eq!(
                bits(episode),
                bits(&lock_step.episode(*i as usize)),
                "episode {i}, {workers} workers"
            );
        }
    }
}

#[test]
fn streams_from_a_registry_entry_or_a_shared_constructor() {
    let rollout = Rollout::new(8).episodes(5).first_episode(10);
    let entry = EnvEntry::new("drift", "deterministic drift", || Drift::boxed(Fault::None));
    let make: Arc<dyn Fn() -> Box<dyn Env> + Send + Sync> = Arc::new(|| Drift::boxed(Fault::None));
    let from_entry = stream_sorted(rollout, entry, gaussian(), 2);
    let from_fn = stream_sorted(rollout, make, gaussian(), 3);
    assert_eq!(from_entry, from_fn);
    assert_eq!(
        from_entry.iter().map(|(i, _)| *i).collect::<Vec<_>>(),
        (10..15).collect::<Vec<_>>()
    );
    for (i, episode) in &from_entry {
        assert_eq!(episode.obs[[0, 2]], tag_of_episode(8, *i));
        assert!(episode.logp.is_none());
    }
}

#[test]
fn different_seeds_give_different_episodes() {
    let policy = Gaussian { sigma: 0.3 };
    let a = collect_with(Rollout::new(1).episodes(4), 2, RandomWalk::boxed, &policy).unwrap();
    let b = collect_with(Rollout::new(2).episodes(4), 2, RandomWalk::boxed, &policy).unwrap();
    for i in 0..4 {
        assert_ne!(a.episode(i).obs, b.episode(i).obs, "episode {i}");
        assert_ne!(a.episode(i).acts, b.episode(i).acts, "episode {i}");
    }
    // Episodes within a run differ from each other too.
    assert_ne!(a.episode(0).acts, a.episode(1).acts);
}

#[test]
fn first_episode_shifts_episodes_exactly() {
    let policy = Gaussian { sigma: 0.3 };
    let whole = collect_with(
        Rollout::new(9).episodes(6).log_probs(true),
        4,
        RandomWalk::boxed,
        &policy,
    )
    .unwrap();
    let tail = Rollout::new(9).episodes(3).first_episode(3).log_probs(true);
    let shifted = collect_with(tail, 2, RandomWalk::boxed, &policy).unwrap();
    assert_eq!(all_bits(&shifted), all_bits(&whole)[3..6].to_vec());
    let streamed = stream_sorted(tail, EnvFactory::new(RandomWalk::boxed), gaussian(), 2);
    for (i, episode) in &streamed {
        assert_eq!(
            bits(episode),
            bits(&whole.episode(*i as usize)),
            "episode {i}"
        );
    }
    assert_eq!(streamed.len(), 3);
}

#[test]
fn one_batched_policy_call_per_step() {
    for log_probs in [false, true] {
        let policy = Counting {
            inner: Gaussian { sigma: 0.3 },
            acts: AtomicUsize::new(0),
            log_probs: AtomicUsize::new(0),
        };
        // 10 episodes on 4 copies: 3 waves, the last one partial.
        let batch = collect_with(
            Rollout::new(0).episodes(10).log_probs(log_probs),
            4,
            RandomWalk::boxed,
            &policy,
        )
        .unwrap();
        assert_eq!(batch.len(), 10);
        assert_eq!(batch.logp.is_some(), log_probs);
        assert_eq!(policy.acts.load(Ordering::SeqCst), 3 * HORIZON);
        let expected_log_probs = if log_probs { 3 * HORIZON } else { 0 };
        assert_eq!(policy.log_probs.load(Ordering::SeqCst), expected_log_probs);
    }
}

#[test]
fn uniform_random_policy_rolls_out_in_both_modes() {
    let space = Space::uniform_box(1, -1.0, 1.0);
    let policy = Arc::new(UniformRandom::new(space.clone()).unwrap());
    let rollout = Rollout::new(4).episodes(6).log_probs(true);
    let batch = collect_with(rollout, 4, RandomWalk::boxed, policy.as_ref()).unwrap();
    assert!(batch.acts.iter().all(|a| space.contains(&[*a])));
    let logp = batch.logp.as_ref().unwrap();
    assert!(logp.iter().all(|&l| (l + 2f32.ln()).abs() < 1e-6));
    let streamed = stream_sorted(rollout, EnvFactory::new(RandomWalk::boxed), policy, 3);
    for (i, episode) in &streamed {
        assert_eq!(bits(episode), bits(&batch.episode(*i as usize)));
    }
}

#[test]
fn zero_episodes_give_an_empty_batch() {
    let batch = collect_with(
        Rollout::new(0).episodes(0),
        3,
        RandomWalk::boxed,
        &Gaussian { sigma: 0.3 },
    )
    .unwrap();
    assert!(batch.is_empty());
    assert_eq!(batch.horizon(), HORIZON);
    let stream =
        Rollout::new(0)
            .episodes(0)
            .stream(EnvFactory::new(RandomWalk::boxed), gaussian(), 4);
    assert_eq!(stream.unwrap().count(), 0);
}

#[test]
fn nan_action_is_reported_with_episode_and_step() {
    let (seed, episode, step) = (6, 4, 5);
    let policy = Faulty(Misbehaviour::NanAction {
        tag: tag_of_episode(seed, episode),
        step,
    });
    let rollout = Rollout::new(seed).episodes(7);
    let make = || Drift::boxed(Fault::None);
    for copies in [1, 3, 8] {
        let result = collect_with(rollout, copies, make, &policy);
        expect_rollout_error(result, "drift", episode as usize, step, "action");
    }
    let stream = rollout
        .stream(EnvFactory::new(make), Arc::new(policy), 2)
        .unwrap();
    let errors: Vec<_> = stream.filter_map(Result::err).collect();
    assert_eq!(errors.len(), 1);
    expect_rollout_error(
        Err::<(), _>(errors.into_iter().next().unwrap()),
        "drift",
        4,
        5,
        "action",
    );
}

#[test]
fn nan_log_prob_is_reported_only_when_log_probs_are_recorded() {
    let (seed, episode, step) = (6, 2, 0);
    let policy = Faulty(Misbehaviour::NanLogProb {
        tag: tag_of_episode(seed, episode),
        step,
    });
    let make = || Drift::boxed(Fault::None);
    let with = collect_with(
        Rollout::new(seed).episodes(3).log_probs(true),
        2,
        make,
        &policy,
    );
    expect_rollout_error(with, "drift", 2, 0, "log-probability");
    let without = collect_with(Rollout::new(seed).episodes(3), 2, make, &policy);
    assert!(without.is_ok());
}

#[test]
fn wrongly_shaped_policy_output_is_reported() {
    let make = || Drift::boxed(Fault::None);
    let rollout = Rollout::new(1).episodes(3).first_episode(7);
    let result = collect_with(rollout, 2, make, &Faulty(Misbehaviour::WrongShape));
    expect_rollout_error(result, "drift", 7, 0, "shape");
    let result = collect_with(
        rollout.log_probs(true),
        2,
        make,
        &Faulty(Misbehaviour::ShortLogProb),
    );
    expect_rollout_error(result, "drift", 7, 0, "log-probabilities");
    let mut stream = rollout
        .stream(
            EnvFactory::new(make),
            Arc::new(Faulty(Misbehaviour::WrongShape)),
            1,
        )
        .unwrap();
    expect_rollout_error(stream.next().unwrap(), "drift", 7, 0, "shape");
    assert!(stream.next().is_none(), "a stream ends after an error");
}

#[test]
fn non_finite_env_output_is_reported() {
    let (seed, episode, step) = (2, 3, 9);
    let tag = tag_of_episode(seed, episode);
    let rollout = Rollout::new(seed).episodes(5);
    let policy = Gaussian { sigma: 0.3 };
    for (fault, what) in [
        (Fault::NanObservation { tag, step }, "observation"),
        (Fault::NanReward { tag, step }, "reward"),
    ] {
        let make = move || Drift::boxed(fault);
        for copies in [1, 2, 5] {
            let result = rollout.collect(&mut ParallelEnvs::new(copies, make), &policy);
            expect_rollout_error(result, "drift", episode as usize, step, what);
        }
        let errors: Vec<_> = rollout
            .stream(EnvFactory::new(make), gaussian(), 3)
            .unwrap()
            .filter_map(Result::err)
            .collect();
        assert_eq!(errors.len(), 1, "{errors:?}");
        expect_rollout_error(
            Err::<(), _>(errors.into_iter().next().unwrap()),
            "drift",
            3,
            9,
            what,
        );
    }
}

#[test]
fn a_panicking_env_ends_the_stream_with_an_error() {
    let seed = 4;
    let make = move || {
        Drift::boxed(Fault::Panic {
            tag: tag_of_episode(seed, 1),
            step: 2,
        })
    };
    let mut items: Vec<_> = Rollout::new(seed)
        .episodes(3)
        .stream(EnvFactory::new(make), gaussian(), 1)
        .unwrap()
        .collect();
    // One worker runs the episodes in order: episode 0, then the error at episode 1, then nothing.
    assert_eq!(items.len(), 2);
    let failed = items.pop().unwrap();
    assert_eq!(items.pop().unwrap().unwrap().0, 0);
    expect_rollout_error(failed, "drift", 1, 2, "drift broke");
}

#[test]
fn invalid_configurations_are_errors() {
    let stream = Rollout::new(0).stream(EnvFactory::new(RandomWalk::boxed), gaussian(), 0);
    assert!(matches!(stream, Err(EnvError::Invalid { .. })));
    let overflow = Rollout::new(0).episodes(2).first_episode(u64::MAX);
    let result = collect_with(overflow, 2, RandomWalk::boxed, &Gaussian { sigma: 0.3 });
    assert!(matches!(result, Err(EnvError::Invalid { .. })));
    let stream = overflow.stream(EnvFactory::new(RandomWalk::boxed), gaussian(), 1);
    assert!(matches!(stream, Err(EnvError::Invalid { .. })));
}

/// A [`RandomWalk`] that sleeps at every step and holds a token while alive.
struct Slow {
    inner: RandomWalk,
    delay: Duration,
    _alive: Arc<()>,
}

impl Env for Slow {
    fn spec(&self) -> &EnvSpec {
        self.inner.spec()
    }

    fn reset(&mut self, seed: u64, obs: &mut [f32]) {
        self.inner.reset(seed, obs);
    }

    fn step(&mut self, action: &[f32], obs: &mut [f32]) -> f32 {
        thread::sleep(self.delay);
        self.inner.step(action, obs)
    }
}

fn slow_factory(delay: Duration, alive: &Arc<()>) -> EnvFactory {
    let alive = Arc::clone(alive);
    EnvFactory::new(move || {
        Box::new(Slow {
            inner: RandomWalk::new(),
            delay,
            _alive: Arc::clone(&alive),
        })
    })
}

#[test]
fn dropping_a_stream_mid_episode_stops_and_joins_the_workers() {
    // Each episode takes HORIZON × 200 ms = 2.4 s; dropping must not wait for one to finish.
    let alive = Arc::new(());
    let stream = Rollout::new(0)
        .stream_unbounded(
            slow_factory(Duration::from_millis(200), &alive),
            gaussian(),
            4,
        )
        .unwrap();
    thread::sleep(Duration::from_millis(50));
    let start = Instant::now();
    drop(stream);
    assert!(
        start.elapsed() < Duration::from_millis(1500),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(Arc::strong_count(&alive), 1, "a worker still holds its env");
}

#[test]
fn dropping_a_stream_with_a_full_channel_stops_and_joins_the_workers() {
    let alive = Arc::new(());
    let mut stream = Rollout::new(0)
        .stream_unbounded(slow_factory(Duration::ZERO, &alive), gaussian(), 3)
        .unwrap();
    let mut seen: Vec<u64> = stream
        .by_ref()
        .take(5)
        .map(|item| item.unwrap().0)
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen.len(), 5);
    // Let the workers fill the channel and block on sending.
    thread::sleep(Duration::from_millis(100));
    let start = Instant::now();
    drop(stream);
    assert!(
        start.elapsed() < Duration::from_secs(1),
        "took {:?}",
        start.elapsed()
    );
    assert_eq!(Arc::strong_count(&alive), 1, "a worker still holds its env");
}
