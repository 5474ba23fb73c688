//! The segment-level discriminator generalises both granularities (`K = 1` is `transition`,
//! `K = T` is `traj`, number for number), and the shaped cost `g_θ + h_φ(x') − h_φ(x)` telescopes
//! over a whole trajectory of fixed horizon to `Σ_t g_θ − h_φ(x_1)`.

use costlearn_agents::cost::Cost;
use costlearn_agents::fusion::{Fusion, FusionBuffer};
use costlearn_agents::gcl::{
    CostInput, CostNetBuilder, CostPart, Discriminator, DiscriminatorBuilder, Granularity,
    LearnedCost, StepBatch,
};
use costlearn_agents::nn::{Activation, Device};
use costlearn_envs::{episode_rng, EnvSpec, Policy, Rng, Space, Trajectories};
use ndarray::{s, Array1, Array2, Array3, ArrayView2};
use rand::Rng as _;
use std::sync::Arc;

const OBS: usize = 2;
const ACT: usize = 1;

/// `π(u | x) = N(u; mean + slope·x_0, 1)`.
struct LinearGaussian {
    mean: f32,
    slope: f32,
}

impl Policy for LinearGaussian {
    fn act(&self, obs: ArrayView2<'_, f32>, _rngs: &mut [Rng]) -> Array2<f32> {
        obs.column(0)
            .mapv(|x| self.mean + self.slope * x)
            .insert_axis(ndarray::Axis(1))
    }
    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        let half_log_2pi = 0.5 * (2.0 * std::f32::consts::PI).ln();
        ndarray::Zip::from(obs.column(0))
            .and(acts.column(0))
            .map_collect(|&x, &u| -0.5 * (u - self.mean - self.slope * x).powi(2) - half_log_2pi)
    }
}

/// `n` random episodes of `t` steps around state `x` and action `u`.
fn trajs(n: usize, t: usize, x: f32, u: f32, rng: &mut Rng) -> Trajectories {
    Trajectories {
        spec: EnvSpec {
            name: "toy".into(),
            observation_space: Space::unbounded(OBS),
            action_space: Space::unbounded(ACT),
            horizon: t,
            dt: 1.0,
        },
        obs: Array3::from_shape_simple_fn((n, t + 1, OBS), || x + rng.gen_range(-0.5..0.5)),
        acts: Array3::from_shape_simple_fn((n, t, ACT), || u + rng.gen_range(-0.5..0.5)),
        rews: Array2::zeros((n, t)),
        logp: None,
    }
}

/// Demonstrations, and a fusion buffer of two snapshots with the samples they drew.
fn problem(t: usize) -> (Trajectories, FusionBuffer) {
    let mut rng = episode_rng(3, 0);
    let demos = trajs(4, t, 0.8, 0.5, &mut rng);
    let mut buffer = FusionBuffer::new(3).unwrap();
    for (mean, slope, n) in [(-0.4, 0.3, 3), (0.1, -0.2, 5)] {
        let policy: Arc<dyn Policy> = Arc::new(LinearGaussian { mean, slope });
        buffer
            .push(policy, trajs(n, t, -0.2, mean, &mut rng))
            .unwrap();
    }
    (demos, buffer)
}

fn discriminator(granularity: Granularity, cost: CostNetBuilder) -> Discriminator {
    let mut disc = DiscriminatorBuilder::new()
        .cost(cost)
        .granularity(granularity)
        .build(Device::Cpu, OBS, ACT, &mut episode_rng(11, 0))
        .unwrap();
    disc.set_log_z(0.7).unwrap();
    disc
}

/// The log-densities, the three losses and the gradient of `L_disc` of one discriminator.
type Outcome = (Vec<f64>, Vec<f64>, [f32; 3], Vec<Array2<f32>>);

fn outcome(disc: &Discriminator, demos: &Trajectories, buffer: &FusionBuffer) -> Outcome {
    let samples = buffer.samples().nth(1).unwrap();
    let demo_q = disc.log_q(buffer, demos, Fusion::Mixture, None).unwrap();
    let sample_q = disc
        .log_q(buffer, samples, Fusion::Mixture, Some(1))
        .unwrap();
    let graph = disc.params().graph();
    let d = disc
        .score(
            &graph,
            &StepBatch::from_trajectories(demos).unwrap(),
            &demo_q,
        )
        .unwrap();
    let q = disc
        .score(
            &graph,
            &StepBatch::from_trajectories(samples).unwrap(),
            &sample_q,
        )
        .unwrap();
    let l_disc = disc.discriminator_loss(&d, &q).unwrap();
    let losses = [
        l_disc.item(),
        disc.cost_loss(&d, &q, 0.7).unwrap().item(),
        disc.generator_loss(&q).unwrap().item(),
    ];
    let grads = disc
        .params()
        .grads(l_disc.backward().unwrap())
        .unwrap()
        .to_arrays();
    (demo_q, sample_q, losses, grads)
}

#[test]
fn segments_of_one_step_are_transitions_and_of_the_horizon_are_trajectories() {
    let t = 6;
    let (demos, buffer) = problem(t);
    let cost = || {
        CostNetBuilder::new()
            .hidden(&[8])
            .activation(Activation::Tanh)
    };
    let transition = outcome(
        &discriminator(Granularity::Transition, cost()),
        &demos,
        &buffer,
    );
    let one = outcome(
        &discriminator(Granularity::Segment { len: 1 }, cost()),
        &demos,
        &buffer,
    );
    assert_eq!(transition, one, "K = 1 is transition mode");
    assert_eq!(transition.0.len(), 4 * t);

    let traj = outcome(&discriminator(Granularity::Traj, cost()), &demos, &buffer);
    for len in [t, t + 5] {
        let whole = outcome(
            &discriminator(Granularity::Segment { len }, cost()),
            &demos,
            &buffer,
        );
        assert_eq!(traj, whole, "K = {len} ≥ T is trajectory mode");
    }
    assert_eq!(traj.0.len(), 4);
    assert_ne!(traj.2, transition.2);
}

#[test]
fn a_segment_sums_its_step_costs_and_mixes_its_snapshots_whole() {
    let (t, len) = (7, 3);
    let (demos, buffer) = problem(t);
    let disc = discriminator(
        Granularity::Segment { len },
        CostNetBuilder::new().hidden(&[4]),
    );
    let q = disc.log_q(&buffer, &demos, Fusion::Mixture, None).unwrap();
    // Segments [0, 3), [3, 6), [6, 7) of each of the 4 episodes.
    assert_eq!(q.len(), 4 * 3);
    let per_step = buffer.step_log_probs(&demos).unwrap().mapv(f64::from);
    let w = buffer.weights();
    for i in 0..4 {
        for (j, (a, b)) in [(0, 3), (3, 6), (6, 7)].into_iter().enumerate() {
            // log Σ_k w_k Π_{t∈σ} π_k(u_t | x_t), directly in f64.
            let want = (0..2)
                .map(|k| w[k] * per_step.slice(s![k, i, a..b]).sum().exp())
                .sum::<f64>()
                .ln();
            let got = q[i * 3 + j];
            assert!(
                (got - want).abs() < 1e-9,
                "episode {i} segment {j}: {got} vs {want}"
            );
        }
    }
    let batch = StepBatch::from_trajectories(&demos).unwrap();
    let host = disc.host_cost();
    let steps = host.step_costs(&batch).unwrap();
    let segments = host.segment_costs(&batch, len).unwrap();
    let graph = disc.params().graph();
    let scored = disc.score(&graph, &batch, &q).unwrap().costs.to_array();
    for i in 0..4 {
        for (j, (a, b)) in [(0, 3), (3, 6), (6, 7)].into_iter().enumerate() {
            let want: f32 = steps.slice(s![i, a..b]).sum();
            assert!((segments[[i, j]] - want).abs() < 1e-5);
            assert!((scored[[i * 3 + j, 0]] - want).abs() < 1e-5);
        }
    }
    assert!(DiscriminatorBuilder::new()
        .granularity(Granularity::Segment { len: 0 })
        .build(Device::Cpu, OBS, ACT, &mut episode_rng(0, 0))
        .is_err());
}

#[test]
fn shaping_telescopes_over_a_trajectory_to_minus_the_first_potential() {
    let t = 5;
    let (demos, _) = problem(t);
    let batch = StepBatch::from_trajectories(&demos).unwrap();
    let disc = discriminator(
        Granularity::Traj,
        CostNetBuilder::new()
            .input(CostInput::State)
            .hidden(&[8])
            .shaping(Some(&[8])),
    );
    let host = disc.host_cost();
    assert!(host.is_shaped());
    let f = host.step_costs(&batch).unwrap();
    let g = host.step_costs_of(&batch, CostPart::Task).unwrap();
    // The potential of each state, read off a trajectory of one step: f = g + 0 − h(x_1).
    let first = demos.obs.slice(s![.., 0..1, ..]).to_owned();
    let one_step = StepBatch::states(first.view()).unwrap();
    let h1: Vec<f32> = (0..4)
        .map(|i| {
            host.step_costs_of(&one_step, CostPart::Task).unwrap()[[i, 0]]
                - host.step_costs(&one_step).unwrap()[[i, 0]]
        })
        .collect();
    let graph = disc.params().graph();
    let traj_q = vec![0.0; 4];
    let on_graph = disc.score(&graph, &batch, &traj_q).unwrap();
    for i in 0..4 {
        // Σ_t f_t = Σ_t g_t − h(x_1): the shaping does not depend on where the trajectory went.
        let sum_f: f32 = f.row(i).sum();
        let sum_g: f32 = g.row(i).sum();
        assert!(
            (sum_f - (sum_g - h1[i])).abs() < 1e-4,
            "{sum_f} vs {}",
            sum_g - h1[i]
        );
        assert!((on_graph.costs.to_array()[[i, 0]] - sum_f).abs() < 1e-4);
        for k in 0..t {
            assert!((on_graph.step_costs.to_array()[[i * t + k, 0]] - f[[i, k]]).abs() < 1e-5);
        }
    }
    // Per step the shaping does not vanish: the cost of a step depends on where it leads.
    assert!(f.iter().zip(&g).any(|(a, b)| (a - b).abs() > 1e-3));

    // As a `Cost`: whole episodes read the next state; single steps only the task part.
    let full = LearnedCost::new(host.clone(), OBS, ACT);
    let episodes = full
        .episode_costs(demos.obs.view(), demos.acts.view())
        .unwrap();
    assert_eq!(episodes, f);
    let steps = demos
        .obs
        .slice(s![.., ..t, ..])
        .to_shape((4 * t, OBS))
        .unwrap()
        .to_owned();
    let acts = demos.acts.to_shape((4 * t, ACT)).unwrap().to_owned();
    let err = full.cost(steps.view(), acts.view()).unwrap_err();
    assert!(err.to_string().contains("shaped"), "{err}");
    let task = LearnedCost::new(host, OBS, ACT).part(CostPart::Task);
    let c = task.cost(steps.view(), acts.view()).unwrap();
    assert_eq!(c.into_shape_with_order((4, t)).unwrap(), g);
}
