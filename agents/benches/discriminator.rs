//! One discriminator step of guided cost learning (the shaped state cost `g_θ(x) + h_φ(x') −
//! h_φ(x)` of pendulum's sizes scoring demonstrations and samples, `L_disc`, backward, Adam) on
//! batches of 4096 and 65536 transitions, on the CPU and, in a build with the `cuda` feature on a
//! machine with a GPU, on CUDA device 0.

use costlearn_agents::gcl::{CostNetBuilder, Discriminator, DiscriminatorBuilder, StepBatch};
use costlearn_agents::nn::{Adam, Device};
use costlearn_envs::episode_rng;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::Array3;
use rand::Rng;
use std::hint::black_box;

const OBS: usize = 3;
const ACT: usize = 1;
/// Steps per episode: a batch of `B` transitions is `B / T` episodes.
const T: usize = 256;

/// One step on demonstrations and samples of `batch` transitions each.
fn disc_step(
    disc: &mut Discriminator,
    adam: &mut Adam,
    demos: (&Array3<f32>, &Array3<f32>),
    samples: (&Array3<f32>, &Array3<f32>),
    log_q: &[f64],
) -> f32 {
    let graph = disc.params().graph();
    let score = |(obs, acts): (&Array3<f32>, &Array3<f32>)| {
        let batch = StepBatch::new(obs.view(), acts.view()).expect("shapes fit");
        disc.score(&graph, &batch, log_q)
            .expect("one log q per step")
    };
    let (d, s) = (score(demos), score(samples));
    let loss = disc.discriminator_loss(&d, &s).expect("same shapes");
    let value = loss.item();
    let grads = disc
        .params()
        .grads(loss.backward().expect("scalar loss"))
        .expect("same device");
    adam.step(disc.params_mut(), grads)
        .expect("finite gradients");
    value
}

fn devices() -> Vec<(&'static str, Device)> {
    let mut devices = vec![("cpu", Device::Cpu)];
    if let Ok(cuda) = "cuda".parse::<Device>() {
        devices.push(("cuda", cuda));
    }
    devices
}

fn discriminator_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("gcl_discriminator_step");
    group.sample_size(10);
    for batch in [4096usize, 65536] {
        let episodes = batch / T;
        let mut rng = episode_rng(0, batch as u64);
        let mut draw = |shape: (usize, usize, usize)| {
            Array3::from_shape_simple_fn(shape, || rng.gen_range(-1.0f32..1.0))
        };
        let demos = (draw((episodes, T, OBS)), draw((episodes, T, ACT)));
        let samples = (draw((episodes, T, OBS)), draw((episodes, T, ACT)));
        let log_q = vec![-1.0; batch];
        for (name, device) in devices() {
            let built = DiscriminatorBuilder::new()
                .cost(CostNetBuilder::new().shaped(true))
                .build(device, OBS, ACT, &mut episode_rng(1, 0));
            let Ok(mut disc) = built else {
                eprintln!("{name}: no device, skipped");
                continue;
            };
            let mut adam = Adam::new(1e-3).max_grad_norm(10.0);
            group.throughput(Throughput::Elements(batch as u64));
            group.bench_with_input(BenchmarkId::new(name, batch), &batch, |b, _| {
                b.iter(|| {
                    black_box(disc_step(
                        &mut disc,
                        &mut adam,
                        (&demos.0, &demos.1),
                        (&samples.0, &samples.1),
                        &log_q,
                    ))
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, discriminator_step);
criterion_main!(benches);
