//! The tensor backend (dfdx) behind an enum over the devices compiled in. Nothing here is public
//! outside [`crate::nn`].

use super::device::Device;
use super::error::{NnError, Result};
use dfdx::shapes::{Axes2, Axis, HasShape, Shape, Unit};
use dfdx::tensor::{Cache, CopySlice, Cpu, CpuError, Gradients, OwnedTape, Tensor, ZerosTensor};
use dfdx::tensor_ops::{BroadcastTo, ReshapeTo};
use std::cell::RefCell;

#[cfg(feature = "cuda")]
use dfdx::tensor::Cuda;

/// A matrix with run-time sizes on device `D`, not recording.
pub(crate) type Mat<D> = Tensor<(usize, usize), f32, D>;
/// A matrix with run-time sizes on device `D`, recording onto a tape.
pub(crate) type TMat<D> = Tensor<(usize, usize), f32, D, OwnedTape<f32, D>>;

/// A device handle.
#[derive(Clone)]
pub(crate) enum Backend {
    Cpu(Cpu),
    #[cfg(feature = "cuda")]
    Cuda(Cuda),
}

impl Backend {
    pub(crate) fn new(device: Device) -> Result<Self> {
        match device.check_compiled()? {
            Device::Cpu => {
                let dev = Cpu::default();
                // Reuse freed buffers: a training step allocates the same sizes every time.
                dev.try_enable_cache()
                    .map_err(|e| NnError::Backend(e.to_string()))?;
                Ok(Backend::Cpu(dev))
            }
            #[cfg(feature = "cuda")]
            Device::Cuda(ordinal) => {
                cuda_device_exists(ordinal)?;
                let dev = Cuda::try_build(ordinal, 0)
                    .map_err(|e| NnError::Backend(format!("cannot open cuda:{ordinal}: {e}")))?;
                dev.try_enable_cache()
                    .map_err(|e| NnError::Backend(e.to_string()))?;
                Ok(Backend::Cuda(dev))
            }
            #[cfg(not(feature = "cuda"))]
            Device::Cuda(_) => unreachable!("check_compiled rejects CUDA in builds without it"),
        }
    }

    /// Uploads a row-major `rows × cols` buffer.
    pub(crate) fn upload(&self, data: Vec<f32>, rows: usize, cols: usize) -> DMat {
        match self {
            Backend::Cpu(dev) => DMat::Cpu(tensor_from_slice(dev, &data, (rows, cols))),
            #[cfg(feature = "cuda")]
            Backend::Cuda(dev) => DMat::Cuda(tensor_from_slice(dev, &data, (rows, cols))),
        }
    }
}

/// Whether the CUDA driver starts and sees device `ordinal`. dfdx's device constructor panics when
/// either fails (cudarc unwraps both), so the question is asked first.
#[cfg(feature = "cuda")]
fn cuda_device_exists(ordinal: usize) -> Result<()> {
    use cudarc::driver::result;
    result::init().map_err(|e| NnError::Backend(format!("cannot start the CUDA driver: {e}")))?;
    let count = result::device::get_count()
        .map_err(|e| NnError::Backend(format!("cannot count the CUDA devices: {e}")))?;
    if ordinal >= usize::try_from(count).unwrap_or(0) {
        return Err(NnError::Backend(format!(
            "there is no cuda:{ordinal}: the CUDA driver sees {count} device(s)"
        )));
    }
    Ok(())
}

/// A tensor of `shape` holding `data`, in a buffer drawn from the device's allocation cache.
///
/// dfdx's `tensor_from_vec` adopts the caller's `Vec`, and the cache keeps that buffer when the
/// tensor is dropped; adopted buffers are never drawn from the cache, so every such call would grow
/// it for good (tens of megabytes per PPO iteration). Drawing from the cache and copying keeps the
/// cache as large as one step's working set.
pub(crate) fn tensor_from_slice<S: Shape, E: Unit, D: ZerosTensor<E> + CopySlice<E>>(
    dev: &D,
    data: &[E],
    shape: S,
) -> Tensor<S, E, D> {
    let mut t = dev.zeros_like(&shape);
    t.copy_from(data);
    t
}

/// Runs `f` with the gradient of `out` (a CPU matrix recorded on a tape) and every other gradient.
///
/// The gradient buffer of `out` is moved out of `grads` while `f` runs and put back after, so a
/// backward op can read it while it accumulates into its inputs' gradients without copying it.
pub(crate) fn with_output_grad<R>(
    grads: &mut Gradients<f32, Cpu>,
    out: &Mat<Cpu>,
    f: impl FnOnce(&[f32], &mut Gradients<f32, Cpu>) -> Result<R, CpuError>,
) -> Result<R, CpuError> {
    let grad_out = std::mem::take(&mut **grads.get_or_alloc_mut(out)?);
    let result = f(&grad_out, grads);
    **grads.get_or_alloc_mut(out)? = grad_out;
    result
}

/// A matrix on whichever device it lives on.
#[derive(Clone)]
pub(crate) enum DMat {
    Cpu(Mat<Cpu>),
    #[cfg(feature = "cuda")]
    Cuda(Mat<Cuda>),
}

/// Runs `$body` with `$D` bound to the dfdx device type of `$m` (a [`DMat`]).
macro_rules! with_device {
    ($m:expr, $D:ident => $body:expr) => {
        match $m {
            $crate::nn::backend::DMat::Cpu(_) => {
                #[allow(dead_code)]
                type $D = dfdx::tensor::Cpu;
                $body
            }
            #[cfg(feature = "cuda")]
            $crate::nn::backend::DMat::Cuda(_) => {
                #[allow(dead_code)]
                type $D = dfdx::tensor::Cuda;
                $body
            }
        }
    };
}
pub(crate) use with_device;

impl DMat {
    pub(crate) fn shape(&self) -> (usize, usize) {
        with_device!(self, D => *D::unwrap(self).shape())
    }

    /// Copies the values to the host, row-major.
    pub(crate) fn to_vec(&self) -> Vec<f32> {
        with_device!(self, D => D::unwrap(self).as_vec())
    }
}

/// The recorded operations of one graph, on its device.
pub(crate) enum TapeCell {
    Cpu(Cpu, RefCell<OwnedTape<f32, Cpu>>),
    #[cfg(feature = "cuda")]
    Cuda(Cuda, RefCell<OwnedTape<f32, Cuda>>),
}

impl TapeCell {
    pub(crate) fn new(backend: &Backend) -> Self {
        match backend {
            Backend::Cpu(d) => TapeCell::Cpu(d.clone(), RefCell::default()),
            #[cfg(feature = "cuda")]
            Backend::Cuda(d) => TapeCell::Cuda(d.clone(), RefCell::default()),
        }
    }

    pub(crate) fn backend(&self) -> Backend {
        match self {
            TapeCell::Cpu(d, _) => Backend::Cpu(d.clone()),
            #[cfg(feature = "cuda")]
            TapeCell::Cuda(d, _) => Backend::Cuda(d.clone()),
        }
    }
}

/// Gradients computed by a backward pass.
pub(crate) enum DGrads {
    Cpu(Gradients<f32, Cpu>),
    #[cfg(feature = "cuda")]
    Cuda(Gradients<f32, Cuda>),
}

/// A compiled-in dfdx device, with projections out of the enums above. The projections are only
/// called on values whose variant has already been matched, so a mismatch is a bug in this module.
pub(crate) trait Dev: dfdx::tensor_ops::Device<f32> + 'static {
    fn wrap(m: Mat<Self>) -> DMat;
    fn unwrap(m: &DMat) -> &Mat<Self>;
    fn tape(t: &TapeCell) -> &RefCell<OwnedTape<f32, Self>>;
    fn wrap_grads(g: Gradients<f32, Self>) -> DGrads;
    fn grads(g: &mut DGrads) -> &mut Gradients<f32, Self>;
    /// `tanh`, recorded.
    fn tanh(t: TMat<Self>) -> TMat<Self>;
    /// `max(x, 0)`, recorded.
    fn relu(t: TMat<Self>) -> TMat<Self>;
    /// `x + b` for an `r×c` matrix `x` and a `1×c` row `b`, recorded.
    fn add_row(x: TMat<Self>, b: TMat<Self>) -> TMat<Self>;
}

macro_rules! impl_dev {
    ($ty:ty, $variant:ident, $tanh:expr, $relu:expr, $add_row:expr) => {
        impl Dev for $ty {
            fn tanh(t: TMat<Self>) -> TMat<Self> {
                $tanh(t)
            }
            fn relu(t: TMat<Self>) -> TMat<Self> {
                $relu(t)
            }
            fn add_row(x: TMat<Self>, b: TMat<Self>) -> TMat<Self> {
                $add_row(x, b)
            }
            fn wrap(m: Mat<Self>) -> DMat {
                DMat::$variant(m)
            }
            fn unwrap(m: &DMat) -> &Mat<Self> {
                #[allow(unreachable_patterns)]
                match m {
                    DMat::$variant(m) => m,
                    _ => unreachable!("matrix on another device"),
                }
            }
            fn tape(t: &TapeCell) -> &RefCell<OwnedTape<f32, Self>> {
                #[allow(unreachable_patterns)]
                match t {
                    TapeCell::$variant(_, t) => t,
                    _ => unreachable!("tape on another device"),
                }
            }
            fn wrap_grads(g: Gradients<f32, Self>) -> DGrads {
                DGrads::$variant(g)
            }
            fn grads(g: &mut DGrads) -> &mut Gradients<f32, Self> {
                #[allow(unreachable_patterns)]
                match g {
                    DGrads::$variant(g) => g,
                    _ => unreachable!("gradients on another device"),
                }
            }
        }
    };
}
impl_dev!(
    Cpu,
    Cpu,
    super::fast_tanh::tanh_cpu,
    super::pointwise::relu_cpu,
    super::bias_add::add_row_cpu
);
#[cfg(feature = "cuda")]
impl_dev!(
    Cuda,
    Cuda,
    |t: TMat<Cuda>| t.tanh(),
    |t: TMat<Cuda>| t.relu(),
    |x: TMat<Cuda>, b: TMat<Cuda>| {
        let (r, c) = *x.shape();
        x + broadcast(b, r, c)
    }
);

/// The shape two operands broadcast to: equal sizes, or a size of 1 on one side.
pub(crate) fn broadcast_shape(
    op: &'static str,
    a: (usize, usize),
    b: (usize, usize),
) -> Result<(usize, usize)> {
    let dim = |x: usize, y: usize| match (x, y) {
        _ if x == y => Some(x),
        (1, y) => Some(y),
        (x, 1) => Some(x),
        _ => None,
    };
    match (dim(a.0, b.0), dim(a.1, b.1)) {
        (Some(r), Some(c)) => Ok((r, c)),
        _ => Err(NnError::ShapeMismatch {
            op,
            left: a,
            right: b,
        }),
    }
}

/// Broadcasts a `1×1`, `1×c` or `r×1` matrix to `rows × cols` (a no-op when it already has it).
pub(crate) fn broadcast<D: Dev>(t: TMat<D>, rows: usize, cols: usize) -> TMat<D> {
    let (r, c) = *t.shape();
    if (r, c) == (rows, cols) {
        return t;
    }
    if r == 1 && c == 1 {
        t.reshape_like(&())
            .broadcast_like::<_, Axes2<0, 1>>(&(rows, cols))
    } else if r == 1 {
        t.reshape_like(&(c,))
            .broadcast_like::<_, Axis<0>>(&(rows, cols))
    } else {
        t.reshape_like(&(r,))
            .broadcast_like::<_, Axis<1>>(&(rows, cols))
    }
}
