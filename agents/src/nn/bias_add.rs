//! `x + b` for an `r×c` matrix `x` and a `1×c` row `b` (a layer's bias) on the CPU, recorded.
//!
//! dfdx broadcasts `b` to `r×c` and runs its generic strided kernels forward and backward; for the
//! small layers of control policies that took about a fifth of a PPO update. Here both directions
//! are plain loops over contiguous rows: `y_ij = x_ij + b_j`, `∂x_ij += ∂y_ij`, `∂b_j += Σ_i ∂y_ij`.

use super::backend::{tensor_from_slice, with_output_grad, Mat, TMat};
use dfdx::shapes::HasShape;
use dfdx::tensor::{CopySlice, Cpu, Merge, PutTape, SplitTape, Tape};

/// `x + b` with `x` of shape `r×c` and `b` of shape `1×c`; both freshly computed, so contiguous.
pub(crate) fn add_row_cpu(x: TMat<Cpu>, b: TMat<Cpu>) -> TMat<Cpu> {
    let (x, tape) = x.split_tape();
    let (b, tape_b) = b.split_tape();
    let mut tape = tape.merge(tape_b);
    let shape = *x.shape();
    let cols = shape.1;
    debug_assert_eq!(*b.shape(), (1, cols), "a bias row of the matrix's width");
    let mut y = vec![0.0; shape.0 * cols];
    Cpu::copy_into(&x, &mut y);
    let bias = b.as_vec();
    for row in y.chunks_exact_mut(cols) {
        for (v, &bj) in row.iter_mut().zip(&bias) {
            *v += bj;
        }
    }
    let out: Mat<Cpu> = tensor_from_slice(x.device(), &y, shape);
    let out_for_grad = out.clone();
    tape.add_backward_op(move |grads| {
        with_output_grad(grads, &out_for_grad, |grad_out, grads| {
            for (g, &go) in grads.get_or_alloc_mut(&x)?.iter_mut().zip(grad_out) {
                *g += go;
            }
            let grad_b = grads.get_or_alloc_mut(&b)?;
            for row in grad_out.chunks_exact(cols) {
                for (g, &go) in grad_b.iter_mut().zip(row) {
                    *g += go;
                }
            }
            Ok(())
        })
    });
    out.put_tape(tape)
}
