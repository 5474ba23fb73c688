//! Recording computations for reverse-mode differentiation: [`Graph`], [`Var`] and [`Gradients`].
//!
//! A [`Graph`] records every operation applied to its [`Var`]s. Variables are 2-D `f32` matrices
//! whose sizes are known at run time only; a column vector is `n×1` and a scalar is `1×1`.
//! Elementwise operations broadcast a `1×1`, `1×c` or `r×1` operand against a larger one.
//! [`Var::backward`] on a `1×1` loss runs the recorded operations in reverse and returns the
//! [`Gradients`] of every parameter that took part.

use super::backend::{
    broadcast, broadcast_shape, tensor_from_slice, with_device, Backend, DGrads, DMat, Dev, TMat,
    TapeCell,
};
use super::dense::{dense_stack_cpu, DenseLayer};
use super::device::Device;
use super::error::{NnError, Result};
use super::mlp::Activation;
use dfdx::shapes::{Axis, HasShape};
use dfdx::tensor::{Cpu, Merge, OwnedTape, PutTape, SplitTape};
use dfdx::tensor_ops::{
    Backward, GatherTo, LogSumExpTo, MeanTo, ReshapeTo, SelectTo, SumTo, TryMatMul,
};
use ndarray::{Array2, ArrayView2};
use std::cell::Cell;
use std::fmt;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A fresh identity for a stored value (clones of a value share its identity).
pub(crate) fn fresh_key() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

struct GraphState {
    device: Device,
    tape: TapeCell,
    consumed: Cell<bool>,
}

/// One differentiable computation. Cheap to clone (clones share the recording).
///
/// Build one graph per loss: [`Var::backward`] consumes what the graph recorded.
#[derive(Clone)]
pub struct Graph {
    state: Rc<GraphState>,
}

impl fmt::Debug for Graph {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Graph")
            .field("device", &self.state.device)
            .finish_non_exhaustive()
    }
}

impl Graph {
    pub(crate) fn new(device: Device, backend: &Backend) -> Self {
        Self {
            state: Rc::new(GraphState {
                device,
                tape: TapeCell::new(backend),
                consumed: Cell::new(false),
            }),
        }
    }

    /// The device the graph computes on.
    pub fn device(&self) -> Device {
        self.state.device
    }

    /// A constant (no gradient wanted) holding a copy of `x`.
    pub fn constant(&self, x: ArrayView2<'_, f32>) -> Var {
        let data: Vec<f32> = x.iter().copied().collect();
        self.upload(data, x.nrows(), x.ncols())
    }

    /// A `1×1` constant.
    pub fn scalar(&self, value: f32) -> Var {
        self.upload(vec![value], 1, 1)
    }

    /// A constant column `n×1` holding `values`.
    pub fn column(&self, values: &[f32]) -> Var {
        self.upload(values.to_vec(), values.len(), 1)
    }

    fn upload(&self, data: Vec<f32>, rows: usize, cols: usize) -> Var {
        self.wrap(self.state.tape.backend().upload(data, rows, cols))
    }

    pub(crate) fn wrap(&self, value: DMat) -> Var {
        self.wrap_keyed(value, fresh_key())
    }

    pub(crate) fn wrap_keyed(&self, value: DMat, key: u64) -> Var {
        Var {
            graph: self.clone(),
            value,
            key,
        }
    }

    fn record<D: Dev>(&self, out: TMat<D>) -> Var {
        let (t, tape) = out.split_tape();
        let cell = D::tape(&self.state.tape);
        let mut recorded = cell.borrow_mut();
        let old = std::mem::take(&mut *recorded);
        *recorded = old.merge(tape);
        self.wrap(D::wrap(t))
    }

    fn same(&self, other: &Graph) -> bool {
        Rc::ptr_eq(&self.state, &other.state)
    }
}

/// A 2-D `f32` matrix recorded on a [`Graph`]. Cloning is cheap and keeps gradients flowing.
#[derive(Clone)]
pub struct Var {
    graph: Graph,
    value: DMat,
    /// Identity of the stored value: equal keys mean one tensor.
    key: u64,
}

impl fmt::Debug for Var {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Var")
            .field("shape", &self.shape())
            .finish_non_exhaustive()
    }
}

/// Applies a differentiable one-operand function, on whichever device the variable lives.
macro_rules! unary {
    ($v:expr, |$t:ident| $body:expr) => {{
        let v: &Var = $v;
        with_device!(&v.value, D => {
            let $t: TMat<D> = D::unwrap(&v.value).clone().put_tape(OwnedTape::default());
            v.graph.record::<D>($body)
        })
    }};
}

impl Var {
    /// `(rows, columns)`.
    pub fn shape(&self) -> (usize, usize) {
        self.value.shape()
    }

    /// The graph the variable is recorded on.
    pub fn graph(&self) -> &Graph {
        &self.graph
    }

    /// A host copy of the values.
    pub fn to_array(&self) -> Array2<f32> {
        Array2::from_shape_vec(self.shape(), self.value.to_vec())
            .expect("a matrix has rows × columns values")
    }

    /// The single value of a `1×1` variable (the first value otherwise).
    pub fn item(&self) -> f32 {
        self.value.to_vec().first().copied().unwrap_or(f32::NAN)
    }

    /// `-x`.
    pub fn neg(&self) -> Var {
        unary!(self, |t| -t)
    }

    /// `exp(x)`.
    pub fn exp(&self) -> Var {
        unary!(self, |t| t.exp())
    }

    /// `ln(x)`.
    pub fn ln(&self) -> Var {
        unary!(self, |t| t.ln())
    }

    /// `tanh(x)`.
    pub fn tanh(&self) -> Var {
        unary!(self, |t| D::tanh(t))
    }

    /// `max(x, 0)`.
    pub fn relu(&self) -> Var {
        unary!(self, |t| D::relu(t))
    }

    /// `1 / (1 + exp(-x))`.
    pub fn sigmoid(&self) -> Var {
        unary!(self, |t| t.sigmoid())
    }

    /// `x²`.
    pub fn square(&self) -> Var {
        unary!(self, |t| t.square())
    }

    /// `√x`.
    pub fn sqrt(&self) -> Var {
        unary!(self, |t| t.sqrt())
    }

    /// `|x|`.
    pub fn abs(&self) -> Var {
        unary!(self, |t| t.abs())
    }

    /// `ln(1 + exp(x))`, computed without overflow as `max(x,0) + ln(1 + exp(-|x|))`.
    pub fn softplus(&self) -> Var {
        let tail = self.abs().neg().exp().add_scalar(1.0).ln();
        self.relu()
            .add(&tail)
            .expect("operands of equal shape on one graph")
    }

    /// `ln σ(x) = -softplus(-x)`.
    pub fn log_sigmoid(&self) -> Var {
        self.neg().softplus().neg()
    }

    /// `c · x`.
    pub fn scale(&self, c: f32) -> Var {
        unary!(self, |t| t * c)
    }

    /// `x + c`.
    pub fn add_scalar(&self, c: f32) -> Var {
        unary!(self, |t| t + c)
    }

    /// `x` clamped to `[lo, hi]` (zero gradient outside).
    pub fn clamp(&self, lo: f32, hi: f32) -> Var {
        unary!(self, |t| t.clamp(lo, hi))
    }

    /// Sum of all entries, `1×1`.
    pub fn sum(&self) -> Var {
        unary!(self, |t| t.sum::<(), _>().reshape_like(&(1, 1)))
    }

    /// Mean of all entries, `1×1`.
    pub fn mean(&self) -> Var {
        unary!(self, |t| t.mean::<(), _>().reshape_like(&(1, 1)))
    }

    /// Sum of each row, `n×1`.
    pub fn sum_rows(&self) -> Var {
        let n = self.shape().0;
        unary!(self, |t| t.sum::<(usize,), Axis<1>>().reshape_like(&(n, 1)))
    }

    /// Sum of each column, `1×c`.
    pub fn sum_cols(&self) -> Var {
        let c = self.shape().1;
        unary!(self, |t| t.sum::<(usize,), Axis<0>>().reshape_like(&(1, c)))
    }

    /// Mean of each column, `1×c`.
    pub fn mean_cols(&self) -> Var {
        let c = self.shape().1;
        unary!(self, |t| t
            .mean::<(usize,), Axis<0>>()
            .reshape_like(&(1, c)))
    }

    /// `ln Σ_j exp(x_ij)` of each row, `n×1`, computed stably.
    pub fn logsumexp_rows(&self) -> Var {
        let n = self.shape().0;
        unary!(self, |t| t
            .logsumexp::<(usize,), Axis<1>>()
            .reshape_like(&(n, 1)))
    }

    /// `ln Σ_i exp(x_ij)` of each column, `1×c`, computed stably.
    pub fn logsumexp_cols(&self) -> Var {
        let c = self.shape().1;
        unary!(self, |t| t
            .logsumexp::<(usize,), Axis<0>>()
            .reshape_like(&(1, c)))
    }

    /// Log-softmax of each row.
    pub fn log_softmax_rows(&self) -> Var {
        unary!(self, |t| t.log_softmax::<Axis<1>>())
    }

    /// Entry `(i, cols[i])` of each row `i`, `n×1` (e.g. the log-probability of each taken action).
    pub fn pick(&self, cols: &[usize]) -> Result<Var> {
        let (n, c) = self.shape();
        if cols.len() != n {
            return Err(NnError::ShapeMismatch {
                op: "pick",
                left: (n, c),
                right: (cols.len(), 1),
            });
        }
        if let Some(&bad) = cols.iter().find(|&&j| j >= c) {
            return Err(NnError::IndexOutOfRange {
                op: "pick",
                index: bad,
                len: c,
            });
        }
        Ok(unary!(self, |t| {
            let idx = tensor_from_slice(t.device(), cols, (n,));
            t.select::<(usize,), _>(idx).reshape_like(&(n, 1))
        }))
    }

    /// The rows `rows[k]` stacked in order, `k×c` (e.g. the logits of each visited state).
    pub fn take_rows(&self, rows: &[usize]) -> Result<Var> {
        let (n, _) = self.shape();
        if let Some(&bad) = rows.iter().find(|&&i| i >= n) {
            return Err(NnError::IndexOutOfRange {
                op: "take_rows",
                index: bad,
                len: n,
            });
        }
        let k = rows.len();
        Ok(unary!(self, |t| {
            let idx = tensor_from_slice(t.device(), rows, (k,));
            t.gather::<(usize, usize), _>(idx)
        }))
    }

    fn binary(&self, other: &Var, shape: (usize, usize), f: impl BinaryFn) -> Result<Var> {
        if !self.graph.same(&other.graph) {
            return Err(NnError::GraphMismatch);
        }
        Ok(with_device!(&self.value, D => {
            let a: TMat<D> = D::unwrap(&self.value).clone().put_tape(OwnedTape::default());
            let b: TMat<D> = D::unwrap(&other.value).clone().put_tape(OwnedTape::default());
            // An operation whose operands are one tensor needs a distinct copy of it.
            let b = if self.key == other.key { b * 1.0 } else { b };
            self.graph.record::<D>(f.apply::<D>(a, b, shape))
        }))
    }

    fn elementwise(&self, other: &Var, op: &'static str, f: impl BinaryFn) -> Result<Var> {
        let shape = broadcast_shape(op, self.shape(), other.shape())?;
        self.binary(other, shape, f)
    }

    /// `x + y`, broadcasting.
    pub fn add(&self, other: &Var) -> Result<Var> {
        self.elementwise(other, "add", Add)
    }

    /// `x - y`, broadcasting.
    pub fn sub(&self, other: &Var) -> Result<Var> {
        self.elementwise(other, "sub", Sub)
    }

    /// `x · y` elementwise, broadcasting.
    pub fn mul(&self, other: &Var) -> Result<Var> {
        self.elementwise(other, "mul", Mul)
    }

    /// `x / y` elementwise, broadcasting.
    pub fn div(&self, other: &Var) -> Result<Var> {
        self.elementwise(other, "div", Div)
    }

    /// `min(x, y)` elementwise, broadcasting.
    pub fn minimum(&self, other: &Var) -> Result<Var> {
        self.elementwise(other, "minimum", Min)
    }

    /// `max(x, y)` elementwise, broadcasting.
    pub fn maximum(&self, other: &Var) -> Result<Var> {
        self.elementwise(other, "maximum", Max)
    }

    /// The matrix product `x · y` of an `n×k` and a `k×m` matrix.
    pub fn matmul(&self, other: &Var) -> Result<Var> {
        let (a, b) = (self.shape(), other.shape());
        if a.1 != b.0 {
            return Err(NnError::ShapeMismatch {
                op: "matmul",
                left: a,
                right: b,
            });
        }
        self.binary(other, (a.0, b.1), MatMul)
    }

    /// `act_L(… act_1(x · W_1 + b_1) … · W_L + b_L)` for `layers` of `(W_k, b_k, act_k)`, recorded
    /// as one operation on the CPU (see `dense.rs`), with the same numbers as the composed
    /// operations. `None` on other devices, where the caller composes them.
    pub(crate) fn dense_stack(&self, layers: &[(Var, Var, Activation)]) -> Option<Var> {
        #[allow(unreachable_patterns)]
        let x = match &self.value {
            DMat::Cpu(x) => x.clone(),
            _ => return None,
        };
        let mut stack = Vec::with_capacity(layers.len());
        for (w, b, activation) in layers {
            #[allow(unreachable_patterns)]
            match (&w.value, &b.value) {
                (DMat::Cpu(weight), DMat::Cpu(bias))
                    if self.graph.same(&w.graph) && self.graph.same(&b.graph) =>
                {
                    stack.push(DenseLayer {
                        weight: weight.clone(),
                        bias: bias.clone(),
                        activation: *activation,
                    });
                }
                _ => return None,
            }
        }
        Some(self.graph.record::<Cpu>(dense_stack_cpu(x, stack)))
    }

    /// Runs the recorded operations in reverse from this `1×1` loss and returns the gradients.
    /// Consumes the graph's recording: a second call on the same graph is an error.
    pub fn backward(self) -> Result<Gradients> {
        if self.shape() != (1, 1) {
            return Err(NnError::NotScalar(self.shape()));
        }
        if self.graph.state.consumed.replace(true) {
            return Err(NnError::GraphConsumed);
        }
        with_device!(&self.value, D => {
            let tape = std::mem::take(&mut *D::tape(&self.graph.state.tape).borrow_mut());
            let loss = D::unwrap(&self.value).clone().put_tape(tape).sum::<(), _>();
            let grads = loss
                .try_backward()
                .map_err(|e| NnError::Backend(format!("{e:?}")))?;
            Ok(Gradients {
                device: self.graph.device(),
                inner: D::wrap_grads(grads),
            })
        })
    }
}

/// A two-operand function on recording matrices, written once for every device.
trait BinaryFn {
    fn apply<D: Dev>(self, a: TMat<D>, b: TMat<D>, shape: (usize, usize)) -> TMat<D>;
}

macro_rules! elementwise_fn {
    ($name:ident, |$a:ident, $b:ident| $body:expr) => {
        struct $name;
        impl BinaryFn for $name {
            fn apply<D: Dev>(self, a: TMat<D>, b: TMat<D>, (r, c): (usize, usize)) -> TMat<D> {
                let $a = broadcast(a, r, c);
                let $b = broadcast(b, r, c);
                $body
            }
        }
    };
}

/// `x + y`; a `1×c` row added to every row (a layer's bias) takes the device's own kernel.
struct Add;
impl BinaryFn for Add {
    fn apply<D: Dev>(self, a: TMat<D>, b: TMat<D>, (r, c): (usize, usize)) -> TMat<D> {
        if *a.shape() == (r, c) && *b.shape() == (1, c) && r > 1 {
            D::add_row(a, b)
        } else {
            broadcast(a, r, c) + broadcast(b, r, c)
        }
    }
}
elementwise_fn!(Sub, |a, b| a - b);
elementwise_fn!(Mul, |a, b| a * b);
elementwise_fn!(Div, |a, b| a / b);
elementwise_fn!(Min, |a, b| a.minimum(b));
elementwise_fn!(Max, |a, b| a.maximum(b));

struct MatMul;
impl BinaryFn for MatMul {
    fn apply<D: Dev>(self, a: TMat<D>, b: TMat<D>, _: (usize, usize)) -> TMat<D> {
        a.matmul(b)
    }
}

/// Gradients of a loss with respect to the parameters that took part in it.
pub struct Gradients {
    device: Device,
    pub(crate) inner: DGrads,
}

impl fmt::Debug for Gradients {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gradients")
            .field("device", &self.device)
            .finish_non_exhaustive()
    }
}

impl Gradients {
    /// The device the gradients live on.
    pub fn device(&self) -> Device {
        self.device
    }

    /// The gradient of `value` (zeros if it took no part in the loss).
    pub(crate) fn take_for(&mut self, value: &DMat) -> DMat {
        with_device!(value, D => {
            let t = D::unwrap(value);
            let g = D::grads(&mut self.inner);
            g.try_alloc_for(t).expect("allocating a gradient buffer");
            D::wrap(g.get(t))
        })
    }
}
