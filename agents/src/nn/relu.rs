//! `max(x, 0)` on the CPU, recorded.
//!
//! dfdx's generic unary kernel copies its input's buffer before rectifying it (the graph still holds
//! the input), and its backward pass indexes both gradient buffers element by element; on the cost
//! networks of guided cost learning that took about a tenth of a run. Here the forward pass is one
//! loop into a fresh buffer and the backward pass one loop over contiguous buffers, with dfdx's
//! arithmetic: `y = max(x, 0)`, `∂x += 1[x > 0] · ∂y`.

use super::backend::{tensor_from_slice, with_output_grad, Mat, TMat};
use dfdx::shapes::HasShape;
use dfdx::tensor::{CopySlice, Cpu, PutTape, SplitTape, Tape};

/// `max(x, 0)` of a recording CPU matrix (freshly computed, so contiguous).
pub(crate) fn relu_cpu(t: TMat<Cpu>) -> TMat<Cpu> {
    let (x, mut tape) = t.split_tape();
    let shape = *x.shape();
    let mut y = vec![0.0; shape.0 * shape.1];
    Cpu::copy_into(&x, &mut y);
    for v in &mut y {
        *v = v.max(0.0);
    }
    let out: Mat<Cpu> = tensor_from_slice(x.device(), &y, shape);
    let out_for_grad = out.clone();
    tape.add_backward_op(move |grads| {
        with_output_grad(grads, &out_for_grad, |grad_out, grads| {
            let grad_x = grads.get_or_alloc_mut(&x)?;
            // `y > 0` exactly when `x > 0` (NaN included: `max(NaN, 0) = 0`).
            for ((g, &go), &y) in grad_x.iter_mut().zip(grad_out).zip(&y) {
                let slope = if y > 0.0 { 1.0 } else { 0.0 };
                *g += slope * go;
            }
            Ok(())
        })
    });
    out.put_tape(tape)
}
