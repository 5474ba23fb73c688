//! The paper's regularisers of a cost along the demonstrations (Finn, Levine, Abbeel 2016, §4.4).

use super::CostNet;
use crate::gcl::error::{GclError, Result};
use crate::nn::Var;

impl CostNet {
    /// Whether a regulariser is switched on.
    pub fn has_regulariser(&self) -> bool {
        self.local_constant_rate > 0.0 || self.monotonic > 0.0
    }

    /// The weighted regularisers of Finn, Levine, Abbeel 2016 ("Guided Cost Learning", §4.4),
    /// averaged over the `N` demonstrations whose `[N·T, 1]` step costs are given (the task part
    /// `g_θ` of a shaped cost: the shaping terms telescope away, the reusable part must not rise):
    ///
    /// ```text
    /// g_lcr(τ)  = Σ_t [(c_{t+1} − c_t) − (c_t − c_{t−1})]²     (local constant rate)
    /// g_mono(τ) = Σ_t max(0, c_t − c_{t−1} − 1)²               (monotonic decrease)
    /// ```
    ///
    /// A term needs its neighbours: the first needs `T ≥ 3`, the second `T ≥ 2`; shorter
    /// trajectories contribute nothing to it. `None` when both weights are zero.
    pub fn regulariser(&self, step_costs: &Var, horizon: usize) -> Result<Option<Var>> {
        if !self.has_regulariser() {
            return Ok(None);
        }
        let (rows, cols) = step_costs.shape();
        if cols != 1 || horizon == 0 || rows % horizon != 0 {
            return Err(GclError::Shape {
                what: "step costs",
                expected: format!("[N·{horizon}, 1]"),
                found: format!("{:?}", (rows, cols)),
            });
        }
        let n = rows / horizon;
        // Rows (t−1, t) and (t−1, t, t+1) of every trajectory, for each step with those neighbours.
        let rows_at = |offset: usize, from: usize, to: usize| -> Vec<usize> {
            (0..n)
                .flat_map(|i| (from..to).map(move |t| i * horizon + t + offset - 1))
                .collect()
        };
        let graph = step_costs.graph();
        let mut total = graph.scalar(0.0);
        if self.local_constant_rate > 0.0 && horizon >= 3 {
            let prev = step_costs.take_rows(&rows_at(0, 1, horizon - 1))?;
            let cur = step_costs.take_rows(&rows_at(1, 1, horizon - 1))?;
            let next = step_costs.take_rows(&rows_at(2, 1, horizon - 1))?;
            let second = next.sub(&cur)?.sub(&cur.sub(&prev)?)?;
            let g = second
                .square()
                .sum()
                .scale(self.local_constant_rate / n as f32);
            total = total.add(&g)?;
        }
        if self.monotonic > 0.0 && horizon >= 2 {
            let prev = step_costs.take_rows(&rows_at(0, 1, horizon))?;
            let cur = step_costs.take_rows(&rows_at(1, 1, horizon))?;
            let rise = cur.sub(&prev)?.add_scalar(-1.0).relu();
            let g = rise.square().sum().scale(self.monotonic / n as f32);
            total = total.add(&g)?;
        }
        Ok(Some(total))
    }
}
