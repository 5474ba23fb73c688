//! `costlearn train gcl`: guided cost learning (GAN form) from recorded demonstrations (see
//! [`crate::methods::gcl`]). Every flag but the task and the demonstrations is optional: the
//! library's defaults for the task, with the flags given on top.

use super::CommonArgs;
use crate::methods::gcl::Settings;
use anyhow::{bail, Result};
use costlearn_agents::fusion::Fusion;
use costlearn_agents::gcl::{CostInput, Granularity, LearnerConfig};
use costlearn_agents::nn::Activation;
use costlearn_envs::registry;
use std::path::PathBuf;

/// Granularity of the discriminator.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum Mode {
    /// One logit per trajectory (the paper's).
    Traj,
    /// One logit per segment of `--segment-len` steps (1: `transition`, the horizon: `traj`).
    Segment,
    /// One logit per transition (lower variance).
    Transition,
}

/// What the cost network of a continuous task reads.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum CostInputArg {
    /// `c_θ(x, u)`.
    StateAction,
    /// `c_θ(x)`: a cost of the state alone.
    State,
    /// `g_θ(x) + k_θ(u)`: a cost of the state plus a cost of the action, with no coupling term.
    Separable,
}

/// Nonlinearity of a network's hidden layers.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum ActivationArg {
    /// `max(x, 0)`.
    Relu,
    /// `tanh(x)`: bounded, so the cost levels off far from the data.
    Tanh,
}

/// Density that scores samples and demonstrations.
#[derive(clap::ValueEnum, Clone, Copy, Debug)]
enum FusionArg {
    /// Count-weighted mixture of the kept policy snapshots (the paper's).
    Mixture,
    /// Each sample under the snapshot that drew it.
    Own,
    /// Everything under the latest snapshot.
    Latest,
}

/// Arguments of `costlearn train gcl`.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Task to train on (see `costlearn envs`): a continuous task (PPO generator) or a tabular one
    /// (exact soft value iteration generator, cost over the state features) [default: the --config
    /// file's].
    #[arg(long, required_unless_present = "config")]
    env: Option<String>,
    /// Demonstrations of that task (`.npz`, e.g. `demos/pendulum.npz`) [default: the --config
    /// file's].
    #[arg(long, required_unless_present = "config")]
    demos: Option<PathBuf>,
    /// Discriminator granularity [default: the library's, `transition`; on `reacher`, segments of
    /// 10 steps].
    #[arg(long, value_enum)]
    mode: Option<Mode>,
    /// Steps per segment with `--mode segment` (at least 1; the horizon or more is `traj`).
    #[arg(long, required_if_eq("mode", "segment"))]
    segment_len: Option<usize>,
    /// What the cost of a continuous task reads [default: `state`] (a tabular task's cost reads
    /// its state features).
    #[arg(long, value_enum)]
    cost_input: Option<CostInputArg>,
    /// Nonlinearity of the cost network's hidden layers [default: `relu`].
    #[arg(long, value_enum)]
    cost_activation: Option<ActivationArg>,
    /// The shaped form `f = g_θ + h_φ(x') − h_φ(x)` (AIRL): a potential `h_φ` over the state is
    /// learned with the cost, and `eval --reopt` re-optimises on `g_θ` alone [default: true].
    #[arg(long, action = clap::ArgAction::Set)]
    shaping: Option<bool>,
    /// Weight of the paper's monotonic-decrease regulariser of the cost along each demonstration,
    /// `Σ_t max(0, c_t − c_{t−1} − 1)²` (§4.4; on `g_θ` of a shaped cost) [default: 0, off].
    #[arg(long)]
    monotonic: Option<f32>,
    /// Weight of the paper's local-constant-rate regulariser of the cost along each
    /// demonstration, `Σ_t [(c_{t+1} − c_t) − (c_t − c_{t−1})]²` (§4.4) [default: 1 on `cartpole` and
    /// `navigation`, 0 (off) elsewhere].
    #[arg(long)]
    local_constant_rate: Option<f32>,
    /// Entropy weight α of the generator's objective `E_q[c_θ] + α·E_q[log q]` [default: 0.1 on
    /// continuous tasks, 1 (the paper's) on tabular ones].
    #[arg(long)]
    alpha: Option<f32>,
    /// Discriminator steps per iteration, whatever the number of demonstrations [default: 10; 30
    /// on `pendulum` and `navigation` with at most 4 demonstrations].
    #[arg(long)]
    disc_steps: Option<usize>,
    /// Policy snapshots (and their samples) kept in the fusion buffer [default: 5].
    #[arg(long)]
    fusion_snapshots: Option<usize>,
    /// Epochs of behavioral cloning on the demonstrations that warm-start the PPO policy before
    /// the first iteration [default: 50 on `hopper`, 0 (none) elsewhere].
    #[arg(long)]
    warm_start: Option<usize>,
    /// Weight λ of a behavioral-cloning term `λ E_D[−log π(u|x)]` on the demonstrations in the PPO
    /// policy's loss (continuous tasks; `eval --reopt` never uses it) [default: 0.5 on `hopper`,
    /// 0 (off) elsewhere].
    #[arg(long)]
    bc_weight: Option<f32>,
    /// Density of samples and demonstrations under the kept policies [default: `mixture`].
    #[arg(long, value_enum)]
    fusion: Option<FusionArg>,
    /// Use only the first N demonstrations (default: all).
    #[arg(long)]
    num_demos: Option<usize>,
    /// GCL iterations (one policy step and one discriminator round each) [default: 60; 150 on
    /// `cartpole` and `navigation`, 100 on `navigation` with `--num-demos 1`].
    #[arg(long)]
    iterations: Option<usize>,
    /// Episodes of the final evaluation (0 skips it), on the shipped demos' start states
    /// [default: 64].
    #[arg(long)]
    eval_episodes: Option<usize>,
    /// Continue the run in `--out` from its last checkpoint, up to `--iterations` in all
    /// (continuous tasks; a tabular run takes seconds and keeps no checkpoint).
    #[arg(long, conflicts_with = "force")]
    pub resume: bool,
    #[command(flatten)]
    pub common: CommonArgs,
}

impl Args {
    /// The method's settings (the library's defaults for the task,
    /// [`LearnerConfig::for_task`](costlearn_agents::gcl::LearnerConfig::for_task), with the
    /// flags given) and where the run goes.
    pub fn settings(&self) -> Result<Settings> {
        let given = &self.common.settings;
        let env: String = given.from_flag_or_file(self.env.clone(), "env")?;
        let demos: PathBuf = given.from_flag_or_file(self.demos.clone(), "demos")?;
        let tabular = registry::lookup(&env)?.make().tabular().is_some();
        if !tabular {
            super::note_generic_ppo(&env);
        }
        let seed = self.common.run.seed;
        let defaults = Settings::for_task(&env, &demos, self.num_demos, seed.unwrap_or(0))?;
        given.resolve(defaults, |s| {
            (s.env, s.demos) = (env.clone(), demos.clone());
            if let Some(seed) = seed {
                s.reseed(seed);
            }
            if self.num_demos.is_some() {
                s.num_demos = self.num_demos;
            }
            if let Some(iterations) = self.iterations {
                s.iterations = iterations;
            }
            if let Some(episodes) = self.eval_episodes {
                s.eval_episodes = episodes;
            }
            self.override_learner(&mut s.learner, tabular)
        })
    }

    /// `config` with the flags given.
    fn override_learner(&self, config: &mut LearnerConfig, tabular: bool) -> Result<()> {
        let args = self;
        let gcl = &mut config.gcl;
        match (args.mode, args.segment_len) {
            (Some(Mode::Segment), Some(0)) => bail!("--segment-len must be at least 1"),
            (Some(Mode::Segment), Some(len)) => gcl.granularity = Granularity::Segment { len },
            (_, Some(_)) => bail!("--segment-len needs --mode segment"),
            (Some(Mode::Segment), None) => bail!("--mode segment needs --segment-len"),
            (Some(Mode::Traj), None) => gcl.granularity = Granularity::Traj,
            (Some(Mode::Transition), None) => gcl.granularity = Granularity::Transition,
            (None, None) => {}
        }
        if let Some(input) = args.cost_input {
            if tabular {
                bail!("--cost-input: the cost of a tabular task reads its state features");
            }
            gcl.cost = gcl.cost.clone().input(match input {
                CostInputArg::StateAction => CostInput::StateAction,
                CostInputArg::State => CostInput::State,
                CostInputArg::Separable => CostInput::Separable,
            });
        }
        if let Some(activation) = args.cost_activation {
            gcl.cost = gcl.cost.clone().activation(match activation {
                ActivationArg::Relu => Activation::Relu,
                ActivationArg::Tanh => Activation::Tanh,
            });
        }
        if let Some(on) = args.shaping {
            gcl.cost = gcl.cost.clone().shaped(on);
        }
        if let Some(weight) = args.monotonic {
            gcl.cost = gcl.cost.clone().monotonic(weight);
        }
        if let Some(weight) = args.local_constant_rate {
            gcl.cost = gcl.cost.clone().local_constant_rate(weight);
        }
        if let Some(alpha) = args.alpha {
            gcl.alpha = alpha;
        }
        if let Some(k) = args.disc_steps {
            gcl.disc_steps = k;
            config.few_demos = None;
        }
        if let Some(fusion) = args.fusion {
            gcl.fusion = match fusion {
                FusionArg::Mixture => Fusion::Mixture,
                FusionArg::Own => Fusion::Own,
                FusionArg::Latest => Fusion::Latest,
            };
        }
        if let Some(k) = args.fusion_snapshots {
            config.fusion_snapshots = k;
        }
        if let Some(epochs) = args.warm_start {
            config.warm_start_epochs = epochs;
        }
        if let Some(weight) = args.bc_weight {
            if tabular {
                bail!("--bc-weight: a tabular task's generator is exact soft value iteration");
            }
            config.ppo.bc_coef = weight;
        }
        Ok(())
    }
}
