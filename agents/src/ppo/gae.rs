//! Generalised advantage estimation (Schulman et al. 2016) over one fixed-horizon episode.

use ndarray::{Array1, ArrayView1};

/// Advantages `A_t` and value targets `R_t = A_t + V(x_t)` of one episode of `T` steps.
///
/// `rewards` holds `r_1 … r_T`, `values` holds `V(x_1) … V(x_{T+1})` (one more than the rewards).
/// With `bootstrap` the episode is treated as cut off by the horizon, and `V(x_{T+1})` stands in
/// for the rewards after it; without, the return after the last step is zero.
///
/// ```text
/// δ_t = r_t + γ V(x_{t+1}) − V(x_t)
/// A_t = Σ_k (γλ)^k δ_{t+k} = δ_t + γλ A_{t+1}
/// ```
///
/// # Panics
/// If `values.len() != rewards.len() + 1` (a caller's programming error, not bad input).
pub fn gae(
    rewards: ArrayView1<'_, f32>,
    values: ArrayView1<'_, f32>,
    gamma: f32,
    lambda: f32,
    bootstrap: bool,
) -> (Array1<f32>, Array1<f32>) {
    let t_len = rewards.len();
    assert_eq!(values.len(), t_len + 1, "GAE needs V(x_1) … V(x_{{T+1}})");
    let mut advantages = Array1::zeros(t_len);
    let mut next_advantage = 0.0f32; // A_{T+1} = 0
    for t in (0..t_len).rev() {
        let next_value = if t + 1 == t_len && !bootstrap {
            0.0
        } else {
            values[t + 1]
        };
        // δ_t = r_t + γ V(x_{t+1}) − V(x_t)
        let delta = rewards[t] + gamma * next_value - values[t];
        // A_t = δ_t + γλ A_{t+1}
        next_advantage = delta + gamma * lambda * next_advantage;
        advantages[t] = next_advantage;
    }
    // R_t = A_t + V(x_t), the TD(λ) target of the value function.
    let returns = &advantages + &values.slice(ndarray::s![..t_len]);
    (advantages, returns)
}
