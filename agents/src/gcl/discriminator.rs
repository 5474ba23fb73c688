//! The GAN-form discriminator `D_θ(τ) = σ(−c_θ(τ) − log Z − log q(τ))` with a learned `log Z`, on
//! whole trajectories, on segments of `K` consecutive steps, or on single transitions.

use super::cost_net::{CostNet, CostNetBuilder, HostCostNet, StepBatch};
use super::error::{check_finite, check_len, GclError, Result};
use super::losses;
use super::partition::log_mu_tilde;
use crate::fusion::{Fusion, FusionBuffer, Held};
use crate::nn::{Device, Graph, ParamId, ParamSet, Var};
use costlearn_envs::{Rng, Trajectories};
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// What the discriminator classifies.
///
/// Every granularity is a segment length `K` ([`Granularity::segment_len`]): the item is `K`
/// consecutive steps `σ` of an episode with `ℓ(σ) = −Σ_{t∈σ} c_θ(x_t, u_t) − log Z − log q(σ)`,
/// `q(σ)` the fused density of the segment's actions. `K = 1` is [`Granularity::Transition`] and
/// `K = T` is [`Granularity::Traj`], with the same numbers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Whole trajectories: `ℓ(τ) = −c_θ(τ) − log Z − log q(τ)` (the paper's form).
    Traj,
    /// Segments of `len` consecutive steps (the last one of an episode shorter when `len` does not
    /// divide the horizon; `len ≥ T` is a whole trajectory).
    Segment {
        /// Steps per segment, at least 1.
        len: usize,
    },
    /// Single transitions: `ℓ = −c_θ(x, u) − log Z − log π(u | x)` (far lower variance).
    #[default]
    Transition,
}

impl Granularity {
    /// Steps per item on episodes of `horizon` steps: 1, `len` (at most `horizon`) or `horizon`.
    pub fn segment_len(self, horizon: usize) -> usize {
        match self {
            Granularity::Traj => horizon,
            Granularity::Segment { len } => len.min(horizon),
            Granularity::Transition => 1,
        }
    }

    /// Errors on a segment of no steps.
    pub fn validate(self) -> Result<()> {
        match self {
            Granularity::Segment { len: 0 } => Err(GclError::InvalidConfig(
                "a segment must hold at least one step".into(),
            )),
            _ => Ok(()),
        }
    }
}

/// Options of a [`Discriminator`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiscriminatorBuilder {
    cost: CostNetBuilder,
    granularity: Granularity,
    init_log_z: f32,
}

impl DiscriminatorBuilder {
    /// A trajectory-level discriminator over the default cost network, starting at `log Z = 0`.
    pub fn new() -> Self {
        Self::default()
    }

    /// The cost network.
    pub fn cost(mut self, cost: CostNetBuilder) -> Self {
        self.cost = cost;
        self
    }

    /// Trajectories, segments or transitions.
    pub fn granularity(mut self, granularity: Granularity) -> Self {
        self.granularity = granularity;
        self
    }

    /// The initial value of the learned `log Z`.
    pub fn init_log_z(mut self, log_z: f32) -> Self {
        self.init_log_z = log_z;
        self
    }

    /// Builds the discriminator on `device`: the cost network's weights are `cost.{k}.weight` and
    /// `cost.{k}.bias`, `log Z` is `log_z` (`1×1`).
    pub fn build(
        &self,
        device: Device,
        obs_dim: usize,
        act_dim: usize,
        rng: &mut Rng,
    ) -> Result<Discriminator> {
        check_finite("initial log Z", &[f64::from(self.init_log_z)])?;
        self.granularity.validate()?;
        let mut params = ParamSet::new(device)?;
        let cost = self
            .cost
            .build(&mut params, "cost", obs_dim, act_dim, rng)?;
        let log_z = params.add("log_z", Array2::from_elem((1, 1), self.init_log_z))?;
        Ok(Discriminator {
            params,
            cost,
            log_z,
            granularity: self.granularity,
        })
    }
}

/// One side of the game (demonstrations or samples) scored on a graph.
#[derive(Clone, Debug)]
pub struct Scored {
    /// Per-step costs `c_θ(x_t, u_t)`, `[N·T, 1]`, trajectory after trajectory.
    pub step_costs: Var,
    /// Their task part `g_θ` (the same as `step_costs` for an unshaped cost).
    pub task_costs: Var,
    /// The cost of each item, `[n, 1]`: segment costs (trajectory costs, or the step costs in
    /// transition mode).
    pub costs: Var,
    /// The discriminator's logit of each item, `[n, 1]`.
    pub logits: Var,
    /// The generator log-density of each item.
    pub log_q: Vec<f64>,
    /// Steps per trajectory.
    pub horizon: usize,
}

impl Scored {
    /// The item costs as host numbers.
    pub fn cost_values(&self) -> Vec<f64> {
        self.costs
            .to_array()
            .iter()
            .map(|&c| f64::from(c))
            .collect()
    }
}

/// The discriminator: a cost network and a learned `log Z`, in one [`ParamSet`].
#[derive(Clone, Debug)]
pub struct Discriminator {
    params: ParamSet,
    cost: CostNet,
    log_z: ParamId,
    granularity: Granularity,
}

impl Discriminator {
    /// Trajectories, segments or transitions.
    pub fn granularity(&self) -> Granularity {
        self.granularity
    }

    /// The cost network (its weights are in [`Discriminator::params`]).
    pub fn cost_net(&self) -> &CostNet {
        &self.cost
    }

    /// A CPU copy of the current cost, for scoring arrays.
    pub fn host_cost(&self) -> HostCostNet {
        self.cost.to_host(&self.params)
    }

    /// The trainable parameters: the cost network's and `log_z`.
    pub fn params(&self) -> &ParamSet {
        &self.params
    }

    /// The trainable parameters, for an optimizer step or loading weights.
    pub fn params_mut(&mut self) -> &mut ParamSet {
        &mut self.params
    }

    /// The id of `log Z` in [`Discriminator::params`].
    pub fn log_z_id(&self) -> ParamId {
        self.log_z
    }

    /// The current `log Z`.
    pub fn log_z(&self) -> f32 {
        self.params.get(self.log_z)[[0, 0]]
    }

    /// Sets `log Z`.
    pub fn set_log_z(&mut self, log_z: f32) -> Result<()> {
        check_finite("log Z", &[f64::from(log_z)])?;
        self.params
            .set(self.log_z, &Array2::from_elem((1, 1), log_z))?;
        Ok(())
    }

    /// Number of items the discriminator sees in `batch`: `N·⌈T/K⌉` segments of `K` steps (`N`
    /// trajectories, or `N·T` transitions).
    pub fn items(&self, batch: &StepBatch<'_>) -> usize {
        let t = batch.horizon();
        batch.len() * t.div_ceil(self.granularity.segment_len(t))
    }

    /// The generator log-density of each item of `trajs` under `buffer`, trajectory after
    /// trajectory: `log q(σ)` of each segment (of each trajectory, or `log q(u_t | x_t)` of each
    /// step). `drawn_by` is the snapshot that drew `trajs` (`None` for demonstrations).
    pub fn log_q(
        &self,
        buffer: &FusionBuffer,
        trajs: &Trajectories,
        fusion: Fusion,
        drawn_by: Option<usize>,
    ) -> Result<Vec<f64>> {
        let len = self.granularity.segment_len(trajs.horizon());
        Ok(buffer
            .log_density_per_segment(trajs, fusion, drawn_by, len)?
            .iter()
            .copied()
            .collect())
    }

    /// [`log_q`](Self::log_q) of the batch `which` that `buffer` holds, from the
    /// log-probabilities it keeps (no policy is evaluated).
    pub fn held_log_q(
        &self,
        buffer: &FusionBuffer,
        which: Held,
        fusion: Fusion,
    ) -> Result<Vec<f64>> {
        let len = self.granularity.segment_len(buffer.held(which)?.horizon());
        Ok(buffer
            .held_log_density_per_segment(which, fusion, len)?
            .iter()
            .copied()
            .collect())
    }

    /// Costs and logits of `batch`, whose items have generator log-densities `log_q`.
    pub fn score(&self, graph: &Graph, batch: &StepBatch<'_>, log_q: &[f64]) -> Result<Scored> {
        check_len("log q (one per item)", self.items(batch), log_q.len())?;
        let parts = self.cost.step_cost_parts_var(&self.params, graph, batch)?;
        let step_costs = parts.full;
        let len = self.granularity.segment_len(batch.horizon());
        let costs = match len {
            1 => step_costs.clone(),
            _ => CostNet::segment_costs_var(&step_costs, batch.horizon(), len)?,
        };
        let log_z = self.params.var(graph, self.log_z)?;
        let logits = losses::logits(&costs, &log_z, log_q)?;
        Ok(Scored {
            step_costs,
            task_costs: parts.task,
            costs,
            logits,
            log_q: log_q.to_vec(),
            horizon: batch.horizon(),
        })
    }

    /// `L_disc` (see [`losses::discriminator_loss`]).
    pub fn discriminator_loss(&self, demos: &Scored, samples: &Scored) -> Result<Var> {
        losses::discriminator_loss(&demos.logits, &samples.logits)
    }

    /// `L_cost` with the importance weights `μ̃` taken at `log_z` and held constant (see
    /// [`losses::cost_loss`]).
    pub fn cost_loss(&self, demos: &Scored, samples: &Scored, log_z: f64) -> Result<Var> {
        let demo_mu = log_mu_tilde(&demos.cost_values(), &demos.log_q, log_z)?;
        let sample_mu = log_mu_tilde(&samples.cost_values(), &samples.log_q, log_z)?;
        losses::cost_loss(&demos.costs, &samples.costs, &demo_mu, &sample_mu)
    }

    /// `L_gen` of the samples (see [`losses::generator_loss`]).
    pub fn generator_loss(&self, samples: &Scored) -> Result<Var> {
        losses::generator_loss(&samples.logits)
    }

    /// The cost network's weighted regularisers on the task part of the demonstrations' costs
    /// (`None` when off).
    pub fn regulariser(&self, demos: &Scored) -> Result<Option<Var>> {
        self.cost.regulariser(&demos.task_costs, demos.horizon)
    }
}
