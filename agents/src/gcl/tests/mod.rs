//! Tests of guided cost learning: the three facts of the paper's §3.2 (autodiff against closed
//! forms), each loss against a direct `f64` computation, granularities and errors.

use super::*;
use crate::nn::{Activation, Device, Graph, ParamSet};
use crate::ppo::PpoConfig;
use costlearn_envs::episode_rng;
use ndarray::{Array2, Array3};
use rand::Rng as _;

/// A random problem: a small random cost, `n` demonstrations and `n` samples of `t` steps with
/// random states, actions and generator log-densities.
struct Problem {
    disc: Discriminator,
    demo_obs: Array3<f32>,
    demo_acts: Array3<f32>,
    sample_obs: Array3<f32>,
    sample_acts: Array3<f32>,
    demo_log_q: Vec<f64>,
    sample_log_q: Vec<f64>,
}

const OBS: usize = 3;
const ACT: usize = 2;

impl Problem {
    fn new(seed: u64, n: usize, t: usize, granularity: Granularity, input: CostInput) -> Self {
        let mut rng = episode_rng(seed, 0);
        let disc = DiscriminatorBuilder::new()
            .cost(
                CostNetBuilder::new()
                    .input(input)
                    .hidden(&[8])
                    .activation(Activation::Tanh),
            )
            .granularity(granularity)
            .build(Device::Cpu, OBS, ACT, &mut rng)
            .unwrap();
        let mut array = |d: usize, shift: f32| {
            Array3::from_shape_simple_fn((n, t, d), || rng.gen_range(-1.0f32..1.0) + shift)
        };
        let (demo_obs, demo_acts) = (array(OBS, 0.5), array(ACT, 0.0));
        let (sample_obs, sample_acts) = (array(OBS, -0.5), array(ACT, 0.3));
        let len = granularity.segment_len(t);
        let items = n * t.div_ceil(len);
        let per_item = len as f64;
        let mut log_q = |shift: f64| -> Vec<f64> {
            (0..items)
                .map(|_| per_item * (rng.gen_range(-1.5..0.5) + shift))
                .collect()
        };
        let (demo_log_q, sample_log_q) = (log_q(-0.5), log_q(0.0));
        Self {
            disc,
            demo_obs,
            demo_acts,
            sample_obs,
            sample_acts,
            demo_log_q,
            sample_log_q,
        }
    }

    fn batch<'a>(&self, obs: &'a Array3<f32>, acts: &'a Array3<f32>) -> StepBatch<'a> {
        match self.disc.cost_net().input() {
            CostInput::StateAction | CostInput::Separable => {
                StepBatch::new(obs.view(), acts.view()).unwrap()
            }
            CostInput::State | CostInput::StateFeatures => StepBatch::states(obs.view()).unwrap(),
        }
    }

    /// Demonstrations and samples scored on `graph`.
    fn score(&self, graph: &Graph) -> (Scored, Scored) {
        let demos = self.batch(&self.demo_obs, &self.demo_acts);
        let samples = self.batch(&self.sample_obs, &self.sample_acts);
        (
            self.disc.score(graph, &demos, &self.demo_log_q).unwrap(),
            self.disc
                .score(graph, &samples, &self.sample_log_q)
                .unwrap(),
        )
    }

    /// Gradients of every parameter of a loss built on a fresh graph.
    fn grads(&self, loss: impl Fn(&Scored, &Scored) -> crate::nn::Var) -> Vec<Array2<f32>> {
        let graph = self.disc.params().graph();
        let (d, s) = self.score(&graph);
        let l = loss(&d, &s);
        self.disc
            .params()
            .grads(l.backward().unwrap())
            .unwrap()
            .to_arrays()
    }

    fn log_z_index(&self) -> usize {
        let names = self.disc.params().names();
        names.iter().position(|n| n == "log_z").unwrap()
    }

    /// `∂L_disc/∂log Z` by autodiff at the current `log Z`.
    fn disc_slope(&self) -> f64 {
        let g = self.grads(|d, s| self.disc.discriminator_loss(d, s).unwrap());
        f64::from(g[self.log_z_index()][[0, 0]])
    }

    /// Host costs of demonstrations and samples, per item.
    fn costs(&self) -> (Vec<f64>, Vec<f64>) {
        let graph = self.disc.params().graph();
        let (d, s) = self.score(&graph);
        (d.cost_values(), s.cost_values())
    }

    /// The `log Z` where the autodiff derivative of `L_disc` changes sign, by bisection.
    fn autodiff_optimal_log_z(&mut self) -> f32 {
        let (mut lo, mut hi) = (-60.0f32, 60.0f32);
        for _ in 0..80 {
            let mid = 0.5 * (lo + hi);
            if mid == lo || mid == hi {
                break;
            }
            self.disc.set_log_z(mid).unwrap();
            if self.disc_slope() < 0.0 {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        let s = 0.5 * (lo + hi);
        self.disc.set_log_z(s).unwrap();
        s
    }
}

fn max_relative_error(a: &[Array2<f32>], b: &[Array2<f64>]) -> (f64, f64) {
    let scale = b
        .iter()
        .flat_map(|m| m.iter())
        .fold(0.0f64, |m, v| m.max(v.abs()));
    let err = a
        .iter()
        .zip(b)
        .flat_map(|(x, y)| x.iter().zip(y.iter()))
        .fold(0.0f64, |m, (x, y)| m.max((f64::from(*x) - y).abs()));
    (err / scale, scale)
}

const SETTINGS: [(Granularity, CostInput); 5] = [
    (Granularity::Traj, CostInput::StateAction),
    (Granularity::Transition, CostInput::StateAction),
    (Granularity::Traj, CostInput::State),
    (Granularity::Segment { len: 2 }, CostInput::Separable),
    (Granularity::Transition, CostInput::Separable),
];

#[test]
fn fact_1_the_optimal_log_z_is_the_importance_sampling_estimate() {
    for (seed, (granularity, input)) in SETTINGS.into_iter().enumerate() {
        let mut p = Problem::new(seed as u64 + 10, 6, 4, granularity, input);
        let s_star = f64::from(p.autodiff_optimal_log_z());
        let (dc, sc) = p.costs();
        let scores = Scores {
            demo_costs: &dc,
            demo_log_q: &p.demo_log_q,
            sample_costs: &sc,
            sample_log_q: &p.sample_log_q,
        };
        // Z = E_μ[exp(−c)/μ̃] with μ̃ taken at that same Z: a fixed point.
        let is = scores.importance_log_z(s_star).unwrap();
        let newton = scores.optimal_log_z().unwrap();
        eprintln!(
            "fact 1 {granularity:?}/{input:?}: autodiff minimiser {s_star:.7}, IS estimate at it \
             {is:.7} (|diff| {:.1e}), f64 Newton {newton:.7}",
            (is - s_star).abs()
        );
        assert!(
            (is - s_star).abs() < 2e-5,
            "{granularity:?}/{input:?}: autodiff minimiser {s_star}, IS estimate at it {is}"
        );
        // The f64 Newton solution agrees, and is a fixed point to rounding.
        assert!((newton - s_star).abs() < 2e-5, "{newton} vs {s_star}");
        let is_newton = scores.importance_log_z(newton).unwrap();
        assert!(
            (is_newton - newton).abs() < 1e-12,
            "{is_newton} vs {newton}"
        );
        // Away from the optimum the estimate is not a fixed point, so the check above can fail.
        let off = scores.importance_log_z(newton + 1.0).unwrap();
        assert!((off - (newton + 1.0)).abs() > 0.1, "{off}");
    }
}

#[test]
fn fact_2_at_the_optimal_z_the_discriminator_and_cost_gradients_agree() {
    for (seed, (granularity, input)) in SETTINGS.into_iter().enumerate() {
        let mut p = Problem::new(seed as u64 + 20, 6, 4, granularity, input);
        let (dc, sc) = p.costs();
        let scores = Scores {
            demo_costs: &dc,
            demo_log_q: &p.demo_log_q,
            sample_costs: &sc,
            sample_log_q: &p.sample_log_q,
        };
        let s_star = scores.optimal_log_z().unwrap();
        p.disc.set_log_z(s_star as f32).unwrap();
        let s32 = f64::from(p.disc.log_z());
        let disc = p.grads(|d, s| p.disc.discriminator_loss(d, s).unwrap());
        let cost = p.grads(|d, s| p.disc.cost_loss(d, s, s32).unwrap());

        // Closed form in f64 from per-item gradients ∂c_i/∂θ:
        // ∇L = E_p[∂c] − E_μ[exp(−c)·∂c / (Z·μ̃)],  μ̃ at the optimal Z.
        let lz = p.log_z_index();
        let item_grad = |demo: bool, i: usize| -> Vec<Array2<f64>> {
            p.grads(|d, s| {
                let side = if demo { d } else { s };
                side.costs.take_rows(&[i]).unwrap().sum()
            })
            .into_iter()
            .map(|g| g.mapv(f64::from))
            .collect()
        };
        let mu_d = log_mu_tilde(&dc, &p.demo_log_q, s_star).unwrap();
        let mu_s = log_mu_tilde(&sc, &p.sample_log_q, s_star).unwrap();
        let mut closed: Vec<Array2<f64>> = disc.iter().map(|g| g.mapv(|_| 0.0)).collect();
        let (np, nq) = (dc.len() as f64, sc.len() as f64);
        for i in 0..dc.len() {
            let w = (-dc[i] - s_star - mu_d[i]).exp();
            for (acc, g) in closed.iter_mut().zip(item_grad(true, i)) {
                *acc += &(g * (1.0 / np - 0.5 * w / np));
            }
        }
        for i in 0..sc.len() {
            let w = (-sc[i] - s_star - mu_s[i]).exp();
            for (acc, g) in closed.iter_mut().zip(item_grad(false, i)) {
                *acc -= &(g * (0.5 * w / nq));
            }
        }
        let theta = |g: &[Array2<f32>]| -> Vec<Array2<f32>> {
            g.iter()
                .enumerate()
                .filter(|(k, _)| *k != lz)
                .map(|(_, a)| a.clone())
                .collect()
        };
        closed.remove(lz);
        let (err_disc, scale) = max_relative_error(&theta(&disc), &closed);
        let (err_cost, _) = max_relative_error(&theta(&cost), &closed);
        let cost64: Vec<Array2<f64>> = theta(&cost).iter().map(|a| a.mapv(f64::from)).collect();
        let (err_between, _) = max_relative_error(&theta(&disc), &cost64);
        eprintln!(
            "fact 2 {granularity:?}/{input:?}: max |grad| {scale:.3e}, relative errors: \
             L_disc vs closed {err_disc:.2e}, L_cost vs closed {err_cost:.2e}, \
             L_disc vs L_cost {err_between:.2e}"
        );
        assert!(scale > 1e-3, "a vanishing gradient proves nothing");
        for err in [err_disc, err_cost, err_between] {
            assert!(
                err < 1e-5,
                "{granularity:?}/{input:?}: relative error {err}"
            );
        }
        // Away from the optimal Z the two gradients differ.
        p.disc.set_log_z(s_star as f32 + 1.0).unwrap();
        let disc_off = p.grads(|d, s| p.disc.discriminator_loss(d, s).unwrap());
        let (err_off, _) = max_relative_error(&theta(&disc_off), &cost64);
        assert!(err_off > 1e-2, "{err_off}");
    }
}

#[test]
fn fact_3_the_generator_loss_is_log_z_plus_the_maxent_policy_loss() {
    for (seed, (granularity, input)) in SETTINGS.into_iter().enumerate() {
        let mut p = Problem::new(seed as u64 + 30, 5, 3, granularity, input);
        for log_z in [-4.0f32, 0.0, 2.5] {
            p.disc.set_log_z(log_z).unwrap();
            let graph = p.disc.params().graph();
            let (_, samples) = p.score(&graph);
            let got = f64::from(p.disc.generator_loss(&samples).unwrap().item());
            let c = samples.cost_values();
            let n = c.len() as f64;
            // L_gen = log Z + E_q[c_θ] + E_q[log q]
            let want = f64::from(log_z)
                + c.iter().sum::<f64>() / n
                + p.sample_log_q.iter().sum::<f64>() / n;
            assert!(
                (got - want).abs() < 1e-5 * want.abs().max(1.0),
                "{granularity:?}/{input:?} at log Z {log_z}: {got} vs {want}"
            );
            // Its gradient in θ is that of E_q[c_θ].
            let gen = p.grads(|_, s| p.disc.generator_loss(s).unwrap());
            let mean_cost = p.grads(|_, s| s.costs.mean());
            let lz = p.log_z_index();
            for (k, (a, b)) in gen.iter().zip(&mean_cost).enumerate() {
                if k == lz {
                    assert!((a[[0, 0]] - 1.0).abs() < 1e-5);
                    continue;
                }
                for (x, y) in a.iter().zip(b) {
                    assert!((x - y).abs() < 1e-5 * y.abs().max(1e-2), "{x} vs {y}");
                }
            }
        }
    }
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[test]
fn each_loss_equals_a_direct_computation_on_a_hand_example() {
    let params = ParamSet::new(Device::Cpu).unwrap();
    let (cp, lqp) = ([0.5, 1.5], [-1.0, -2.0]);
    let (cq, lqq) = ([2.0, -1.0, 0.3], [-0.5, 0.2, -1.3]);
    let log_z = 0.7f64;
    let build = || {
        let graph = params.graph();
        let demo_costs = graph.column(&cp.map(|v| v as f32));
        let sample_costs = graph.column(&cq.map(|v| v as f32));
        let lz = graph.scalar(log_z as f32);
        let dl = losses::logits(&demo_costs, &lz, &lqp).unwrap();
        let sl = losses::logits(&sample_costs, &lz, &lqq).unwrap();
        (demo_costs, sample_costs, dl, sl)
    };
    let d = |c: f64, lq: f64| sigmoid(-c - log_z - lq);

    let (_, _, dl, sl) = build();
    let got = f64::from(losses::discriminator_loss(&dl, &sl).unwrap().item());
    let want = -(d(0.5, -1.0).ln() + d(1.5, -2.0).ln()) / 2.0
        - ((1.0 - d(2.0, -0.5)).ln() + (1.0 - d(-1.0, 0.2)).ln() + (1.0 - d(0.3, -1.3)).ln()) / 3.0;
    assert!((got - want).abs() < 1e-6, "L_disc {got} vs {want}");

    let got = f64::from(losses::generator_loss(&sl).unwrap().item());
    let want = cq
        .iter()
        .zip(lqq)
        .map(|(&c, lq)| ((1.0 - d(c, lq)) / d(c, lq)).ln())
        .sum::<f64>()
        / 3.0;
    assert!((got - want).abs() < 1e-6, "L_gen {got} vs {want}");

    let (demo_costs, sample_costs, _, _) = build();
    let mu = |c: f64, lq: f64| 0.5 * (-c).exp() / log_z.exp() + 0.5 * lq.exp();
    let mu_p: Vec<f64> = cp.iter().zip(lqp).map(|(&c, q)| mu(c, q).ln()).collect();
    let mu_q: Vec<f64> = cq.iter().zip(lqq).map(|(&c, q)| mu(c, q).ln()).collect();
    assert_eq!(log_mu_tilde(&cp, &lqp, log_z).unwrap().len(), 2);
    for (a, b) in log_mu_tilde(&cq, &lqq, log_z).unwrap().iter().zip(&mu_q) {
        assert!((a - b).abs() < 1e-12);
    }
    let got = f64::from(
        losses::cost_loss(&demo_costs, &sample_costs, &mu_p, &mu_q)
            .unwrap()
            .item(),
    );
    // E_μ = ½ mean over demonstrations + ½ mean over samples.
    let is = 0.5
        * cp.iter()
            .zip(lqp)
            .map(|(&c, q)| (-c).exp() / mu(c, q))
            .sum::<f64>()
        / 2.0
        + 0.5
            * cq.iter()
                .zip(lqq)
                .map(|(&c, q)| (-c).exp() / mu(c, q))
                .sum::<f64>()
            / 3.0;
    let want = (0.5 + 1.5) / 2.0 + is.ln();
    assert!((got - want).abs() < 1e-6, "L_cost {got} vs {want}");
    let scores = Scores {
        demo_costs: &cp,
        demo_log_q: &lqp,
        sample_costs: &cq,
        sample_log_q: &lqq,
    };
    assert!((scores.importance_log_z(log_z).unwrap() - is.ln()).abs() < 1e-12);
}

#[test]
fn losses_stay_finite_for_extreme_logits() {
    let params = ParamSet::new(Device::Cpu).unwrap();
    let graph = params.graph();
    let demo = graph.column(&[-200.0, 300.0]);
    let sample = graph.column(&[400.0, -90.0]);
    let lz = graph.scalar(0.0);
    let dl = losses::logits(&demo, &lz, &[0.0, -50.0]).unwrap();
    let sl = losses::logits(&sample, &lz, &[10.0, 0.0]).unwrap();
    assert!(losses::discriminator_loss(&dl, &sl)
        .unwrap()
        .item()
        .is_finite());
    assert!(losses::generator_loss(&sl).unwrap().item().is_finite());
    let mu_p = log_mu_tilde(&[-200.0, 300.0], &[0.0, -50.0], 0.0).unwrap();
    let mu_q = log_mu_tilde(&[400.0, -90.0], &[10.0, 0.0], 0.0).unwrap();
    let l = losses::cost_loss(&demo, &sample, &mu_p, &mu_q).unwrap();
    assert!(l.item().is_finite(), "{}", l.item());
}

#[test]
fn transition_mode_equals_trajectory_mode_when_t_is_1() {
    let mut traj = Problem::new(40, 5, 1, Granularity::Traj, CostInput::StateAction);
    let mut trans = Problem::new(40, 5, 1, Granularity::Transition, CostInput::StateAction);
    // Same seed: same cost weights, states, actions and densities.
    assert_eq!(traj.demo_log_q, trans.demo_log_q);
    trans.disc.set_log_z(0.3).unwrap();
    traj.disc.set_log_z(0.3).unwrap();
    type Loss = fn(&Discriminator, &Scored, &Scored) -> crate::nn::Var;
    let all: [Loss; 3] = [
        |disc, d, s| disc.discriminator_loss(d, s).unwrap(),
        |disc, d, s| disc.cost_loss(d, s, 0.3).unwrap(),
        |disc, _, s| disc.generator_loss(s).unwrap(),
    ];
    for loss in all {
        let a = traj.grads(|d, s| loss(&traj.disc, d, s));
        let b = trans.grads(|d, s| loss(&trans.disc, d, s));
        assert_eq!(a, b);
        let graph = traj.disc.params().graph();
        let (d, s) = traj.score(&graph);
        let graph2 = trans.disc.params().graph();
        let (d2, s2) = trans.score(&graph2);
        assert_eq!(
            loss(&traj.disc, &d, &s).item(),
            loss(&trans.disc, &d2, &s2).item()
        );
    }
}

#[test]
fn trajectory_costs_sum_the_step_costs_on_graph_and_host() {
    let p = Problem::new(50, 3, 4, Granularity::Traj, CostInput::StateAction);
    let batch = p.batch(&p.demo_obs, &p.demo_acts);
    let host = p.disc.host_cost();
    let steps = host.step_costs(&batch).unwrap();
    let trajs = host.traj_costs(&batch).unwrap();
    let graph = p.disc.params().graph();
    let scored = p.disc.score(&graph, &batch, &p.demo_log_q).unwrap();
    let on_graph = scored.costs.to_array();
    let step_graph = scored.step_costs.to_array();
    for i in 0..3 {
        let sum: f32 = steps.row(i).sum();
        assert!((trajs[i] - sum).abs() < 1e-5);
        assert!((on_graph[[i, 0]] - sum).abs() < 1e-5);
        for t in 0..4 {
            assert!((step_graph[[i * 4 + t, 0]] - steps[[i, t]]).abs() < 1e-5);
        }
    }
}

#[test]
fn regularisers_match_the_hand_computation_and_are_off_by_default() {
    let mut params = ParamSet::new(Device::Cpu).unwrap();
    let mut rng = episode_rng(0, 0);
    let plain = CostNetBuilder::new()
        .build(&mut params, "a", 2, 1, &mut rng)
        .unwrap();
    let graph = params.graph();
    let c = graph.column(&[0.0, 2.0, 1.0, 5.0, 0.0, 0.0, 0.0, 0.0]);
    assert!(plain.regulariser(&c, 4).unwrap().is_none());
    let net = CostNetBuilder::new()
        .local_constant_rate(2.0)
        .monotonic(3.0)
        .build(&mut params, "b", 2, 1, &mut rng)
        .unwrap();
    // Along (0, 2, 1, 5): second differences −3 and 5 → 34; rises 2, −1, 4 → excess 1, 0, 3 → 10.
    // The second trajectory is flat. Weighted and averaged over 2 trajectories: (2·34 + 3·10) / 2.
    let got = net.regulariser(&c, 4).unwrap().unwrap().item();
    assert!((got - 49.0).abs() < 1e-5, "{got}");
    assert!(net.regulariser(&c, 3).is_err());
}

#[test]
fn bad_input_gives_errors() {
    let p = Problem::new(60, 2, 3, Granularity::Traj, CostInput::StateAction);
    let graph = p.disc.params().graph();
    let batch = p.batch(&p.demo_obs, &p.demo_acts);
    let short = p.disc.score(&graph, &batch, &[0.0]);
    assert!(matches!(short, Err(GclError::Shape { .. })), "{short:?}");
    let nan = p.disc.score(&graph, &batch, &[0.0, f64::NAN]);
    assert!(matches!(nan, Err(GclError::NonFinite { .. })), "{nan:?}");
    let no_actions = StepBatch::states(p.demo_obs.view()).unwrap();
    assert!(p.disc.score(&graph, &no_actions, &[0.0, 0.0]).is_err());
    let wrong_width = Array3::<f32>::zeros((2, 3, OBS + 1));
    let wrong = StepBatch::new(wrong_width.view(), p.demo_acts.view()).unwrap();
    assert!(p.disc.score(&graph, &wrong, &[0.0, 0.0]).is_err());
    let other_steps = Array3::<f32>::zeros((2, 2, ACT));
    assert!(StepBatch::new(p.demo_obs.view(), other_steps.view()).is_err());
    let empty = Array3::<f32>::zeros((0, 3, OBS));
    assert!(matches!(
        StepBatch::states(empty.view()),
        Err(GclError::Empty(_))
    ));
    let mut disc = p.disc.clone();
    assert!(disc.set_log_z(f32::INFINITY).is_err());
    let scores = Scores {
        demo_costs: &[],
        demo_log_q: &[],
        sample_costs: &[1.0],
        sample_log_q: &[0.0],
    };
    assert!(scores.optimal_log_z().is_err());
    assert!(CostNetBuilder::new()
        .monotonic(-1.0)
        .build(
            &mut ParamSet::new(Device::Cpu).unwrap(),
            "c",
            1,
            1,
            &mut episode_rng(0, 0)
        )
        .is_err());
}

#[test]
fn the_local_constant_rate_regulariser_is_on_by_default_where_it_makes_the_cost_reusable() {
    let plain = GclConfig::new().cost;
    for (task, regularised) in [
        ("cartpole", true),
        ("navigation", true),
        ("pendulum", false),
        ("reacher", false),
        ("hopper", false),
    ] {
        let entry = costlearn_envs::registry::lookup(task).unwrap();
        let want = if regularised {
            plain.clone().local_constant_rate(LOCAL_CONSTANT_RATE)
        } else {
            plain.clone()
        };
        assert_eq!(LearnerConfig::for_task(&entry, 0).gcl.cost, want, "{task}");
    }
}

#[test]
fn only_hopper_starts_and_keeps_its_policy_near_behavioral_cloning_by_default() {
    for task in [
        "hopper",
        "pendulum",
        "cartpole",
        "reacher",
        "navigation",
        "gridworld",
    ] {
        let entry = costlearn_envs::registry::lookup(task).unwrap();
        let config = LearnerConfig::for_task(&entry, 0);
        let hopper = task == "hopper";
        assert_eq!(
            config.warm_start_epochs,
            if hopper { HOPPER_WARM_START } else { 0 },
            "{task}"
        );
        assert_eq!(
            config.ppo.bc_coef,
            if hopper { HOPPER_BC_WEIGHT } else { 0.0 },
            "{task}"
        );
        let ppo_default = PpoConfig::for_task(task).policy_lr;
        assert_eq!(
            config.ppo.policy_lr,
            if hopper {
                HOPPER_POLICY_LR
            } else {
                ppo_default
            },
            "{task}"
        );
    }
    assert!(HOPPER_POLICY_LR < PpoConfig::for_task("hopper").policy_lr);
}

#[test]
fn pendulum_and_navigation_take_more_discriminator_steps_with_few_demonstrations() {
    for (task, few) in [("pendulum", true), ("navigation", true), ("reacher", false)] {
        let entry = costlearn_envs::registry::lookup(task).unwrap();
        let spec = entry.make().spec().clone();
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../demos/{task}.npz"));
        let demos = costlearn_envs::demos::load_for(&path, &spec).unwrap();
        for n in [1, FEW_DEMOS, FEW_DEMOS + 1, 16] {
            let config = LearnerConfig::for_task(&entry, 0);
            let learner = GclLearner::new(&entry, config, demos.first(n), Device::Cpu).unwrap();
            let want = if few && n <= FEW_DEMOS {
                FEW_DEMO_DISC_STEPS
            } else {
                GclConfig::new().disc_steps
            };
            assert_eq!(
                learner.trainer.config().disc_steps,
                want,
                "{task}, {n} demos"
            );
        }
    }
}

mod training;
