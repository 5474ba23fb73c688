//! Exact MaxEnt IRL on tabular MDPs with known dynamics (Ziebart, Maas, Bagnell, Dey 2008, "Maximum
//! Entropy Inverse Reinforcement Learning"; the causal form of Ziebart 2010): the ground truth that
//! sample-based guided cost learning must agree with.
//!
//! The cost is linear in the state features, `c_w(s) = w·φ(s)`, and the demonstrator is modelled as
//! the MaxEnt policy for the reward `−c_w` at temperature 1 (a demonstrator's own temperature is
//! absorbed into the scale of `w`). The fit maximises the MaxEnt dual
//!
//! ```text
//! g(w)   = Σ_t E_D̂[−c_w(s_t)] − E_{p̂_0}[V^w_0(s_0)]
//! ∇_w g  = μ_w − μ̂,   μ = Σ_t Σ_{s,a} D_t(s,a) φ(s)
//! ```
//!
//! where `D̂` is the demonstrations' empirical visitation, `p̂_0` their empirical start distribution,
//! `V^w` comes from soft value iteration and `D^w` from its forward pass started at `p̂_0`. `g` is
//! concave; its maximiser matches the expected feature counts to the demonstrations'. When the
//! demonstrations never visit some states the maximiser can be at infinity (their cost grows without
//! bound); an optional Gaussian prior `−(λ/2)‖w‖²` keeps it finite. The ascent uses a backtracking
//! line search, so there is no learning rate to tune.
//!
//! [`MaxEntIrl::fit_mlp`] fits a nonlinear cost `c_θ(s) = f_θ(φ(s))`, an MLP over the same features,
//! to the same objective (Wulfmeier, Ondruska, Posner 2015, "Maximum Entropy Deep Inverse
//! Reinforcement Learning"): `∂(−g)/∂c(s) = μ̂(s) − μ_θ(s)`, the demonstrations' minus the expected
//! state visitation, is back-propagated through the network and followed by Adam.

use crate::nn::{Adam, Device, MlpBuilder, NnError, ParamSet};
use costlearn_envs::tabular::{
    empirical_visitation, feature_expectations, soft_value_iteration, state_action_visitation, Mdp,
    SoftValues, TabularError,
};
use costlearn_envs::{episode_rng, Trajectories};
use ndarray::{Array1, Array2, Array3, ArrayView3, Axis};
use thiserror::Error;

/// Errors of exact MaxEnt IRL.
#[derive(Debug, Error)]
pub enum IrlError {
    /// The model, the demonstrations or a planning step was invalid.
    #[error(transparent)]
    Tabular(#[from] TabularError),
    /// The cost network failed.
    #[error(transparent)]
    Nn(#[from] NnError),
    /// The demonstrations were recorded on another task.
    #[error("demonstrations of `{found}` cannot be used on `{expected}`")]
    WrongEnv {
        /// Task the learner was given.
        expected: String,
        /// Task named in the demonstrations.
        found: String,
    },
}

/// Settings of the exact fit.
#[derive(Clone, Debug)]
pub struct MaxEntIrl {
    max_iterations: usize,
    tolerance: f64,
    l2: f64,
}

impl Default for MaxEntIrl {
    fn default() -> Self {
        Self {
            max_iterations: 500,
            tolerance: 1e-6,
            l2: 0.0,
        }
    }
}

/// The learned linear cost and what the fit went through.
#[derive(Clone, Debug)]
pub struct LinearFit {
    /// Cost weights `w`, `[K]`: `c(s) = w·φ(s)`.
    pub weights: Array1<f64>,
    /// Soft values of the MaxEnt policy for the learned cost (its `log_pi` is the imitating policy).
    pub values: SoftValues,
    /// The (regularised) dual objective after each accepted step.
    pub objective: Vec<f64>,
    /// `‖μ_w − μ̂‖_∞` at the end: how far expected feature counts are from the demonstrations'.
    pub feature_gap: f64,
    /// `‖∇_w (g − (λ/2)‖w‖²)‖_∞` at the end: zero at the optimum.
    pub gradient_norm: f64,
}

impl LinearFit {
    /// The learned cost of every state, `[S]`.
    pub fn state_cost(&self, mdp: &Mdp) -> Array1<f64> {
        mdp.features.mapv(f64::from).dot(&self.weights)
    }
}

/// The learned nonlinear cost and what the fit went through.
#[derive(Clone, Debug)]
pub struct MlpFit {
    /// The learned cost of every state, `[S]`.
    pub state_cost: Array1<f64>,
    /// Soft values of the MaxEnt policy for the learned cost (its `log_pi` is the imitating policy).
    pub values: SoftValues,
    /// The dual objective `g` before each Adam step.
    pub objective: Vec<f64>,
}

impl MaxEntIrl {
    /// Default settings: at most 500 ascent steps, stop when `‖∇g‖_∞ < 1e-6`, no prior.
    pub fn new() -> Self {
        Self::default()
    }

    /// Maximum number of ascent steps.
    pub fn max_iterations(mut self, n: usize) -> Self {
        self.max_iterations = n;
        self
    }

    /// Stop once every expected feature count is within `tol` of the demonstrations'.
    pub fn tolerance(mut self, tol: f64) -> Self {
        self.tolerance = tol;
        self
    }

    /// Weight `λ ≥ 0` of the Gaussian prior `−(λ/2)‖w‖²` on the cost weights.
    pub fn l2(mut self, lambda: f64) -> Self {
        self.l2 = lambda;
        self
    }

    /// Fits a linear cost to demonstrations recorded on `mdp` (their spec must name `env`).
    pub fn fit_linear(
        &self,
        env: &str,
        mdp: &Mdp,
        demos: &Trajectories,
    ) -> Result<LinearFit, IrlError> {
        if demos.spec.name != env {
            return Err(IrlError::WrongEnv {
                expected: env.to_string(),
                found: demos.spec.name.clone(),
            });
        }
        let visitation = empirical_visitation(mdp, demos)?;
        self.fit_linear_to_visitation(mdp, visitation.view())
    }

    /// Fits a linear cost to a target visitation `D̂ [T, S, A]` (the empirical visitation of
    /// demonstrations, or the exact visitation of a known policy).
    pub fn fit_linear_to_visitation(
        &self,
        mdp: &Mdp,
        target: ArrayView3<'_, f64>,
    ) -> Result<LinearFit, IrlError> {
        // Plan from the demonstrations' own start distribution p̂_0(s) = Σ_a D̂_0(s,a).
        let mut start = mdp.clone();
        start.initial = target
            .index_axis(Axis(0), 0)
            .sum_axis(Axis(1))
            .mapv(|p| p as f32);
        let phi = mdp.features.mapv(f64::from);
        let mu_demo = feature_expectations(mdp, target)?;
        // Σ_t E_D̂[φ(s_t)]·w = E_D̂[Σ_t c_w(s_t)]
        let evaluate = |w: &Array1<f64>| -> Result<Step, IrlError> {
            let state_cost = phi.dot(w);
            let reward = Array2::from_shape_fn((mdp.num_states(), mdp.num_actions()), |(s, _)| {
                -state_cost[s]
            });
            let values = soft_value_iteration(&start, reward.view(), 1.0)?;
            // g(w) − (λ/2)‖w‖² = Σ_t E_D̂[−c_w(s_t)] − E_{p̂_0}[V^w_0(s_0)] − (λ/2)‖w‖²
            let objective =
                -mu_demo.dot(w) - values.initial_value(&start) - 0.5 * self.l2 * w.dot(w);
            let visitation: Array3<f64> = state_action_visitation(&start, values.log_pi.view())?;
            // ∇_w g = μ_w − μ̂
            let feature_gap = feature_expectations(mdp, visitation.view())? - &mu_demo;
            let gradient = &feature_gap - &(self.l2 * w);
            Ok(Step {
                objective,
                gradient,
                feature_gap: max_abs(&feature_gap),
                values,
            })
        };

        let mut w = Array1::zeros(mdp.num_features());
        let mut step = evaluate(&w)?;
        let mut objective = vec![step.objective];
        let mut eta = 1.0;
        for _ in 0..self.max_iterations {
            if max_abs(&step.gradient) < self.tolerance {
                break;
            }
            let g2 = step.gradient.dot(&step.gradient);
            // Backtracking (Armijo) line search on the concave dual.
            loop {
                let candidate = &w + &(eta * &step.gradient);
                let next = evaluate(&candidate)?;
                if next.objective >= step.objective + 0.25 * eta * g2 {
                    w = candidate;
                    step = next;
                    eta *= 2.0;
                    break;
                }
                eta *= 0.5;
                if eta < 1e-12 {
                    // No ascent possible at machine precision: at the optimum.
                    return Ok(finish(w, step, objective));
                }
            }
            objective.push(step.objective);
        }
        Ok(finish(w, step, objective))
    }
}

impl MaxEntIrl {
    /// Fits an MLP cost over the features (hidden widths `hidden`, initial weights from `seed`) to
    /// demonstrations recorded on `mdp` by `max_iterations` Adam steps of learning rate `lr` on the
    /// dual; `l2` is a weight decay on the network's parameters.
    pub fn fit_mlp(
        &self,
        env: &str,
        mdp: &Mdp,
        demos: &Trajectories,
        hidden: &[usize],
        lr: f32,
        seed: u64,
    ) -> Result<MlpFit, IrlError> {
        if demos.spec.name != env {
            return Err(IrlError::WrongEnv {
                expected: env.to_string(),
                found: demos.spec.name.clone(),
            });
        }
        let target = empirical_visitation(mdp, demos)?;
        let mut start = mdp.clone();
        start.initial = target
            .index_axis(Axis(0), 0)
            .sum_axis(Axis(1))
            .mapv(|p| p as f32);
        // μ̂(s) = Σ_{t,a} D̂_t(s,a)
        let mu_demo = target.sum_axis(Axis(0)).sum_axis(Axis(1));
        let mut params = ParamSet::new(Device::Cpu)?;
        let net = MlpBuilder::new(mdp.num_features(), 1)
            .hidden(hidden)
            .build(&mut params, "cost", &mut episode_rng(seed, 0))?;
        let mut adam = Adam::new(lr);
        let mut objective = Vec::with_capacity(self.max_iterations);
        let plan = |cost: &Array1<f64>| {
            let reward =
                Array2::from_shape_fn((mdp.num_states(), mdp.num_actions()), |(s, _)| -cost[s]);
            soft_value_iteration(&start, reward.view(), 1.0)
        };
        for _ in 0..self.max_iterations {
            let graph = params.graph();
            let c = net.forward_array(&params, &graph, mdp.features.view())?;
            let cost = c.to_array().column(0).mapv(f64::from);
            let values = plan(&cost)?;
            let visitation = state_action_visitation(&start, values.log_pi.view())?;
            let mu = visitation.sum_axis(Axis(0)).sum_axis(Axis(1));
            // g(θ) = Σ_s μ̂(s)(−c_θ(s)) − E_{p̂_0}[V_0(s_0)]
            objective.push(-mu_demo.dot(&cost) - values.initial_value(&start));
            // ∂(−g)/∂c(s) = μ̂(s) − μ_θ(s), back-propagated through c_θ
            let upstream = (&mu_demo - &mu).mapv(|g| g as f32).insert_axis(Axis(1));
            let mut loss = c.mul(&graph.constant(upstream.view()))?.sum();
            if self.l2 > 0.0 {
                for id in params.names().iter().filter_map(|name| params.id(name)) {
                    let w = params.var(&graph, id)?;
                    loss = loss.add(&w.square().sum().scale(0.5 * self.l2 as f32))?;
                }
            }
            let grads = params.grads(loss.backward()?)?;
            adam.step(&mut params, grads)?;
        }
        let graph = params.graph();
        let c = net.forward_array(&params, &graph, mdp.features.view())?;
        let state_cost = c.to_array().column(0).mapv(f64::from);
        let values = plan(&state_cost)?;
        Ok(MlpFit {
            state_cost,
            values,
            objective,
        })
    }
}

struct Step {
    objective: f64,
    gradient: Array1<f64>,
    feature_gap: f64,
    values: SoftValues,
}

fn finish(weights: Array1<f64>, step: Step, objective: Vec<f64>) -> LinearFit {
    LinearFit {
        weights,
        feature_gap: step.feature_gap,
        gradient_norm: max_abs(&step.gradient),
        values: step.values,
        objective,
    }
}

fn max_abs(x: &Array1<f64>) -> f64 {
    x.iter().fold(0.0, |m, v| m.max(v.abs()))
}
