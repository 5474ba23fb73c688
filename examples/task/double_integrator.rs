//! A user's own task, written with nothing but costlearn's public API: a 1-D double integrator
//! with a quadratic cost and a noisy PD expert. Shared by the `custom_env` example (the library
//! on it) and the `custom_cli` example (every `costlearn` verb on it).

use costlearn_envs::prelude::*;
use ndarray::{Array1, Array2, ArrayView2};
use rand_distr::StandardNormal;

/// The task's registered name.
pub const NAME: &str = "double-integrator";

const DT: f32 = 0.1;
const MAX_FORCE: f32 = 1.0;

/// A unit mass on a line, pushed by a bounded force. State `(x, v)`, action `u ∈ [-1, 1]`,
/// reward `-(x² + 0.1 v² + 0.01 u²)`, 50 steps of 0.1 s.
struct DoubleIntegrator {
    spec: EnvSpec,
    x: f32,
    v: f32,
}

impl DoubleIntegrator {
    fn new() -> Self {
        let spec = EnvSpec {
            name: NAME.into(),
            observation_space: Space::unbounded(2),
            action_space: Space::uniform_box(1, -MAX_FORCE, MAX_FORCE),
            horizon: 50,
            dt: DT,
        };
        Self {
            spec,
            x: 0.0,
            v: 0.0,
        }
    }
}

impl Env for DoubleIntegrator {
    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn reset(&mut self, seed: u64, obs: &mut [f32]) {
        let mut rng = Rng::seed_from_u64(seed);
        self.x = rng.gen_range(-1.0..1.0);
        self.v = rng.gen_range(-0.5..0.5);
        obs.copy_from_slice(&[self.x, self.v]);
    }

    fn step(&mut self, action: &[f32], obs: &mut [f32]) -> f32 {
        let u = action[0].clamp(-MAX_FORCE, MAX_FORCE);
        let reward = -(self.x * self.x + 0.1 * self.v * self.v + 0.01 * u * u);
        // Semi-implicit Euler.
        self.v += u * DT;
        self.x += self.v * DT;
        obs.copy_from_slice(&[self.x, self.v]);
        reward
    }
}

/// A PD controller with Gaussian exploration noise: `u ~ N(-k_p x - k_d v, σ²)`.
struct NoisyPd {
    kp: f32,
    kd: f32,
    sigma: f32,
}

impl NoisyPd {
    fn mean(&self, obs: ArrayView2<'_, f32>) -> Array1<f32> {
        obs.rows()
            .into_iter()
            .map(|o| -self.kp * o[0] - self.kd * o[1])
            .collect()
    }
}

impl Policy for NoisyPd {
    fn act(&self, obs: ArrayView2<'_, f32>, rngs: &mut [Rng]) -> Array2<f32> {
        let mean = self.mean(obs);
        Array2::from_shape_fn((obs.nrows(), 1), |(i, _)| {
            let z: f32 = rngs[i].sample(StandardNormal);
            mean[i] + self.sigma * z
        })
    }

    fn log_prob(&self, obs: ArrayView2<'_, f32>, acts: ArrayView2<'_, f32>) -> Array1<f32> {
        let log_norm = -self.sigma.ln() - 0.5 * (2.0 * std::f32::consts::PI).ln();
        let mean = self.mean(obs);
        Array1::from_shape_fn(obs.nrows(), |i| {
            let z = (acts[[i, 0]] - mean[i]) / self.sigma;
            log_norm - 0.5 * z * z
        })
    }
}

/// Registers the task and its expert under [`NAME`] (a second call keeps the first).
pub fn register() {
    let entry = EnvEntry::new(NAME, "1-D double integrator, quadratic cost", || {
        Box::new(DoubleIntegrator::new())
    })
    .with_expert(|| {
        Box::new(NoisyPd {
            kp: 2.0,
            kd: 2.5,
            sigma: 0.1,
        })
    });
    registry::register_once(entry).expect("the task's name is not empty");
}
