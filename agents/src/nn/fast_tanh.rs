//! `tanh` on the CPU, vectorisable and accurate to a few units in the last place.
//!
//! The C library's `tanhf` is a scalar call that dominates a tanh MLP's training step on the CPU.
//! Here `tanh(x) = sign(x) · (1 − 2 / (e^{2|x|} + 1))` with a polynomial `exp`, and the odd Taylor
//! series near zero where that formula would cancel. Both the training graph (on the CPU) and the
//! host copies of networks use it, so snapshots reproduce the training network exactly.

use super::backend::TMat;
use super::pointwise::pointwise_cpu;
use dfdx::tensor::Cpu;

/// Below this magnitude the Taylor series is used (its first omitted term is under 1e-12).
const SMALL: f32 = 0.0625;
/// Above this magnitude `tanh` rounds to ±1 in `f32`.
const LARGE: f32 = 9.5;

/// `e^y` for `0 ≤ y ≤ 2·LARGE`: `2^n · p(r)` with `y = n ln 2 + r`, `|r| ≤ ln 2 / 2`, and `p` the
/// degree-7 Taylor polynomial (relative error below 1e-8 before rounding).
#[inline(always)]
fn exp_small_range(y: f32) -> f32 {
    const LN2_HI: f32 = 0.693_145_75;
    const LN2_LO: f32 = 1.428_606_8e-6;
    // Adding 1.5·2^23 rounds to the nearest integer, which lands in the low mantissa bits.
    const ROUND: f32 = 12_582_912.0;
    let shifted = y * std::f32::consts::LOG2_E + ROUND;
    let n = shifted - ROUND;
    let n_bits = shifted.to_bits().wrapping_sub(ROUND.to_bits());
    let r = (y - n * LN2_HI) - n * LN2_LO;
    let p = 1.0
        + r * (1.0
            + r * (0.5
                + r * (1.0 / 6.0
                    + r * (1.0 / 24.0
                        + r * (1.0 / 120.0 + r * (1.0 / 720.0 + r * (1.0 / 5040.0)))))));
    p * f32::from_bits((n_bits.wrapping_add(127)) << 23)
}

/// `tanh(x)`; NaN stays NaN.
#[inline(always)]
pub(crate) fn tanh(x: f32) -> f32 {
    let a = x.abs().min(LARGE);
    let big = 1.0 - 2.0 / (exp_small_range(2.0 * a) + 1.0);
    let a2 = a * a;
    let small = a * (1.0 + a2 * (-1.0 / 3.0 + a2 * (2.0 / 15.0 + a2 * (-17.0 / 315.0))));
    let t = if a < SMALL { small } else { big };
    if x.is_nan() {
        x
    } else {
        t.copysign(x)
    }
}

/// `tanh` of every element, in place.
///
/// On x86-64 CPUs with AVX2 the loop runs 8 lanes wide. The operations and their order are the
/// same on every path (no fused multiply-adds are formed), so the results are bitwise equal.
pub(crate) fn tanh_in_place(xs: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2, checked just above.
        unsafe { tanh_in_place_avx2(xs) };
        return;
    }
    tanh_in_place_portable(xs);
}

#[inline(always)]
fn tanh_in_place_portable(xs: &mut [f32]) {
    for x in xs {
        *x = tanh(*x);
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn tanh_in_place_avx2(xs: &mut [f32]) {
    tanh_in_place_portable(xs);
}

/// The slope of `tanh` at its output `y`: `1 − y²`.
pub(crate) fn tanh_slope(y: f32) -> f32 {
    1.0 - y * y
}

/// `tanh` of a recording CPU matrix, with backward `∂x += ∂y · (1 − y²)`.
pub(crate) fn tanh_cpu(t: TMat<Cpu>) -> TMat<Cpu> {
    pointwise_cpu(t, tanh_in_place, tanh_slope)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_library_tanh() {
        let mut worst = 0.0f64;
        let mut worst_rel_small = 0.0f64;
        for i in -200_000..=200_000 {
            let x = i as f32 * 1e-4;
            let want = f64::from(x).tanh();
            let got = f64::from(tanh(x));
            worst = worst.max((got - want).abs());
            if x != 0.0 && x.abs() < 0.5 {
                worst_rel_small = worst_rel_small.max(((got - want) / want).abs());
            }
        }
        assert!(worst < 2e-7, "largest absolute error {worst}");
        assert!(
            worst_rel_small < 2e-6,
            "largest relative error near 0: {worst_rel_small}"
        );
        assert_eq!(tanh(100.0), 1.0);
        assert_eq!(tanh(-1e30), -1.0);
        assert_eq!(tanh(f32::INFINITY), 1.0);
        assert!(tanh(f32::NAN).is_nan());
        assert_eq!(tanh(-0.0).to_bits(), (-0.0f32).to_bits());
    }
}
