//! The non-zero entries of a transition tensor, row by row (compressed sparse rows).
//!
//! Grid dynamics reach at most five cells from a state, so planning and sampling over the non-zero
//! successors costs `O(S·A·5)` instead of `O(S·A·S)`.

use ndarray::{Array3, Axis};

/// `P[s, a, ·]` as lists of `(s', P(s'|s,a))` with `P > 0`.
#[derive(Clone, Debug)]
pub(crate) struct Successors {
    num_actions: usize,
    /// Row `i = s·A + a` occupies `offsets[i]..offsets[i + 1]` of `next` and `prob`.
    offsets: Vec<usize>,
    next: Vec<usize>,
    prob: Vec<f64>,
}

impl Successors {
    /// The non-zero entries of `transitions [S, A, S]`, each row renormalised in `f64` to sum to
    /// exactly one (a validated `f32` row is off by rounding only).
    pub(crate) fn new(transitions: &Array3<f32>) -> Self {
        let num_actions = transitions.len_of(Axis(1));
        let mut offsets = vec![0];
        let (mut next, mut prob) = (Vec::new(), Vec::new());
        for row in transitions.lanes(Axis(2)) {
            let start = next.len();
            for (s2, &p) in row.iter().enumerate() {
                if p > 0.0 {
                    next.push(s2);
                    prob.push(f64::from(p));
                }
            }
            let total: f64 = prob[start..].iter().sum();
            prob[start..].iter_mut().for_each(|p| *p /= total);
            offsets.push(next.len());
        }
        Self {
            num_actions,
            offsets,
            next,
            prob,
        }
    }

    /// The successors `s'` of `(s, a)` and their probabilities.
    pub(crate) fn of(&self, state: usize, action: usize) -> (&[usize], &[f64]) {
        let i = state * self.num_actions + action;
        let range = self.offsets[i]..self.offsets[i + 1];
        (&self.next[range.clone()], &self.prob[range])
    }

    /// The successor of `(s, a)` at quantile `u ∈ [0, 1)` of `P[s, a, ·]` (inverse-CDF sampling).
    pub(crate) fn sample(&self, state: usize, action: usize, u: f64) -> usize {
        let (next, prob) = self.of(state, action);
        sample_index(prob, u).map_or(state, |i| next[i])
    }
}

/// The index at quantile `u` of the distribution `p`: the first `i` with `u < Σ_{j ≤ i} p_j`, or the
/// last index with positive mass when rounding leaves the total just below `u`; `None` if `p` has no
/// mass at all.
pub(crate) fn sample_index(p: &[f64], u: f64) -> Option<usize> {
    let mut cumulative = 0.0;
    for (i, &pi) in p.iter().enumerate() {
        cumulative += pi;
        if u < cumulative {
            return Some(i);
        }
    }
    p.iter().rposition(|&pi| pi > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_only_non_zero_successors() {
        let mut p = Array3::zeros((2, 1, 2));
        p[[0, 0, 1]] = 1.0;
        p[[1, 0, 0]] = 0.25;
        p[[1, 0, 1]] = 0.75;
        let succ = Successors::new(&p);
        assert_eq!(succ.of(0, 0), (&[1usize][..], &[1.0][..]));
        assert_eq!(succ.of(1, 0), (&[0usize, 1][..], &[0.25, 0.75][..]));
        assert_eq!(succ.sample(1, 0, 0.2), 0);
        assert_eq!(succ.sample(1, 0, 0.3), 1);
    }

    #[test]
    fn sample_index_inverts_the_cdf() {
        let p = [0.0, 0.5, 0.0, 0.5];
        assert_eq!(sample_index(&p, 0.0), Some(1));
        assert_eq!(sample_index(&p, 0.49), Some(1));
        assert_eq!(sample_index(&p, 0.5), Some(3));
        assert_eq!(sample_index(&p, 1.0), Some(3));
        assert_eq!(sample_index(&[0.0, 0.0], 0.5), None);
    }
}
