//! The observation of a tabular task: `[row, col, t]` as `f32`.
//!
//! State `s` of a grid of width `w` is the cell at row `s / w`, column `s % w`; `t` is the index of the
//! step about to be taken (`0` after `reset`, `T` after the last step). Carrying `t` makes a
//! finite-horizon, time-dependent policy Markov in the observation.

/// Floats per observation.
pub const OBS_DIM: usize = 3;

/// The observation `[row, col, t]` of state `state` at step `t` on a grid of width `width`.
///
/// `width` must be positive.
pub fn encode(state: usize, t: usize, width: usize) -> [f32; OBS_DIM] {
    [(state / width) as f32, (state % width) as f32, t as f32]
}

/// The state of an observation on a grid of `num_states` cells and width `width`, or `None` when the
/// observation is not `OBS_DIM` long or its row and column are not the integral coordinates of a cell.
pub fn decode_state(obs: &[f32], width: usize, num_states: usize) -> Option<usize> {
    if obs.len() != OBS_DIM || width == 0 {
        return None;
    }
    let row = as_index(obs[0])?;
    let col = as_index(obs[1])?;
    if col >= width {
        return None;
    }
    let state = row.checked_mul(width)?.checked_add(col)?;
    (state < num_states).then_some(state)
}

/// The step index `t` of an observation, or `None` when the observation is not `OBS_DIM` long or its
/// last entry is not a non-negative integer.
pub fn decode_step(obs: &[f32]) -> Option<usize> {
    if obs.len() != OBS_DIM {
        return None;
    }
    as_index(obs[2])
}

/// `x` as an index when it is a finite, non-negative integer.
pub(crate) fn as_index(x: f32) -> Option<usize> {
    (x.is_finite() && x >= 0.0 && x.fract() == 0.0).then_some(x as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encode_and_decode_round_trip() {
        for s in 0..12 {
            let obs = encode(s, 7, 4);
            assert_eq!(obs, [(s / 4) as f32, (s % 4) as f32, 7.0]);
            assert_eq!(decode_state(&obs, 4, 12), Some(s));
            assert_eq!(decode_step(&obs), Some(7));
        }
    }

    #[test]
    fn decoding_rejects_cells_off_the_grid() {
        assert_eq!(decode_state(&[0.0, 4.0, 0.0], 4, 12), None);
        assert_eq!(decode_state(&[3.0, 0.0, 0.0], 4, 12), None);
        assert_eq!(decode_state(&[-1.0, 0.0, 0.0], 4, 12), None);
        assert_eq!(decode_state(&[0.5, 0.0, 0.0], 4, 12), None);
        assert_eq!(decode_state(&[f32::NAN, 0.0, 0.0], 4, 12), None);
        assert_eq!(decode_state(&[0.0, 0.0], 4, 12), None);
        assert_eq!(decode_step(&[0.0, 0.0, -2.0]), None);
        assert_eq!(decode_step(&[0.0, 0.0, f32::INFINITY]), None);
    }
}
