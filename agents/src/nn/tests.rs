//! Tests of the network layer: gradients against finite differences, files, optimizer, errors.

use super::*;
use costlearn_envs::episode_rng;
use ndarray::{array, Array2};
use rand::Rng as _;

/// A matrix of values drawn from `[lo, hi]` with random sign (kept away from the kinks at 0).
fn away_from_zero(rows: usize, cols: usize, seed: u64) -> Array2<f32> {
    let mut rng = episode_rng(seed, 0);
    Array2::from_shape_simple_fn((rows, cols), || {
        let v: f32 = rng.gen_range(0.2..1.5);
        if rng.gen_bool(0.5) {
            v
        } else {
            -v
        }
    })
}

/// Compares the gradient of `loss` with central finite differences on every scalar parameter.
fn check_gradients(
    params: &mut ParamSet,
    loss: impl Fn(&ParamSet, &Graph) -> Var,
    h: f32,
    tol: f32,
) {
    let graph = params.graph();
    let analytic = params
        .grads(loss(params, &graph).backward().unwrap())
        .unwrap()
        .to_arrays();
    for (k, name) in params.names().to_vec().iter().enumerate() {
        let id = params.id(name).unwrap();
        let base = params.get(id);
        for idx in ndarray::indices(base.dim()) {
            let mut value = |delta: f32| {
                let mut p = base.clone();
                p[idx] += delta;
                params.set(id, &p).unwrap();
                let g = params.graph();
                f64::from(loss(params, &g).item())
            };
            let fd = ((value(h) - value(-h)) / (2.0 * f64::from(h))) as f32;
            let an = analytic[k][idx];
            assert!(
                (fd - an).abs() <= tol * an.abs().max(1.0),
                "d loss / d {name}{idx:?} (h {h}): finite difference {fd}, backward {an}"
            );
        }
        params.set(id, &base).unwrap();
    }
}

#[test]
fn every_operation_has_the_gradient_of_finite_differences() {
    let mut params = ParamSet::new(Device::Cpu).unwrap();
    let a = params.add("a", away_from_zero(3, 4, 1)).unwrap();
    let b = params.add("b", away_from_zero(1, 4, 2)).unwrap();
    let c = params.add("c", away_from_zero(3, 1, 3)).unwrap();
    let w = params.add("w", away_from_zero(4, 2, 4)).unwrap();
    let loss = move |p: &ParamSet, g: &Graph| {
        let (a, b, c, w) = (
            p.var(g, a).unwrap(),
            p.var(g, b).unwrap(),
            p.var(g, c).unwrap(),
            p.var(g, w).unwrap(),
        );
        let t1 = a
            .mul(&b)
            .unwrap()
            .softplus()
            .div(&c.exp().add_scalar(1.0))
            .unwrap()
            .sum();
        let t2 = a.logsumexp_rows().mean();
        let t3 = a.log_softmax_rows().pick(&[0, 3, 1]).unwrap().sum();
        let t4 = a.matmul(&w).unwrap().tanh().sum_cols().square().sum();
        let t5 = a
            .square()
            .add_scalar(1.0)
            .sqrt()
            .sub(&c)
            .unwrap()
            .relu()
            .sum();
        let t6 = a
            .maximum(&b)
            .unwrap()
            .minimum(&c.scale(0.5))
            .unwrap()
            .abs()
            .sum();
        let t7 = a.sigmoid().ln().add(&a.log_sigmoid().neg()).unwrap().sum();
        let t8 = a
            .take_rows(&[2, 0, 2])
            .unwrap()
            .logsumexp_cols()
            .mean_cols()
            .sum();
        let t9 = a.mul(&a).unwrap().clamp(-10.0, 1.0).sum();
        // A row added to every row (a bias) has its own CPU kernel.
        let t10 = a.add(&b).unwrap().tanh().square().sum();
        [t2, t3, t4, t5, t6, t7, t8, t9, t10]
            .iter()
            .fold(t1, |acc, t| acc.add(t).unwrap())
    };
    check_gradients(&mut params, loss, 1e-2, 2e-3);
}

#[test]
fn broadcasting_matches_ndarray() {
    let params = ParamSet::new(Device::Cpu).unwrap();
    let g = params.graph();
    let x = array![[1.0f32, 2.0, 3.0], [4.0, 5.0, 6.0]];
    let row = array![[10.0f32, 20.0, 30.0]];
    let col = array![[100.0f32], [200.0]];
    let got = g
        .constant(x.view())
        .add(&g.constant(row.view()))
        .unwrap()
        .mul(&g.constant(col.view()))
        .unwrap()
        .sub(&g.scalar(1.0))
        .unwrap()
        .to_array();
    let want = (&x + &row) * &col - 1.0;
    assert_eq!(got, want);
    assert_eq!(
        g.constant(x.view()).sum_rows().to_array(),
        array![[6.0], [15.0]]
    );
    assert_eq!(g.constant(x.view()).mean().item(), 3.5);
}

#[test]
fn a_variable_combined_with_itself_gets_both_contributions() {
    let mut params = ParamSet::new(Device::Cpu).unwrap();
    let x = params.add("x", array![[1.5f32, -2.0, 0.5]]).unwrap();
    let g = params.graph();
    let v = params.var(&g, x).unwrap();
    let loss = v.mul(&v).unwrap().sum();
    let grads = params.grads(loss.backward().unwrap()).unwrap().to_arrays();
    assert_eq!(grads[0], array![[3.0f32, -4.0, 1.0]]);
}

fn mlp(params: &mut ParamSet, act: Activation, seed: u64) -> Mlp {
    MlpBuilder::new(3, 2)
        .hidden(&[5, 4])
        .activation(act)
        .build(params, "net", &mut episode_rng(seed, 0))
        .unwrap()
}

/// One Adam step on the mean squared error of `net` on `(x, y)`; the loss before it.
fn fit_step(
    params: &mut ParamSet,
    net: &Mlp,
    adam: &mut Adam,
    x: &Array2<f32>,
    y: &Array2<f32>,
) -> f32 {
    let g = params.graph();
    let loss = net
        .forward_array(params, &g, x.view())
        .unwrap()
        .sub(&g.constant(y.view()))
        .unwrap()
        .square()
        .mean();
    let value = loss.item();
    let grads = params.grads(loss.backward().unwrap()).unwrap();
    adam.step(params, grads).unwrap();
    value
}

#[test]
fn mlp_gradients_match_finite_differences() {
    for act in [Activation::Tanh, Activation::Relu] {
        let mut params = ParamSet::new(Device::Cpu).unwrap();
        let net = mlp(&mut params, act, 7);
        let x = away_from_zero(6, 3, 8);
        let y = away_from_zero(6, 2, 9);
        let loss = |p: &ParamSet, g: &Graph| {
            let out = net.forward_array(p, g, x.view()).unwrap();
            out.sub(&g.constant(y.view())).unwrap().square().mean()
        };
        // Non-zero biases keep relu's pre-activations off its kink at 0.
        for (k, name) in params.names().to_vec().iter().enumerate() {
            if name.ends_with("bias") {
                let id = params.id(name).unwrap();
                let (r, c) = params.shape(id);
                params
                    .set(id, &away_from_zero(r, c, 20 + k as u64))
                    .unwrap();
            }
        }
        check_gradients(&mut params, loss, 1e-3, 5e-3);
    }
}

/// The output and every gradient of `loss` on a fresh graph, as bit patterns.
fn bits_of(params: &ParamSet, loss: impl Fn(&Graph) -> (Var, Var)) -> (Vec<u32>, Vec<Vec<u32>>) {
    let graph = params.graph();
    let (out, loss) = loss(&graph);
    let out = out.to_array().iter().map(|v| v.to_bits()).collect();
    let grads = params.grads(loss.backward().unwrap()).unwrap().to_arrays();
    let grads = grads
        .iter()
        .map(|g| g.iter().map(|v| v.to_bits()).collect())
        .collect();
    (out, grads)
}

#[test]
fn the_cpu_layer_stack_has_the_composed_operations_numbers_bit_for_bit() {
    for (act, out_act) in [
        (Activation::Relu, Activation::Identity),
        (Activation::Tanh, Activation::Tanh),
        (Activation::Relu, Activation::Relu),
    ] {
        let mut params = ParamSet::new(Device::Cpu).unwrap();
        // A trainable input, so its gradient is compared too; 300 rows cover gemm's edge tiles.
        let x = params.add("x", away_from_zero(300, 3, 5)).unwrap();
        let net = MlpBuilder::new(3, 2)
            .hidden(&[64, 7])
            .activation(act)
            .output_activation(out_act)
            .build(&mut params, "net", &mut episode_rng(11, 0))
            .unwrap();
        for (k, name) in params.names().to_vec().iter().enumerate() {
            if name.ends_with("bias") {
                let id = params.id(name).unwrap();
                let (r, c) = params.shape(id);
                let b = away_from_zero(r, c, 30 + k as u64).mapv(|v| 0.3 * v);
                params.set(id, &b).unwrap();
            }
        }
        let target = away_from_zero(300, 2, 6);
        // The network twice on one graph (its weight gradients accumulate), then a loss.
        let loss = |graph: &Graph, forward: &dyn Fn(&Var) -> Var| {
            let input = params.var(graph, x).unwrap();
            let first = forward(&input);
            let second = forward(&input.scale(0.5));
            let err = first.sub(&graph.constant(target.view())).unwrap();
            let loss = err.square().mean().add(&second.mean()).unwrap();
            (first, loss)
        };
        let stacked = bits_of(&params, |g| loss(g, &|v| net.forward(&params, v).unwrap()));
        let composed = bits_of(&params, |g| {
            loss(g, &|v| {
                let mut h = v.clone();
                for k in 0..3 {
                    let w = params.var(g, params.id(&format!("net.{k}.weight")).unwrap());
                    let b = params.var(g, params.id(&format!("net.{k}.bias")).unwrap());
                    h = h.matmul(&w.unwrap()).unwrap().add(&b.unwrap()).unwrap();
                    h = match if k == 2 { out_act } else { act } {
                        Activation::Tanh => h.tanh(),
                        Activation::Relu => h.relu(),
                        Activation::Identity => h,
                    };
                }
                h
            })
        });
        assert_eq!(stacked.0, composed.0, "outputs with {act} and {out_act}");
        assert_eq!(stacked.1, composed.1, "gradients with {act} and {out_act}");
    }
}

#[test]
fn host_copy_computes_the_same_outputs() {
    let mut params = ParamSet::new(Device::Cpu).unwrap();
    let net = mlp(&mut params, Activation::Tanh, 3);
    let x = away_from_zero(10, 3, 4);
    let on_graph = net
        .forward_array(&params, &params.graph(), x.view())
        .unwrap()
        .to_array();
    let host = net.to_host(&params).forward(x.view()).unwrap();
    for (a, b) in on_graph.iter().zip(&host) {
        assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    }
    assert!(matches!(
        net.to_host(&params).forward(Array2::zeros((2, 4)).view()),
        Err(NnError::ShapeMismatch { .. })
    ));
}

#[test]
fn initialisation_and_training_are_deterministic() {
    let run = |seed: u64| {
        let mut params = ParamSet::new(Device::Cpu).unwrap();
        let net = mlp(&mut params, Activation::Tanh, seed);
        let mut adam = Adam::new(1e-2).max_grad_norm(0.5);
        let x = away_from_zero(8, 3, 1);
        for _ in 0..5 {
            let g = params.graph();
            let loss = net
                .forward_array(&params, &g, x.view())
                .unwrap()
                .square()
                .mean();
            let grads = params.grads(loss.backward().unwrap()).unwrap();
            adam.step(&mut params, grads).unwrap();
        }
        (0..params.len())
            .map(|i| params.get(ParamId(i)))
            .collect::<Vec<_>>()
    };
    let a = run(11);
    let b = run(11);
    let bits = |v: &[Array2<f32>]| {
        v.iter()
            .flat_map(|m| m.iter().map(|x| x.to_bits()))
            .collect::<Vec<_>>()
    };
    assert_eq!(bits(&a), bits(&b));
    assert_ne!(bits(&a), bits(&run(12)));
}

#[test]
fn adam_fits_a_regression() {
    let mut params = ParamSet::new(Device::Cpu).unwrap();
    let net = MlpBuilder::new(1, 1)
        .hidden(&[32, 32])
        .build(&mut params, "f", &mut episode_rng(5, 0))
        .unwrap();
    let x = Array2::from_shape_fn((64, 1), |(i, _)| -1.0 + 2.0 * i as f32 / 63.0);
    let y = x.mapv(|v| (3.0 * v).sin());
    let mut adam = Adam::new(1e-2).max_grad_norm(10.0);
    let mut losses = Vec::new();
    for _ in 0..300 {
        losses.push(fit_step(&mut params, &net, &mut adam, &x, &y));
    }
    let (first, last) = (losses[0], *losses.last().unwrap());
    assert!(last < 0.05 * first, "loss went from {first} to {last}");
    assert_eq!(adam.steps(), 300);
}

#[test]
fn clipping_bounds_the_global_norm_and_keeps_the_direction() {
    let mut params = ParamSet::new(Device::Cpu).unwrap();
    let a = params.add("a", array![[3.0f32, -1.0]]).unwrap();
    let b = params.add("b", array![[2.0f32]]).unwrap();
    let grads_of = |params: &ParamSet| {
        let g = params.graph();
        let loss = params
            .var(&g, a)
            .unwrap()
            .square()
            .sum()
            .add(&params.var(&g, b).unwrap().square().scale(5.0))
            .unwrap()
            .scale(100.0);
        params.grads(loss.backward().unwrap()).unwrap()
    };
    let original = grads_of(&params);
    // d/da = 200 a = (600, -200); d/db = 1000 b = 2000.
    let norm = (600.0f32 * 600.0 + 200.0 * 200.0 + 2000.0 * 2000.0).sqrt();
    assert!((original.global_norm() - norm).abs() < 1e-2 * norm / 1e3);
    let mut clipped = original.clone();
    assert!((clipped.clip_global_norm(1.0) - norm).abs() < 1.0);
    assert!((clipped.global_norm() - 1.0).abs() < 1e-5);
    for (c, o) in clipped.to_arrays().iter().zip(original.to_arrays()) {
        for (x, y) in c.iter().zip(&o) {
            assert!((x * norm - y).abs() < 1e-2, "direction changed: {x} vs {y}");
        }
    }
    let mut loose = original.clone();
    loose.clip_global_norm(1e6);
    assert_eq!(loose.to_arrays(), original.to_arrays());
    let grads = grads_of(&params);
    let info = Adam::new(0.1)
        .max_grad_norm(1.0)
        .step(&mut params, grads)
        .unwrap();
    assert!(info.clipped && (info.grad_norm - norm).abs() < 1.0);
}

#[test]
fn weights_round_trip_through_safetensors() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("net.safetensors");
    let mut params = ParamSet::new(Device::Cpu).unwrap();
    let net = mlp(&mut params, Activation::Relu, 1);
    params.save(&path).unwrap();
    let mut other = ParamSet::new(Device::Cpu).unwrap();
    let net2 = mlp(&mut other, Activation::Relu, 2);
    let x = away_from_zero(4, 3, 0);
    assert_ne!(
        net.to_host(&params).forward(x.view()).unwrap(),
        net2.to_host(&other).forward(x.view()).unwrap()
    );
    other.load(&path).unwrap();
    assert_eq!(
        net.to_host(&params).forward(x.view()).unwrap(),
        net2.to_host(&other).forward(x.view()).unwrap()
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "only the weights file remains");
}

#[test]
fn bad_weights_files_are_rejected_with_the_reason() {
    let dir = tempfile::tempdir().unwrap();
    let mut params = ParamSet::new(Device::Cpu).unwrap();
    mlp(&mut params, Activation::Tanh, 1);
    let before = params.get(ParamId(0));

    let garbage = dir.path().join("garbage.safetensors");
    std::fs::write(&garbage, b"not a safetensors file at all").unwrap();
    let err = params.load(&garbage).unwrap_err();
    assert!(matches!(err, NnError::BadWeights { .. }), "{err}");
    assert!(err.to_string().contains("garbage.safetensors"));

    let good = dir.path().join("good.safetensors");
    params.save(&good).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    let truncated = dir.path().join("truncated.safetensors");
    std::fs::write(&truncated, &bytes[..bytes.len() - 7]).unwrap();
    assert!(matches!(
        params.load(&truncated),
        Err(NnError::BadWeights { .. })
    ));

    let mut wider = ParamSet::new(Device::Cpu).unwrap();
    MlpBuilder::new(3, 2)
        .hidden(&[6, 4])
        .build(&mut wider, "net", &mut episode_rng(0, 0))
        .unwrap();
    let wide = dir.path().join("wide.safetensors");
    wider.save(&wide).unwrap();
    let err = params.load(&wide).unwrap_err().to_string();
    assert!(
        err.contains("net.0.weight") && err.contains("shape"),
        "{err}"
    );

    let mut renamed = ParamSet::new(Device::Cpu).unwrap();
    mlp(&mut renamed, Activation::Tanh, 1);
    renamed.add("extra", Array2::zeros((1, 1))).unwrap();
    let extra = dir.path().join("extra.safetensors");
    renamed.save(&extra).unwrap();
    assert!(params
        .load(&extra)
        .unwrap_err()
        .to_string()
        .contains("unexpected tensor `extra`"));

    assert!(matches!(
        params.load(dir.path().join("missing")),
        Err(NnError::Io { .. })
    ));
    assert_eq!(
        params.get(ParamId(0)),
        before,
        "a failed load changes nothing"
    );
}

#[test]
fn misuse_is_reported_as_errors() {
    let mut params = ParamSet::new(Device::Cpu).unwrap();
    let a = params.add("a", Array2::zeros((2, 3))).unwrap();
    assert!(matches!(
        params.add("a", Array2::zeros((1, 1))),
        Err(NnError::DuplicateParam(_))
    ));
    assert!(matches!(
        params.set(a, &Array2::zeros((3, 2))),
        Err(NnError::ShapeMismatch { .. })
    ));
    let g = params.graph();
    let v = params.var(&g, a).unwrap();
    assert!(matches!(
        v.matmul(&v),
        Err(NnError::ShapeMismatch { op: "matmul", .. })
    ));
    assert!(matches!(
        v.add(&g.constant(Array2::zeros((3, 3)).view())),
        Err(NnError::ShapeMismatch { .. })
    ));
    assert!(matches!(
        v.pick(&[0, 3]),
        Err(NnError::IndexOutOfRange { index: 3, .. })
    ));
    assert!(matches!(
        v.take_rows(&[2]),
        Err(NnError::IndexOutOfRange { .. })
    ));
    let other = params.graph();
    assert!(matches!(
        v.add(&other.scalar(1.0)),
        Err(NnError::GraphMismatch)
    ));
    assert!(matches!(
        v.clone().backward(),
        Err(NnError::NotScalar((2, 3)))
    ));
    v.sum().backward().unwrap();
    assert!(matches!(v.sum().backward(), Err(NnError::GraphConsumed)));
    let mut mlp_params = ParamSet::new(Device::Cpu).unwrap();
    assert!(MlpBuilder::new(0, 1)
        .build(&mut mlp_params, "z", &mut episode_rng(0, 0))
        .is_err());
    assert!("swish".parse::<Activation>().is_err());
    assert_eq!("ReLU".parse::<Activation>().unwrap(), Activation::Relu);
    if !cfg!(feature = "cuda") {
        assert!(matches!(
            ParamSet::new(Device::Cuda(0)),
            Err(NnError::CudaNotCompiled(_))
        ));
    }
}

#[test]
fn a_restored_adam_takes_the_same_step_and_refuses_other_shapes() {
    let (x, y) = (away_from_zero(6, 3, 1), away_from_zero(6, 2, 2));
    let step = |params: &mut ParamSet, net: &Mlp, adam: &mut Adam| {
        fit_step(params, net, adam, &x, &y);
    };
    let mut params = ParamSet::new(Device::Cpu).unwrap();
    let net = mlp(&mut params, Activation::Tanh, 3);
    let mut adam = Adam::new(1e-2).max_grad_norm(1.0);
    for _ in 0..3 {
        step(&mut params, &net, &mut adam);
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("adam.safetensors");
    adam.save_state(&params, &file).unwrap();
    let mut restored = Adam::new(1e-2).max_grad_norm(1.0);
    restored.load_state(&params, &file).unwrap();
    assert_eq!(restored.steps(), 3);
    let mut twin = params.clone();
    step(&mut params, &net, &mut adam);
    step(&mut twin, &net, &mut restored);
    let all =
        |p: &ParamSet| -> Vec<Array2<f32>> { (0..p.len()).map(|i| p.get(ParamId(i))).collect() };
    assert_eq!(all(&params), all(&twin));
    // A fresh optimiser would have taken another step.
    let mut fresh_twin = params.clone();
    step(
        &mut fresh_twin,
        &net,
        &mut Adam::new(1e-2).max_grad_norm(1.0),
    );
    step(&mut params, &net, &mut adam);
    assert_ne!(all(&params), all(&fresh_twin));

    let mut other = ParamSet::new(Device::Cpu).unwrap();
    MlpBuilder::new(2, 1)
        .build(&mut other, "f", &mut episode_rng(0, 0))
        .unwrap();
    let err = Adam::new(1e-2).load_state(&other, &file).unwrap_err();
    assert!(err.to_string().contains("adam.safetensors"), "{err}");
}

/// On a CUDA device, an MLP's training steps match the CPU's (run by `benches/gpu-check.sh`).
#[cfg(feature = "cuda")]
#[test]
#[ignore = "needs a CUDA device"]
fn cuda_training_steps_match_the_cpu_s() {
    let (x, y) = (away_from_zero(512, 3, 1), away_from_zero(512, 2, 2));
    let train = |device: Device| -> Vec<Array2<f32>> {
        let mut params = ParamSet::new(device).unwrap();
        let net = mlp(&mut params, Activation::Tanh, 3);
        let mut adam = Adam::new(1e-2).max_grad_norm(1.0);
        for _ in 0..5 {
            fit_step(&mut params, &net, &mut adam, &x, &y);
        }
        (0..params.len()).map(|i| params.get(ParamId(i))).collect()
    };
    let (cpu, cuda) = (train(Device::Cpu), train(Device::Cuda(0)));
    for (a, b) in cpu.iter().zip(&cuda) {
        let gap = (a - b).iter().fold(0.0f32, |m, d| m.max(d.abs()));
        assert!(gap < 1e-4, "CPU and CUDA parameters differ by {gap}");
    }
}
