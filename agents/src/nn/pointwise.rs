//! Pointwise nonlinearities `y = f(x)` of CPU matrices, recorded, whose derivative is a function of
//! `y`: the forward pass is one loop into a fresh buffer and the backward pass one loop over
//! contiguous buffers, `∂x += f′(y) · ∂y`.
//!
//! dfdx's generic unary kernel copies its input's buffer before mapping it (the graph still holds
//! the input) and its backward pass indexes both gradient buffers element by element; for `relu` on
//! the cost networks of guided cost learning that took about a tenth of a run.

use super::backend::{tensor_from_slice, with_output_grad, Mat, TMat};
use dfdx::shapes::HasShape;
use dfdx::tensor::{CopySlice, Cpu, PutTape, SplitTape, Tape};

/// `forward` of every element of a recording CPU matrix (freshly computed, so contiguous), with
/// backward `∂x += slope(y) · ∂y`.
pub(crate) fn pointwise_cpu(
    t: TMat<Cpu>,
    forward: fn(&mut [f32]),
    slope: fn(f32) -> f32,
) -> TMat<Cpu> {
    let (x, mut tape) = t.split_tape();
    let shape = *x.shape();
    let mut y = vec![0.0; shape.0 * shape.1];
    Cpu::copy_into(&x, &mut y);
    forward(&mut y);
    let out: Mat<Cpu> = tensor_from_slice(x.device(), &y, shape);
    let out_for_grad = out.clone();
    tape.add_backward_op(move |grads| {
        with_output_grad(grads, &out_for_grad, |grad_out, grads| {
            let grad_x = grads.get_or_alloc_mut(&x)?;
            for ((g, &go), &y) in grad_x.iter_mut().zip(grad_out).zip(&y) {
                *g += slope(y) * go;
            }
            Ok(())
        })
    });
    out.put_tape(tape)
}

/// `max(x, 0)` in place.
pub(crate) fn relu_in_place(xs: &mut [f32]) {
    for x in xs {
        *x = x.max(0.0);
    }
}

/// The slope of `relu` at its output `y`: 1 where `y > 0`, which is where `x > 0` (NaN included:
/// `max(NaN, 0) = 0`), as dfdx's relu has it.
pub(crate) fn relu_slope(y: f32) -> f32 {
    if y > 0.0 {
        1.0
    } else {
        0.0
    }
}

/// `max(x, 0)` of a recording CPU matrix.
pub(crate) fn relu_cpu(t: TMat<Cpu>) -> TMat<Cpu> {
    pointwise_cpu(t, relu_in_place, relu_slope)
}
