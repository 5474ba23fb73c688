//! Tests of the discriminator's training round, the generator's rewards and the settings, on
//! fusion buffers of known policies.

use super::super::*;
use crate::fusion::tests::FixedGaussian;
use crate::fusion::{Fusion, FusionBuffer};
use crate::nn::Device;
use costlearn_envs::{episode_rng, EnvSpec, Policy, Rng, Space, Trajectories};
use ndarray::{Array2, Array3};
use rand::Rng as _;
use std::sync::Arc;

/// `n` episodes of `t` steps with states near `x` and actions near `u`.
fn trajs(n: usize, t: usize, x: f32, u: f32, rng: &mut Rng) -> Trajectories {
    let spec = EnvSpec {
        name: "toy".into(),
        observation_space: Space::unbounded(1),
        action_space: Space::unbounded(1),
        horizon: t,
        dt: 1.0,
    };
    Trajectories {
        spec,
        obs: Array3::from_shape_simple_fn((n, t + 1, 1), || x + rng.gen_range(-0.5..0.5)),
        acts: Array3::from_shape_simple_fn((n, t, 1), || u + rng.gen_range(-0.5..0.5)),
        rews: Array2::zeros((n, t)),
        logp: None,
    }
}

/// `L_disc` over every demonstration and every kept sample.
fn full_loss(
    disc: &Discriminator,
    buffer: &FusionBuffer,
    demos: &Trajectories,
    fusion: Fusion,
) -> f32 {
    let graph = disc.params().graph();
    let samples = buffer.samples().next().unwrap();
    let score = |t: &Trajectories, drawn_by| {
        let lq = disc.log_q(buffer, t, fusion, drawn_by).unwrap();
        disc.score(&graph, &StepBatch::from_trajectories(t).unwrap(), &lq)
            .unwrap()
    };
    let (d, s) = (score(demos, None), score(samples, Some(0)));
    disc.discriminator_loss(&d, &s).unwrap().item()
}

#[test]
fn discriminator_steps_reduce_the_discriminator_loss() {
    for granularity in [Granularity::Traj, Granularity::Transition] {
        let mut rng = episode_rng(7, 0);
        let demos = trajs(16, 5, 1.0, 0.5, &mut rng);
        let mut buffer = FusionBuffer::new(2)
            .and_then(|b| b.with_reference(demos.clone()))
            .unwrap();
        let policy: Arc<dyn Policy> = Arc::new(FixedGaussian(-0.5));
        buffer
            .push(policy, trajs(16, 5, -1.0, -0.5, &mut rng))
            .unwrap();
        let config = GclConfig::new()
            .granularity(granularity)
            .disc_steps(60)
            .batch_size(8)
            .learning_rate(1e-2)
            .cost(CostNetBuilder::new().hidden(&[16]).local_constant_rate(0.1));
        let mut disc = config.discriminator(Device::Cpu, 1, 1, &mut rng).unwrap();
        let before = full_loss(&disc, &buffer, &demos, config.fusion);
        let mut trainer = DiscriminatorTrainer::new(config.clone()).unwrap();
        let round = trainer.round(&mut disc, &buffer, &mut rng).unwrap();
        let after = full_loss(&disc, &buffer, &demos, config.fusion);
        eprintln!(
            "{granularity:?}: L_disc {before:.4} → {after:.4}, log Z {}",
            round.log_z
        );
        assert_eq!(round.disc_losses.len(), 60);
        assert!(round.regulariser.iter().all(|r| r.is_finite() && *r >= 0.0));
        assert!(after < 0.5 * before, "{granularity:?}: {before} → {after}");
    }
}

#[test]
fn rewards_sum_to_minus_the_sampler_loss_terms() {
    let mut rng = episode_rng(9, 0);
    let samples = trajs(3, 4, 0.0, 0.2, &mut rng);
    let mut buffer = FusionBuffer::new(1).unwrap();
    buffer
        .push(Arc::new(FixedGaussian(0.1)), samples.clone())
        .unwrap();
    let disc = DiscriminatorBuilder::new()
        .cost(CostNetBuilder::new().hidden(&[4]))
        .granularity(Granularity::Traj)
        .build(Device::Cpu, 1, 1, &mut rng)
        .unwrap();
    let batch = StepBatch::from_trajectories(&samples).unwrap();
    let log_pi = buffer
        .log_density_per_step(&samples, Fusion::Latest, Some(0))
        .unwrap();
    let host = disc.host_cost();
    let costs = host.traj_costs(&batch).unwrap();
    let log_q = disc
        .log_q(&buffer, &samples, Fusion::Latest, Some(0))
        .unwrap();
    for alpha in [1.0, 0.3] {
        let r = host.rewards(&batch, log_pi.view(), alpha).unwrap();
        for i in 0..3 {
            // −Σ_t r_t = c_θ(τ) + α·log q(τ)
            let want = f64::from(costs[i]) + alpha * log_q[i];
            let got = -r.row(i).iter().map(|&v| f64::from(v)).sum::<f64>();
            assert!((got - want).abs() < 1e-4, "{got} vs {want}");
        }
    }
    assert!(host.rewards(&batch, log_pi.t(), 1.0).is_err());
}

#[test]
fn the_config_reads_back_from_json_with_defaults() {
    let config = GclConfig::new()
        .granularity(Granularity::Transition)
        .fusion(Fusion::Own)
        .alpha(0.5)
        .cost(CostNetBuilder::new().input(CostInput::State).monotonic(1.0));
    let text = serde_json::to_string(&config).unwrap();
    assert_eq!(serde_json::from_str::<GclConfig>(&text).unwrap(), config);
    let partial: GclConfig =
        serde_json::from_str(r#"{"batch_size": 8, "granularity": "transition"}"#).unwrap();
    assert_eq!(
        partial,
        GclConfig::new()
            .batch_size(8)
            .granularity(Granularity::Transition)
    );
    assert!(serde_json::from_str::<GclConfig>(r#"{"batch": 8}"#).is_err());
    let cost: GclConfig = serde_json::from_str(r#"{"cost": {"hidden": [8]}}"#).unwrap();
    assert_eq!(
        cost,
        GclConfig::new().cost(CostNetBuilder::new().hidden(&[8]))
    );
}

#[test]
fn invalid_settings_and_inputs_are_errors() {
    assert!(GclConfig::new().disc_steps(0).validate().is_err());
    assert!(GclConfig::new().batch_size(0).validate().is_err());
    assert!(GclConfig::new().learning_rate(-1.0).validate().is_err());
    assert!(GclConfig::new().alpha(f32::NAN).validate().is_err());
    assert!(GclConfig::new()
        .max_grad_norm(Some(0.0))
        .validate()
        .is_err());
    assert!(GclConfig::new().validate().is_ok());
    let mut rng = episode_rng(8, 0);
    let config = GclConfig::new().cost(CostNetBuilder::new().hidden(&[4]));
    let mut disc = config.discriminator(Device::Cpu, 1, 1, &mut rng).unwrap();
    let mut trainer = DiscriminatorTrainer::new(config).unwrap();
    let demos = trajs(4, 3, 0.0, 0.0, &mut rng);
    let with_demos = |demos: &Trajectories| {
        FusionBuffer::new(1)
            .and_then(|b| b.with_reference(demos.clone()))
            .unwrap()
    };
    let no_demos = FusionBuffer::new(1).unwrap();
    assert!(matches!(
        trainer.round(&mut disc, &no_demos, &mut rng),
        Err(GclError::Empty(_))
    ));
    let empty = with_demos(&demos);
    assert!(matches!(
        trainer.round(&mut disc, &empty, &mut rng),
        Err(GclError::Fusion(_))
    ));
    let samples = trajs(4, 3, 0.0, 0.0, &mut rng);
    let mut buffer = with_demos(&demos);
    buffer
        .push(Arc::new(FixedGaussian(0.0)), samples.clone())
        .unwrap();
    assert!(trainer.round(&mut disc, &buffer, &mut rng).is_ok());
    let mut broken = demos.clone();
    broken.obs[[1, 2, 0]] = f32::NAN;
    let mut buffer = with_demos(&broken);
    buffer.push(Arc::new(FixedGaussian(0.0)), samples).unwrap();
    let before = disc.params().clone();
    assert!(matches!(
        trainer.round(&mut disc, &buffer, &mut rng),
        Err(GclError::NonFinite { .. })
    ));
    assert_eq!(format!("{:?}", disc.params()), format!("{before:?}"));
}
