//! Guided cost learning on the tabular tasks, against exact MaxEnt IRL (Ziebart et al. 2008) on the
//! same 64 shipped demonstrations and the same features: the GCL generator's policy ends close to
//! the exact-IRL policy in KL per step and in true expected return.

use costlearn_agents::gcl::{GclLearner, Generator, Granularity, LearnerConfig};
use costlearn_agents::maxent_irl::MaxEntIrl;
use costlearn_agents::nn::Device;
use costlearn_envs::tabular::{expected_return, state_action_visitation, Mdp};
use costlearn_envs::{demos, registry, Trajectories};
use ndarray::{Array1, Array3, Axis};
use std::path::Path;

/// `Σ_{t,s,a} D_t(s,a) (log p_t(a|s) − log q_t(a|s)) / T`: the KL per step from `p` to `q` along
/// `p`'s visitation `D`.
fn kl_per_step(d: &Array3<f64>, log_p: &Array3<f64>, log_q: &Array3<f64>) -> f64 {
    let total: f64 = d
        .iter()
        .zip(log_p.iter().zip(log_q.iter()))
        .filter(|(&d, _)| d > 0.0)
        .map(|(&d, (&lp, &lq))| d * (lp - lq))
        .sum();
    total / d.len_of(Axis(0)) as f64
}

fn shipped(env: &str) -> (Mdp, Trajectories) {
    let entry = registry::lookup(env).unwrap();
    let task = entry.make();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../demos/{env}.npz"));
    let demos = demos::load_for(&path, task.spec()).unwrap();
    (task.tabular().unwrap().clone(), demos)
}

/// The library's defaults for a tabular task: a shaped cost, both parts linear over the features,
/// a transition-level discriminator, α = 1, generator steps of η = 0.2.
fn learner(env: &str, demos: Trajectories, seed: u64) -> GclLearner {
    let entry = registry::lookup(env).unwrap();
    let config = LearnerConfig::for_task(&entry, seed);
    assert_eq!(config.gcl.granularity, Granularity::Transition);
    assert_eq!(config.tabular.step_size, 0.2);
    assert_eq!(config.gcl.cost.shaping_hidden(), Some(&[][..]));
    GclLearner::new(&entry, config, demos, Device::Cpu).unwrap()
}

fn tabular(gcl: &GclLearner) -> &costlearn_agents::gcl::TabularGenerator {
    match gcl.generator() {
        Generator::Tabular(t) => t,
        Generator::Ppo(_) => panic!("a tabular task gets the tabular generator"),
    }
}

/// Runs `iterations` of GCL and returns, averaged over the last `last` iterations, the KL per step
/// from the exact-IRL policy to the generator's and `|V_true(π_gcl) − V_true(π_irl)|`.
fn gcl_vs_exact(env: &str, l2: f64, iterations: usize, last: usize) -> (f64, f64) {
    let (mdp, demos) = shipped(env);
    let fit = MaxEntIrl::new()
        .l2(l2)
        .fit_linear(env, &mdp, &demos)
        .unwrap();
    let d_irl = state_action_visitation(&mdp, fit.values.log_pi.view()).unwrap();
    let v_irl = expected_return(mdp.reward.view(), d_irl.view()).unwrap();
    let mut gcl = learner(env, demos, 1);
    let (mut kl, mut dv) = (0.0, 0.0);
    for i in 0..iterations {
        gcl.step().unwrap();
        if i + last >= iterations {
            let log_pi = tabular(&gcl).policy().log_pi();
            let d = state_action_visitation(&mdp, log_pi.view()).unwrap();
            let v = expected_return(mdp.reward.view(), d.view()).unwrap();
            kl += kl_per_step(&d_irl, &fit.values.log_pi, log_pi) / last as f64;
            dv += (v - v_irl).abs() / last as f64;
        }
    }
    (kl, dv)
}

/// Measured (seed 1, 100 iterations, mean of the last 10): KL 0.047 nats/step, within the 0.05
/// target, and a value gap of 4.9 (exact IRL with λ = 0.01 reaches 20.4; the uniform policy about
/// 0.6). Seeds 0 and 2 give 0.042 and 0.045. Without the shaping potential the KL stays at 0.094:
/// a state-only cost judged per transition then also absorbs what `h_φ(s') − h_φ(s)` carries.
#[test]
fn on_gridworld_gcl_ends_within_the_kl_target_of_exact_maxent_irl() {
    let (kl, dv) = gcl_vs_exact("gridworld", 0.01, 100, 10);
    assert!(kl < 0.05, "KL(π_irl ‖ π_gcl) = {kl} nats/step");
    assert!(dv < 6.0, "|V(π_gcl) − V(π_irl)| = {dv}");
}

/// Measured (seed 1, 100 iterations, mean of the last 10): KL 0.020 nats/step, within the 0.05
/// target, and a value gap of 4.0 (exact IRL reaches 20.6). Seeds 0 and 2 give 0.019 and 0.023.
#[test]
fn on_objectworld_gcl_ends_within_the_kl_target_of_exact_maxent_irl() {
    let (kl, dv) = gcl_vs_exact("objectworld", 0.0, 100, 10);
    assert!(kl < 0.05, "KL(π_irl ‖ π_gcl) = {kl} nats/step");
    assert!(dv < 6.0, "|V(π_gcl) − V(π_irl)| = {dv}");
}

#[test]
fn the_learned_cost_does_not_depend_on_the_thread_count() {
    let (_, demos) = shipped("objectworld");
    let cost_with = |threads: usize| -> Array1<f64> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        pool.install(|| {
            let mut gcl = learner("objectworld", demos.clone(), 3);
            for _ in 0..5 {
                gcl.step().unwrap();
            }
            tabular(&gcl).state_cost().clone()
        })
    };
    let one = cost_with(1);
    assert_eq!(one, cost_with(3));
    assert!(one.iter().any(|&c| c != one[0]), "the cost was trained");
}

#[test]
fn the_tabular_policy_and_cost_round_trip_through_a_file() {
    let (_, demos) = shipped("gridworld");
    let mut trained = learner("gridworld", demos.clone(), 4);
    trained.step().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("weights.safetensors");
    trained.generator().save(&path).unwrap();
    let mut fresh = learner("gridworld", demos, 5);
    fresh.generator_mut().load(&path).unwrap();
    let (a, b) = (tabular(&trained), tabular(&fresh));
    let cost_gap = (a.state_cost() - b.state_cost()).mapv(f64::abs).sum();
    let table_gap = (a.policy().log_pi() - b.policy().log_pi())
        .mapv(f64::abs)
        .fold(0.0f64, |m, &v| m.max(v));
    assert!(
        cost_gap < 1e-4 && table_gap < 1e-4,
        "{cost_gap} {table_gap}"
    );
}
