//! A stack of dense layers `h_k = act_k(h_{k−1} · W_k + b_k)` on the CPU, recorded as one operation.
//!
//! Composed of separate operations, every layer of a training step allocates, zeroes and copies
//! several matrices of its batch's size (the product, the bias sum, the activation and their
//! gradients); for the cost networks of guided cost learning that took more time than the matrix
//! products. Here the activations live in plain buffers from the input to the output, and the
//! backward pass writes only the gradients that leave the stack (the input's and the parameters').
//!
//! The arithmetic is the composed operations', step for step: the products are dfdx's calls of
//! `gemm` with the same arguments, and each gradient is accumulated in the same order from the same
//! zeroed buffers, so the results are bitwise those of `matmul`, `add` and the activation.

use super::backend::{tensor_from_slice, with_output_grad, Mat, TMat};
use super::fast_tanh::{tanh_in_place, tanh_slope};
use super::mlp::Activation;
use super::pointwise::{relu_in_place, relu_slope};
use dfdx::shapes::HasShape;
use dfdx::tensor::{CopySlice, Cpu, OwnedTape, PutTape, Tape};

/// One layer's weights `W` (`k×n`), bias `b` (`1×n`) and activation.
pub(crate) struct DenseLayer {
    pub(crate) weight: Mat<Cpu>,
    pub(crate) bias: Mat<Cpu>,
    pub(crate) activation: Activation,
}

/// `c ← a · b` (or `c ← c + a · b` with `accumulate`) for an `m×k` matrix `a` and a `k×n` matrix
/// `b` with the given `[row, column]` strides, as dfdx's CPU kernel calls `gemm`.
#[allow(clippy::too_many_arguments)]
fn matmul(
    (m, k, n): (usize, usize, usize),
    accumulate: bool,
    a: &[f32],
    a_strides: [usize; 2],
    b: &[f32],
    b_strides: [usize; 2],
    c: &mut [f32],
    c_strides: [usize; 2],
) {
    let extent = |rows: usize, cols: usize, s: [usize; 2]| {
        if rows == 0 || cols == 0 {
            0
        } else {
            (rows - 1) * s[0] + (cols - 1) * s[1] + 1
        }
    };
    assert!(
        a.len() >= extent(m, k, a_strides)
            && b.len() >= extent(k, n, b_strides)
            && c.len() >= extent(m, n, c_strides),
        "matrix buffers smaller than their shapes"
    );
    // SAFETY: each buffer holds every element its shape and strides address (checked above), and
    // `c` is borrowed mutably, so it overlaps neither `a` nor `b`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            c_strides[1] as isize,
            c_strides[0] as isize,
            accumulate,
            a.as_ptr(),
            a_strides[1] as isize,
            a_strides[0] as isize,
            b.as_ptr(),
            b_strides[1] as isize,
            b_strides[0] as isize,
            if accumulate { 1.0 } else { 0.0 },
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::Rayon(rayon::current_num_threads()),
        );
    }
}

fn activate(activation: Activation, z: &mut [f32]) {
    match activation {
        Activation::Tanh => tanh_in_place(z),
        Activation::Relu => relu_in_place(z),
        Activation::Identity => {}
    }
}

/// The gradient at a layer's pre-activation from the gradient `grad_y` at its output `y`, as the
/// activation's and then the bias sum's backward passes accumulate it into zeroed buffers: each
/// pass adds to a zero (`0 + v`, which is `v` but for the sign of a zero; doing it twice is doing
/// it once).
fn pre_activation_grad(activation: Activation, y: &[f32], grad_y: &[f32]) -> Vec<f32> {
    fn through(slope: impl Fn(f32) -> f32, y: &[f32], grad_y: &[f32]) -> Vec<f32> {
        let pairs = y.iter().zip(grad_y);
        pairs.map(|(&y, &go)| 0.0 + slope(y) * go).collect()
    }
    match activation {
        Activation::Tanh => through(tanh_slope, y, grad_y),
        Activation::Relu => through(relu_slope, y, grad_y),
        Activation::Identity => grad_y.iter().map(|&go| 0.0 + go).collect(),
    }
}

/// The stack of `layers` applied to `x` (`r×k₀`, freshly computed and so contiguous).
pub(crate) fn dense_stack_cpu(x: Mat<Cpu>, layers: Vec<DenseLayer>) -> TMat<Cpu> {
    let rows = x.shape().0;
    let mut input = vec![0.0; x.shape().0 * x.shape().1];
    Cpu::copy_into(&x, &mut input);
    // outputs[0] is the input, outputs[k] the output of layer k.
    let mut outputs = vec![input];
    let mut weights = Vec::with_capacity(layers.len());
    for layer in &layers {
        let (k, n) = *layer.weight.shape();
        let w = layer.weight.as_vec();
        let b = layer.bias.as_vec();
        let mut z = vec![0.0; rows * n];
        let h = outputs.last().map_or(&[][..], Vec::as_slice);
        matmul((rows, k, n), false, h, [k, 1], &w, [n, 1], &mut z, [n, 1]);
        for row in z.chunks_exact_mut(n) {
            for (v, &bj) in row.iter_mut().zip(&b) {
                *v += bj;
            }
        }
        activate(layer.activation, &mut z);
        outputs.push(z);
        weights.push(w);
    }
    let width = layers.last().map_or(x.shape().1, |l| l.weight.shape().1);
    let result = outputs.last().map_or(&[][..], Vec::as_slice);
    let out: Mat<Cpu> = tensor_from_slice(x.device(), result, (rows, width));
    let out_for_grad = out.clone();
    let mut tape = OwnedTape::<f32, Cpu>::default();
    tape.add_backward_op(move |grads| {
        with_output_grad(grads, &out_for_grad, |grad_out, grads| {
            // The gradient at the output of the layer being differentiated (the stack's own
            // output gradient for the last layer).
            let mut grad_h: Option<Vec<f32>> = None;
            for (i, layer) in layers.iter().enumerate().rev() {
                let (k, n) = *layer.weight.shape();
                let grad_y = grad_h.as_deref().unwrap_or(grad_out);
                let dz = pre_activation_grad(layer.activation, &outputs[i + 1], grad_y);
                let grad_b = grads.get_or_alloc_mut(&layer.bias)?;
                for row in dz.chunks_exact(n) {
                    for (g, &go) in grad_b.iter_mut().zip(row) {
                        *g += go;
                    }
                }
                // ∂h_{i−1} += ∂z · Wᵀ, into the input's own gradient below the first layer.
                let dims = (rows, n, k);
                let (w, w_t) = (&weights[i], [1, n]);
                if i == 0 {
                    let grad_x = grads.get_or_alloc_mut(&x)?;
                    matmul(dims, true, &dz, [n, 1], w, w_t, grad_x, [k, 1]);
                    grad_h = None;
                } else {
                    let mut below = vec![0.0; rows * k];
                    matmul(dims, true, &dz, [n, 1], w, w_t, &mut below, [k, 1]);
                    grad_h = Some(below);
                }
                // ∂W += h_{i−1}ᵀ · ∂z.
                let grad_w = grads.get_or_alloc_mut(&layer.weight)?;
                matmul(
                    (k, rows, n),
                    true,
                    &outputs[i],
                    [1, k],
                    &dz,
                    [n, 1],
                    grad_w,
                    [n, 1],
                );
            }
            Ok(())
        })
    });
    out.put_tape(tape)
}
