//! Reproducible random streams.
//!
//! Every episode draws all of its randomness (initial state, stochastic dynamics, action noise) from
//! its own generator, derived from the run's seed and the episode's index alone. Which thread steps an
//! episode, and how many threads there are, therefore never changes a result.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// The generator used throughout costlearn: ChaCha8, portable and reproducible across platforms.
pub type Rng = ChaCha8Rng;

/// The generator of episode `episode` in a run seeded with `seed`: ChaCha8 keyed by `seed`, on the
/// stream numbered `episode`. Streams are independent for every pair.
pub fn episode_rng(seed: u64, episode: u64) -> Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(episode);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::RngCore;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a = episode_rng(7, 3).next_u64();
        assert_eq!(a, episode_rng(7, 3).next_u64());
        assert_ne!(a, episode_rng(7, 4).next_u64());
        assert_ne!(a, episode_rng(8, 3).next_u64());
    }
}
