use costlearn_agents::gcl::{GclLearner, Generator, LearnerConfig};
use costlearn_agents::maxent_irl::MaxEntIrl;
use costlearn_agents::nn::Device;
use costlearn_envs::tabular::{expected_return, state_action_visitation};
use costlearn_envs::{demos, registry};
use ndarray::{Array3, Axis};
use std::path::Path;
fn kl_per_step(d: &Array3<f64>, log_p: &Array3<f64>, log_q: &Array3<f64>) -> f64 {
    let total: f64 = d
        .iter()
        .zip(log_p.iter().zip(log_q.iter()))
        .filter(|(&d, _)| d > 0.0)
        .map(|(&d, (&lp, &lq))| d * (lp - lq))
        .sum();
    total / d.len_of(Axis(0)) as f64
}
fn var<T: std::str::FromStr>(k: &str, d: T) -> T {
    std::env::var(k)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(d)
}
fn main() {
    let env = std::env::args().nth(1).unwrap_or("gridworld".into());
    let entry = registry::lookup(&env).unwrap();
    let task = entry.make();
    let mdp = task.tabular().unwrap().clone();
    let demos = demos::load_for(Path::new(&format!("demos/{env}.npz")), task.spec()).unwrap();
    let fit = MaxEntIrl::new()
        .l2(var("L2", 0.01))
        .fit_linear(&env, &mdp, &demos)
        .unwrap();
    let d_irl = state_action_visitation(&mdp, fit.values.log_pi.view()).unwrap();
    let v_irl = expected_return(mdp.reward.view(), d_irl.view()).unwrap();
    for seed in 1..=var("SEEDS", 1u64) {
        let mut config = LearnerConfig::for_task(&entry, seed);
        config.tabular.episodes = var("EPISODES", 64);
        config.tabular.step_size = var("ETA", 0.2);
        config.gcl.disc_steps = var("DISC", config.gcl.disc_steps);
        config.gcl.batch_size = var("BATCH", config.gcl.batch_size);
        config.gcl.learning_rate = var("LR", config.gcl.learning_rate);
        config.fusion_snapshots = var("K", config.fusion_snapshots);
        let seg = var("SEG", 1usize);
        if seg > 1 {
            config.gcl.granularity = costlearn_agents::gcl::Granularity::Segment { len: seg };
        }
        let iters = var("ITERS", 100usize);
        let last = 10;
        let mut gcl = GclLearner::new(&entry, config, demos.clone(), Device::Cpu).unwrap();
        let (mut kl, mut dv) = (0.0, 0.0);
        for i in 0..iters {
            gcl.step().unwrap();
            if i + last >= iters {
                let Generator::Tabular(t) = gcl.generator() else {
                    panic!()
                };
                let log_pi = t.policy().log_pi();
                let d = state_action_visitation(&mdp, log_pi.view()).unwrap();
                let v = expected_return(mdp.reward.view(), d.view()).unwrap();
                kl += kl_per_step(&d_irl, &fit.values.log_pi, log_pi) / last as f64;
                dv += (v - v_irl).abs() / last as f64;
            }
        }
        println!("{env} seed {seed}: KL {kl:.4} dv {dv:.2}");
    }
}
