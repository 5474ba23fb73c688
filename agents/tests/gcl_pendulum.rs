//! Guided cost learning end to end on the pendulum: from 16 shipped demonstrations, the policy
//! trained on the learned cost clearly improves the true return, reproducibly.

use costlearn_agents::fusion::Fusion;
use costlearn_agents::gcl::{GclConfig, GclLearner, GclMetrics, Granularity, LearnerConfig};
use costlearn_agents::nn::Device;
use costlearn_agents::ppo::PpoConfig;
use costlearn_envs::{demos, registry};
use std::path::Path;

fn learner(seed: u64) -> GclLearner {
    let entry = registry::lookup("pendulum").unwrap();
    let spec = entry.make_vec(1).spec().clone();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../demos/pendulum.npz");
    let demos = demos::load_for(&path, &spec).unwrap().first(16);
    let config = LearnerConfig {
        gcl: GclConfig::new()
            .granularity(Granularity::Transition)
            .fusion(Fusion::Mixture)
            .batch_size(16),
        ppo: PpoConfig::for_task("pendulum").seed(seed),
        tabular: Default::default(),
        fusion_snapshots: 5,
        seed,
    };
    GclLearner::new(&entry, config, demos, Device::Cpu).unwrap()
}

fn run(seed: u64, iterations: usize) -> Vec<GclMetrics> {
    let mut gcl = learner(seed);
    (0..iterations).map(|_| gcl.step().unwrap()).collect()
}

/// Measured with this configuration, seeds 1–3: the first iteration's return is −1269, −1224,
/// −1131; the mean of iterations 28–30 is −343, −385, −290 (improvements 926, 839, 841; about
/// 13 s per run on one core in release). The test asks for 500.
#[test]
fn gcl_transition_clearly_improves_the_pendulum_return() {
    let m = run(1, 30);
    let first = m[0].true_return;
    let last = m[27..].iter().map(|x| x.true_return).sum::<f32>() / 3.0;
    assert!(
        last - first > 500.0,
        "first return {first}, last three {last}"
    );
    for x in &m {
        assert!(x.disc_loss.is_finite() && x.log_z.is_finite() && x.log_z_is.is_finite());
        assert!(x.ess > 0.0 && x.ess <= 1.0 + 1e-9, "ESS {}", x.ess);
    }
}

#[test]
fn the_same_seed_gives_the_same_metrics_and_the_cost_round_trips() {
    let a = run(4, 2);
    let b = run(4, 2);
    assert_eq!(a, b);

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cost.safetensors");
    let mut trained = learner(5);
    trained.step().unwrap();
    trained.save_cost(&path).unwrap();
    let mut fresh = learner(6);
    fresh.load_cost(&path).unwrap();
    assert_eq!(
        trained.discriminator().host_cost(),
        fresh.discriminator().host_cost()
    );
    assert_eq!(
        trained.discriminator().log_z(),
        fresh.discriminator().log_z()
    );
}
