//! Throughput of `VecEnv::step` on the Rapier control tasks: 32 copies, rayon pools of 1 and 2
//! threads, fixed pre-sampled uniform actions, one element = one environment step. Each task is
//! measured with the registry's implementation (several copies per world for pendulum, cartpole and
//! reacher) and with one world per copy (`ParallelEnvs`). Copies are reset every horizon steps, inside the measured loop.

use costlearn_envs::registry;
use costlearn_envs::{episode_rng, ParallelEnvs, VecEnv};
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

const NUM_ENVS: usize = 32;
const TASKS: [&str; 5] = ["pendulum", "cartpole", "reacher", "navigation", "hopper"];

fn step_throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("control_step");
    group
        .throughput(Throughput::Elements(NUM_ENVS as u64))
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
        .sample_size(20);
    for name in TASKS {
        let entry = registry::lookup(name).expect("built-in task");
        let spec = entry.make().spec().clone();
        let mut rng = episode_rng(0, 0);
        let actions: Vec<Vec<f32>> = (0..spec.horizon)
            .map(|_| {
                let mut a = vec![0.0; NUM_ENVS * spec.act_dim()];
                for row in a.chunks_mut(spec.act_dim()) {
                    spec.action_space.sample_into(&mut rng, row);
                }
                a
            })
            .collect();
        let seeds: Vec<u64> = (0..NUM_ENVS as u64).collect();
        for threads in [1, 2] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            for layout in ["registry", "per_env"] {
                let mut venv: Box<dyn VecEnv> = match layout {
                    "registry" => entry.make_vec(NUM_ENVS),
                    _ => {
                        let e = entry.clone();
                        Box::new(ParallelEnvs::new(NUM_ENVS, move || e.make()))
                    }
                };
                let mut obs = vec![0.0; NUM_ENVS * spec.obs_dim()];
                let mut rews = vec![0.0; NUM_ENVS];
                pool.install(|| venv.reset(&seeds, &mut obs));
                let mut t = 0;
                let id = BenchmarkId::new(format!("{name}/{layout}"), format!("{threads}t"));
                group.bench_function(id, |b| {
                    pool.install(|| {
                        b.iter(|| {
                            if t == spec.horizon {
                                venv.reset(&seeds, &mut obs);
                                t = 0;
                            }
                            venv.step(&actions[t], &mut obs, &mut rews);
                            t += 1;
                            black_box(&rews);
                        })
                    })
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, step_throughput);
criterion_main!(benches);
