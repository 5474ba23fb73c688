//! Bring your own task: a 1-D double integrator with a quadratic cost, defined here with nothing but
//! costlearn's public API, registered by name, rolled out in parallel by its expert, and saved as a
//! demonstration file that `costlearn inspect` (or numpy) reads. Then both imitation learners train
//! on those demonstrations: behavioral cloning, and guided cost learning (a learned cost and a
//! maximum-entropy policy trained on it); each is scored on the true reward next to the expert and
//! a uniform-random policy.
//!
//! ```text
//! cargo run --release --example custom_env -- /tmp/double_integrator.npz
//! cargo run --release -- inspect /tmp/double_integrator.npz
//! ```

use anyhow::Result;
use costlearn_agents::bc::BcConfig;
use costlearn_agents::gcl::{GclLearner, LearnerConfig};
use costlearn_agents::nn::Device;
use costlearn_agents::policy::TrainablePolicy;
use costlearn_envs::rollout::Rollout;
use costlearn_envs::{
    demos, registry, Env, EnvEntry, EnvError, EnvSpec, Policy, Rng, Space, Trajectories,
    UniformRandom,
};
use ndarray::{Array1, Array2, ArrayView2};
use rand::{Rng as _, SeedableRng};
use rand_distr::StandardNormal;
use std::path::{Path, PathBuf};

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
            name: "double-integrator".into(),
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

/// Registers the task (once), records `episodes` expert episodes on 16 parallel copies and saves them
/// to `out`. Returns the mean return.
pub fn record_demos(out: &Path, episodes: usize) -> Result<f32> {
    let registered = registry::register(
        EnvEntry::new(
            "double-integrator",
            "1-D double integrator, quadratic cost",
            || Box::new(DoubleIntegrator::new()),
        )
        .with_expert(|| {
            Box::new(NoisyPd {
                kp: 2.0,
                kd: 2.5,
                sigma: 0.1,
            })
        }),
    );
    // A second call (or a second thread) finds the task registered already.
    match registered {
        Ok(()) | Err(EnvError::AlreadyRegistered(_)) => {}
        Err(err) => return Err(err.into()),
    }
    let entry = registry::lookup("double-integrator")?;
    let expert = entry.expert()?;
    let mut envs = entry.make_vec(16);
    let demos = Rollout::new(7)
        .episodes(episodes)
        .collect(envs.as_mut(), expert.as_ref())?;
    demos::save(out, &demos)?;
    Ok(demos.return_stats().0)
}

/// Seed of the evaluation episodes: fresh start states, none of them a demonstration's.
const EVAL_SEED: u64 = 1000;
/// Episodes of each evaluation.
const EVAL_EPISODES: usize = 64;

/// Mean true return of `policy` over the evaluation episodes of the registered task.
fn mean_return(policy: &dyn Policy) -> Result<f32> {
    let mut envs = registry::lookup("double-integrator")?.make_vec(16);
    let trajs = Rollout::new(EVAL_SEED)
        .episodes(EVAL_EPISODES)
        .collect(envs.as_mut(), policy)?;
    Ok(trajs.return_stats().0)
}

/// Mean true returns over the same fresh episodes.
#[derive(Debug)]
pub struct Scores {
    /// The expert that recorded the demonstrations.
    pub expert: f32,
    /// Uniform actions over the action box.
    pub random: f32,
    /// Behavioral cloning.
    pub bc: f32,
    /// The policy of guided cost learning.
    pub gcl: f32,
}

/// Trains behavioral cloning and `gcl_iterations` of guided cost learning on `demos` of the
/// registered task, and scores both, the expert and a uniform-random policy on the true reward.
pub fn imitate(demos: &Trajectories, gcl_iterations: usize) -> Result<Scores> {
    let entry = registry::lookup("double-integrator")?;
    let spec = entry.make().spec().clone();

    // Behavioral cloning: maximum likelihood of the demonstrated actions.
    let bc = BcConfig::new().seed(1).train(demos)?.policy.snapshot();

    // Guided cost learning: the same learner, with the same defaults, as `costlearn train gcl` (a
    // shaped state-only cost, a per-transition discriminator and the fused sampling density).
    let config = LearnerConfig::for_task(&entry, 1);
    let mut gcl = GclLearner::new(&entry, config, demos.clone(), Device::Cpu)?;
    for _ in 0..gcl_iterations {
        gcl.step()?;
    }

    Ok(Scores {
        expert: mean_return(entry.expert()?.as_ref())?,
        random: mean_return(&UniformRandom::new(spec.action_space).map_err(anyhow::Error::msg)?)?,
        bc: mean_return(&bc)?,
        gcl: gcl.generator_mut().evaluate(EVAL_SEED, EVAL_EPISODES)?.0,
    })
}

fn main() -> Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join("double_integrator.npz"));
    let mean = record_demos(&out, 32)?;
    println!(
        "saved 32 expert episodes to {} (mean return {mean:.3})",
        out.display()
    );
    let scores = imitate(&demos::load(&out)?, 40)?;
    println!(
        "true return over {EVAL_EPISODES} fresh episodes: expert {:.3}, random {:.3}, \
         behavioral cloning {:.3}, guided cost learning {:.3}",
        scores.expert, scores.random, scores.bc, scores.gcl
    );
    Ok(())
}
