//! Behaviour of the Rapier control tasks: determinism, spaces, experts, agreement with Gymnasium,
//! and the batched implementation.

use costlearn_envs::control::{hopper, navigation, pendulum};
use costlearn_envs::registry;
use costlearn_envs::{episode_rng, Env, Policy, UniformRandom, VecEnv};
use ndarray::Array2;
use rand::RngCore;

const TASKS: [&str; 5] = ["pendulum", "cartpole", "reacher", "navigation", "hopper"];

/// Returns of `episodes` episodes of `policy` on `env`: episode `i` uses `episode_rng(seed, i)`, whose
/// first draw is the reset seed and the rest is the policy's noise.
fn returns(env: &mut dyn Env, policy: &dyn Policy, seed: u64, episodes: u64) -> Vec<f32> {
    let spec = env.spec().clone();
    let mut obs = vec![0.0; spec.obs_dim()];
    (0..episodes)
        .map(|i| {
            let mut rngs = [episode_rng(seed, i)];
            env.reset(rngs[0].next_u64(), &mut obs);
            let mut total = 0.0;
            for _ in 0..spec.horizon {
                let x = Array2::from_shape_vec((1, obs.len()), obs.clone()).unwrap();
                let a = policy.act(x.view(), &mut rngs);
                total += env.step(a.as_slice().unwrap(), &mut obs);
                assert!(
                    obs.iter().all(|v| v.is_finite()),
                    "{}: non-finite obs {obs:?}",
                    spec.name
                );
            }
            total
        })
        .collect()
}

fn mean_std(v: &[f32]) -> (f32, f32) {
    let m = v.iter().sum::<f32>() / v.len() as f32;
    let var = v.iter().map(|x| (x - m) * (x - m)).sum::<f32>() / v.len() as f32;
    (m, var.sqrt())
}

/// Every observation and reward of one random episode.
fn random_episode(name: &str, seed: u64) -> Vec<f32> {
    let entry = registry::lookup(name).unwrap();
    let mut env = entry.make();
    let spec = env.spec().clone();
    let policy = UniformRandom::new(spec.action_space.clone()).unwrap();
    let mut rngs = [episode_rng(seed, 0)];
    let mut obs = vec![0.0; spec.obs_dim()];
    env.reset(rngs[0].next_u64(), &mut obs);
    let mut trace = obs.clone();
    for _ in 0..spec.horizon {
        let x = Array2::from_shape_vec((1, obs.len()), obs.clone()).unwrap();
        let a = policy.act(x.view(), &mut rngs);
        trace.push(env.step(a.as_slice().unwrap(), &mut obs));
        trace.extend_from_slice(&obs);
    }
    trace
}

#[test]
fn every_task_is_deterministic_for_a_seed() {
    for name in TASKS {
        let a = random_episode(name, 3);
        assert_eq!(a, random_episode(name, 3), "{name} differs between runs");
        assert_ne!(a, random_episode(name, 4), "{name} ignores its seed");
    }
}

#[test]
fn spaces_match_the_spec_and_observations_are_finite() {
    let dims = [
        ("pendulum", 3, 1),
        ("cartpole", 5, 1),
        ("reacher", 10, 2),
        ("navigation", 6, 2),
        ("hopper", 11, 3),
    ];
    for (name, od, ad) in dims {
        let env = registry::make(name).unwrap();
        let spec = env.spec();
        spec.validate().unwrap();
        assert_eq!((spec.obs_dim(), spec.act_dim()), (od, ad), "{name}");
        let trace = random_episode(name, 0);
        assert_eq!(trace.len(), od + spec.horizon * (od + 1));
        assert!(trace.iter().all(|v| v.is_finite()), "{name}");
    }
}

/// Checks an expert against uniform random over 64 episodes and prints both (the figures in the
/// task's documentation come from here).
fn expert_beats_random(name: &str, margin: f32) {
    let entry = registry::lookup(name).unwrap();
    let mut env = entry.make();
    let expert = entry.expert().unwrap();
    let random = UniformRandom::new(env.spec().action_space.clone()).unwrap();
    let (e, es) = mean_std(&returns(env.as_mut(), expert.as_ref(), 0, 64));
    let (r, rs) = mean_std(&returns(env.as_mut(), &random, 0, 64));
    println!("{name}: expert {e:.1} ± {es:.1}, random {r:.1} ± {rs:.1}");
    assert!(
        e > r + margin,
        "{name}: expert {e} does not beat random {r} by {margin}"
    );
}

#[test]
fn pendulum_expert_beats_random() {
    expert_beats_random("pendulum", 800.0);
}

#[test]
fn cartpole_expert_beats_random() {
    expert_beats_random("cartpole", 200.0);
}

#[test]
fn reacher_expert_beats_random() {
    expert_beats_random("reacher", 30.0);
}

#[test]
fn navigation_expert_beats_random() {
    expert_beats_random("navigation", 50.0);
}

#[test]
fn hopper_expert_beats_random() {
    expert_beats_random("hopper", 150.0);
}

/// The shipped weights load, act on the task's shapes with finite actions, and the noisy expert
/// replays an episode exactly from its seed.
#[test]
fn hopper_expert_weights_load_and_the_expert_is_deterministic() {
    let net = hopper::controller();
    assert_eq!((net.input_dim(), net.output_dim()), (11, 3));
    let mut env = hopper::make();
    let mut obs = vec![0.0; 11];
    env.reset(7, &mut obs);
    let mut u = [f32::NAN; 3];
    net.mean_action(&obs, &mut u);
    assert!(u.iter().all(|v| v.is_finite()), "{u:?}");
    let expert = hopper::expert();
    let a = returns(&mut env, &expert, 5, 2);
    assert_eq!(a, returns(&mut env, &expert, 5, 2));
    assert_ne!(a, returns(&mut env, &expert, 6, 2));
}

/// Runs `n` copies of `name`'s batched implementation for a whole episode under random actions in a
/// rayon pool of `threads` threads, returning every observation and reward.
fn batched_run(name: &str, n: usize, threads: usize) -> Vec<f32> {
    let entry = registry::lookup(name).unwrap();
    vec_run(&|n| entry.make_vec(n), n, threads)
}

type MakeVec<'a> = &'a (dyn Fn(usize) -> Box<dyn VecEnv> + Sync);

/// As [`batched_run`], for any way of building the copies.
fn vec_run(make: MakeVec<'_>, n: usize, threads: usize) -> Vec<f32> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .unwrap();
    pool.install(|| {
        let mut venv = make(n);
        let spec = venv.spec().clone();
        let policy = UniformRandom::new(spec.action_space.clone()).unwrap();
        let mut rngs: Vec<_> = (0..n as u64).map(|i| episode_rng(9, i)).collect();
        let seeds: Vec<u64> = rngs.iter_mut().map(|r| r.next_u64()).collect();
        let mut obs = vec![0.0; n * spec.obs_dim()];
        let mut rews = vec![0.0; n];
        venv.reset(&seeds, &mut obs);
        let mut trace = obs.clone();
        for _ in 0..spec.horizon {
            let x = Array2::from_shape_vec((n, spec.obs_dim()), obs.clone()).unwrap();
            let a = policy.act(x.view(), &mut rngs);
            venv.step(a.as_slice().unwrap(), &mut obs, &mut rews);
            trace.extend_from_slice(&obs);
            trace.extend_from_slice(&rews);
        }
        trace
    })
}

#[test]
fn batched_envs_do_not_depend_on_the_thread_count() {
    for name in TASKS {
        let one = batched_run(name, 20, 1);
        assert!(one.iter().all(|v| v.is_finite()), "{name}");
        assert_eq!(
            one,
            batched_run(name, 20, 2),
            "{name}: 1 and 2 threads differ"
        );
    }
}

/// The tasks with contacts keep one world per copy in the registry (several copies per world agree
/// with a lone copy only up to rounding once contacts are solved together), but their many-per-world
/// implementations are still independent of the thread count.
#[test]
fn contact_tasks_many_per_world_do_not_depend_on_the_thread_count() {
    let makers: [(&str, MakeVec<'_>); 2] = [
        ("hopper", &|n| Box::new(hopper::make_vec(n))),
        ("navigation", &|n| Box::new(navigation::make_vec(n))),
    ];
    for (name, make) in makers {
        let one = vec_run(make, 20, 1);
        assert!(one.iter().all(|v| v.is_finite()), "{name}");
        assert_eq!(one, vec_run(make, 20, 2), "{name}: 1 and 2 threads differ");
    }
}

/// Each copy of the batched implementation follows the same episode as the task run on its own.
#[test]
fn batched_copies_match_single_envs() {
    let n = 11;
    for name in TASKS {
        let batched = batched_run(name, n, 2);
        let entry = registry::lookup(name).unwrap();
        let spec = entry.make().spec().clone();
        let od = spec.obs_dim();
        let policy = UniformRandom::new(spec.action_space.clone()).unwrap();
        for i in [0usize, 7, 10] {
            let mut env = entry.make();
            let mut rng = [episode_rng(9, i as u64)];
            let mut obs = vec![0.0; od];
            env.reset(rng[0].next_u64(), &mut obs);
            assert_eq!(
                obs[..],
                batched[i * od..(i + 1) * od],
                "{name} copy {i} at reset"
            );
            for t in 0..spec.horizon {
                let x = Array2::from_shape_vec((1, od), obs.clone()).unwrap();
                // The batched run drew every copy's action from its own stream, so this replays it.
                let a = policy.act(x.view(), &mut rng);
                let r = env.step(a.as_slice().unwrap(), &mut obs);
                let base = n * od + t * n * (od + 1);
                assert_eq!(
                    obs[..],
                    batched[base + i * od..base + (i + 1) * od],
                    "{name} copy {i} step {t}"
                );
                assert_eq!(
                    r,
                    batched[base + n * od + i],
                    "{name} copy {i} reward at step {t}"
                );
            }
        }
    }
}

/// Gymnasium's Pendulum-v1 step, written out: semi-implicit Euler with the speed clipped.
fn gymnasium_pendulum_step(theta: f64, theta_dot: f64, u: f64) -> (f64, f64) {
    let (g, m, l, dt) = (10.0, 1.0, 1.0, 0.05);
    let u = u.clamp(-2.0, 2.0);
    let new_dot = (theta_dot + (3.0 * g / (2.0 * l) * theta.sin() + 3.0 / (m * l * l) * u) * dt)
        .clamp(-8.0, 8.0);
    (theta + new_dot * dt, new_dot)
}

/// Our pendulum follows Gymnasium's closed-form step to within 1e-4 in every observation over 20
/// steps from the same state and actions, including steps where the speed clip is active.
#[test]
fn pendulum_agrees_with_gymnasium_closed_form() {
    let mut env = pendulum::make();
    let mut obs = [0.0f32; 3];
    for seed in 0..8 {
        env.reset(seed, &mut obs);
        let (mut th, mut thd) = (
            f64::from(obs[1]).atan2(f64::from(obs[0])),
            f64::from(obs[2]),
        );
        let mut clipped = false;
        for t in 0..20 {
            let u = if seed % 2 == 0 {
                2.5
            } else {
                -1.0 + 0.1 * t as f32
            };
            env.step(&[u], &mut obs);
            (th, thd) = gymnasium_pendulum_step(th, thd, f64::from(u));
            clipped |= thd.abs() >= 8.0;
            let want = [th.cos(), th.sin(), thd];
            for (o, w) in obs.iter().zip(want) {
                assert!(
                    (f64::from(*o) - w).abs() < 1e-4,
                    "seed {seed} step {t}: {obs:?} vs {want:?}"
                );
            }
        }
        if seed == 0 {
            assert!(clipped, "the test should reach the speed limit");
        }
    }
}

/// The changed tasks: deterministic, the spaces of their base task, other dynamics, and an expert
/// that still does the task.
#[test]
fn changed_tasks_keep_their_spaces_and_change_the_dynamics() {
    let pairs = [
        ("pendulum", "pendulum-heavy"),
        ("reacher", "reacher-long"),
        ("navigation", "navigation-tall"),
    ];
    for (base, changed) in pairs {
        let (b, c) = (
            registry::make(base).unwrap(),
            registry::make(changed).unwrap(),
        );
        assert_eq!(b.spec().observation_space, c.spec().observation_space);
        assert_eq!(b.spec().action_space, c.spec().action_space);
        assert_eq!(b.spec().horizon, c.spec().horizon);
        let a = random_episode(changed, 3);
        assert_eq!(
            a,
            random_episode(changed, 3),
            "{changed} differs between runs"
        );
        if base != "navigation" {
            // Random pushes keep the mass far from the ends of the wall, where the two differ.
            assert_ne!(a, random_episode(base, 3), "{changed} steps as {base} does");
        }
    }
    // The base task's expert aims past the old wall's corners, inside the taller wall, which
    // stops it.
    let [on_base, on_tall] = ["navigation", "navigation-tall"].map(|name| {
        returns(
            registry::make(name).unwrap().as_mut(),
            &navigation::expert(),
            0,
            8,
        )
    });
    assert_ne!(on_base, on_tall);
    // Same start state and torque, other mass: the next state differs.
    let (mut b, mut c) = (
        registry::make("pendulum").unwrap(),
        registry::make("pendulum-heavy").unwrap(),
    );
    let (mut ob, mut oc) = ([0.0; 3], [0.0; 3]);
    b.reset(7, &mut ob);
    c.reset(7, &mut oc);
    assert_eq!(ob, oc);
    b.step(&[1.0], &mut ob);
    c.step(&[1.0], &mut oc);
    assert_ne!(ob, oc);
    expert_beats_random("pendulum-heavy", 800.0);
    expert_beats_random("reacher-long", 30.0);
    expert_beats_random("navigation-tall", 50.0);
}
