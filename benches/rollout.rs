//! Rollout throughput: env steps per second of lock-step collection on gridworld with 64 copies, in
//! rayon pools of 1 and 2 threads, acting with the task's expert (soft value iteration policy).
//!
//! `cargo bench --bench rollout`

use costlearn_envs::registry;
use costlearn_envs::rollout::Rollout;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const COPIES: usize = 64;
const EPISODES: usize = 256;

fn gridworld_rollouts(c: &mut Criterion) {
    let entry = registry::lookup("gridworld").expect("gridworld is built in");
    let expert = entry.expert().expect("gridworld has an expert");
    let horizon = entry.make().spec().horizon;
    let mut group = c.benchmark_group("rollout/gridworld");
    group.throughput(Throughput::Elements((EPISODES * horizon) as u64));
    for threads in [1, 2] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let mut envs = entry.make_vec(COPIES);
        group.bench_function(format!("{COPIES}envs/{threads}threads"), |b| {
            b.iter(|| {
                pool.install(|| {
                    Rollout::new(0)
                        .episodes(EPISODES)
                        .collect(envs.as_mut(), expert.as_ref())
                        .unwrap()
                })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, gridworld_rollouts);
criterion_main!(benches);
