//! Guided cost learning on the pendulum from 16 shipped demonstrations, through the library API:
//! its monitored quantities, its reproducibility and its saved cost.

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
        warm_start_epochs: 0,
        few_demos: None,
        seed,
    };
    GclLearner::new(&entry, config, demos, Device::Cpu).unwrap()
}

fn run(seed: u64, iterations: usize) -> Vec<GclMetrics> {
    let mut gcl = learner(seed);
    (0..iterations).map(|_| gcl.step().unwrap()).collect()
}

/// The monitored quantities stay meaningful while the policy learns: the losses and both `log Z`
/// figures are finite, and the normalised effective sample size lies in (0, 1]. (That the policy
/// learns to imitate is checked end to end by `costlearn train gcl` in the CLI tests.)
#[test]
fn the_monitored_quantities_stay_finite_and_in_range() {
    let m = run(1, 6);
    for x in &m {
        assert!(x.disc_loss.is_finite() && x.log_z.is_finite() && x.log_z_is.is_finite());
        assert!(x.ess > 0.0 && x.ess <= 1.0 + 1e-9, "ESS {}", x.ess);
    }
    assert_eq!(m.last().unwrap().env_steps, 6 * 20 * 200);
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
