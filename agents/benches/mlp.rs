//! One training step of a 64→256→256→1 tanh MLP (forward, mean-squared loss, backward, Adam with
//! gradient clipping) at batch 256 and 4096. `benches/peers/mlp_torch.sh` times the same step in
//! PyTorch with the same thread count (`RAYON_NUM_THREADS`).
//!
//! Beside it, the rate of the matrix-product kernel (`gemm`, on one thread) at the shape that
//! dominates a GCL cost network's step (3200 rows through a 64×64 layer) and on a 512×512×512
//! product; the throughput is in multiply-adds × 2, so criterion's `elem/s` read as FLOP/s.

use costlearn_agents::nn::{Activation, Adam, Device, Mlp, MlpBuilder, ParamSet};
use costlearn_envs::episode_rng;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use ndarray::Array2;
use rand::Rng;
use std::hint::black_box;

const INPUT: usize = 64;
const HIDDEN: [usize; 2] = [256, 256];

fn train_step(
    net: &Mlp,
    params: &mut ParamSet,
    adam: &mut Adam,
    x: &Array2<f32>,
    y: &Array2<f32>,
) -> f32 {
    let graph = params.graph();
    let loss = net
        .forward_array(params, &graph, x.view())
        .and_then(|out| out.sub(&graph.constant(y.view())))
        .expect("shapes fit")
        .square()
        .mean();
    let value = loss.item();
    let grads = params
        .grads(loss.backward().expect("scalar loss"))
        .expect("same device");
    adam.step(params, grads).expect("finite gradients");
    value
}

fn mlp_train_step(c: &mut Criterion) {
    let mut group = c.benchmark_group("mlp_64_256_256_1_tanh_train_step");
    group.sample_size(20);
    for batch in [256usize, 4096] {
        let mut rng = episode_rng(0, batch as u64);
        let x = Array2::from_shape_simple_fn((batch, INPUT), || rng.gen_range(-1.0f32..1.0));
        let y = Array2::from_shape_simple_fn((batch, 1), || rng.gen_range(-1.0f32..1.0));
        let mut params = ParamSet::new(Device::Cpu).expect("cpu is always available");
        let net = MlpBuilder::new(INPUT, 1)
            .hidden(&HIDDEN)
            .activation(Activation::Tanh)
            .build(&mut params, "net", &mut rng)
            .expect("valid sizes");
        let mut adam = Adam::new(1e-4).max_grad_norm(1.0);
        group.throughput(Throughput::Elements(batch as u64));
        group.bench_with_input(BenchmarkId::from_parameter(batch), &batch, |b, _| {
            b.iter(|| black_box(train_step(&net, &mut params, &mut adam, &x, &y)))
        });
    }
    group.finish();
}

/// `c ← a · b` for row-major `m×k` and `k×n` matrices, on one thread.
fn matmul(m: usize, k: usize, n: usize, a: &[f32], b: &[f32], c: &mut [f32]) {
    assert!(a.len() == m * k && b.len() == k * n && c.len() == m * n);
    // SAFETY: the buffers hold exactly the row-major matrices their shapes describe (checked above)
    // and `c` is borrowed mutably, so it overlaps neither `a` nor `b`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            false,
            a.as_ptr(),
            1,
            k as isize,
            b.as_ptr(),
            1,
            n as isize,
            0.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

fn matmul_rate(c: &mut Criterion) {
    let mut group = c.benchmark_group("gemm_flops_one_thread");
    group.sample_size(20);
    for (m, k, n) in [(3200usize, 64usize, 64usize), (512, 512, 512)] {
        let mut rng = episode_rng(1, (m * k * n) as u64);
        let a: Vec<f32> = (0..m * k).map(|_| rng.gen_range(-1.0f32..1.0)).collect();
        let b: Vec<f32> = (0..k * n).map(|_| rng.gen_range(-1.0f32..1.0)).collect();
        let mut out = vec![0.0f32; m * n];
        group.throughput(Throughput::Elements((2 * m * k * n) as u64));
        let id = BenchmarkId::from_parameter(format!("{m}x{k}x{n}"));
        group.bench_function(id, |bench| {
            bench.iter(|| matmul(m, k, n, black_box(&a), black_box(&b), &mut out))
        });
    }
    group.finish();
}

criterion_group!(benches, mlp_train_step, matmul_rate);
criterion_main!(benches);
