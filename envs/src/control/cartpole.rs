//! `cartpole`: swing-up and balance of a pole on a cart, with a continuous force.
//!
//! A cart of mass 1 kg slides on a prismatic joint limited to `|x| ≤ 2.4` m; a uniform pole of mass
//! 0.1 kg and length 1 m hangs from a revolute joint on the cart (`θ = 0` upright, counter-clockwise
//! positive), under `g = 9.81`. The classic cart-pole of Barto, Sutton and Anderson (1983) with the
//! swing-up task of Doya (2000, "Reinforcement learning in continuous time and space"): the pole
//! starts hanging down.
//!
//! - **Observation** (5): `x, ẋ, cos θ, sin θ, θ̇`.
//! - **Action** (1): horizontal force on the cart in `[−10, 10]` N, clipped by the environment.
//! - **Reward**: `cos θ − 0.1 x² − 0.001 u²` from the state before the step and the clipped force:
//!   up to 1 per step for the pole upright over the centre of the track.
//! - **Horizon**: 200 steps of `dt = 0.05` s.
//! - **Reset**: `θ ~ π + U(−0.2, 0.2)`, `x ~ U(−0.2, 0.2)`, `ẋ, θ̇ ~ U(−0.05, 0.05)`.
//!
//! **Returns** over 64 episodes (mean ± std; episode `i` reset and acted with `episode_rng(0, i)`,
//! measured by `envs/tests/control.rs`): expert [`expert`] 123.5 ± 30.3, uniform random −186.0 ± 50.5.
//! The test requires the expert's mean return to exceed random's by at least 200.

use super::expert::GaussianExpert;
use super::rapier::{joint_state, set_joint_states, Model, RapierEnv, RapierVecEnv};
use crate::registry::EnvEntry;
use crate::seeding::Rng;
use crate::space::Space;
use crate::spec::EnvSpec;
use rand::Rng as _;
use rapier2d::prelude::*;
use std::f32::consts::PI;

/// Gravity.
pub const G: f32 = 9.81;
/// Mass of the cart.
pub const CART_MASS: f32 = 1.0;
/// Mass of the pole.
pub const POLE_MASS: f32 = 0.1;
/// Length of the pole.
pub const POLE_LENGTH: f32 = 1.0;
/// Half-length of the track.
pub const TRACK: f32 = 2.4;
/// Largest force.
pub const MAX_FORCE: f32 = 10.0;
/// Seconds per step.
pub const DT: f32 = 0.05;

/// The cart-pole task (see the module documentation).
#[derive(Clone, Debug)]
pub struct CartPole {
    spec: EnvSpec,
}

impl Default for CartPole {
    fn default() -> Self {
        Self {
            spec: EnvSpec {
                name: "cartpole".into(),
                observation_space: Space::unbounded(5),
                action_space: Space::uniform_box(1, -MAX_FORCE, MAX_FORCE),
                horizon: 200,
                dt: DT,
            },
        }
    }
}

/// One cart-pole in a world: its joints and the cart's body.
pub struct CartPoleCopy {
    slider: MultibodyJointHandle,
    hinge: MultibodyJointHandle,
    cart: RigidBodyHandle,
}

impl Model for CartPole {
    type Copy = CartPoleCopy;

    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn gravity(&self) -> Vector {
        Vector::new(0.0, -G)
    }

    fn integration_parameters(&self) -> IntegrationParameters {
        IntegrationParameters {
            num_solver_iterations: 2,
            ..Default::default()
        }
    }

    fn add_copy(&self, world: &mut PhysicsWorld, _slot: usize, rng: &mut Rng) -> CartPoleCopy {
        let x = rng.gen_range(-0.2f32..0.2);
        let theta = PI + rng.gen_range(-0.2f32..0.2);
        let x_dot = rng.gen_range(-0.05f32..0.05);
        let theta_dot = rng.gen_range(-0.05f32..0.05);
        let base = world.insert_body(RigidBodyBuilder::fixed());
        let cart = world.insert_body(
            RigidBodyBuilder::dynamic()
                .can_sleep(false)
                .additional_mass_properties(MassProperties::new(Vector::ZERO, CART_MASS, 0.1)),
        );
        let pole = world.insert_body(
            RigidBodyBuilder::dynamic()
                .can_sleep(false)
                .additional_mass_properties(MassProperties::new(
                    Vector::new(0.0, POLE_LENGTH / 2.0),
                    POLE_MASS,
                    POLE_MASS * POLE_LENGTH * POLE_LENGTH / 12.0,
                )),
        );
        let slider = world
            .insert_multibody_joint(
                base,
                cart,
                PrismaticJointBuilder::new(Vector::X).limits([-TRACK, TRACK]),
            )
            .expect("valid multibody");
        let hinge = world
            .insert_multibody_joint(cart, pole, RevoluteJointBuilder::new())
            .expect("valid multibody");
        let (mb, _) = world
            .multibody_joints
            .get_mut(slider)
            .expect("just inserted");
        mb.damping_mut().fill(0.0);
        set_joint_states(world, &[(slider, x, x_dot), (hinge, theta, theta_dot)]);
        CartPoleCopy {
            slider,
            hinge,
            cart,
        }
    }

    fn apply(&self, world: &mut PhysicsWorld, copy: &mut CartPoleCopy, action: &[f32]) -> f32 {
        let u = action[0].clamp(-MAX_FORCE, MAX_FORCE);
        let (x, _) = joint_state(world, copy.slider);
        let (theta, _) = joint_state(world, copy.hinge);
        let cart = &mut world.bodies[copy.cart];
        cart.reset_forces(true);
        cart.add_force(Vector::new(u, 0.0), true);
        theta.cos() - 0.1 * x * x - 0.001 * u * u
    }

    fn finish(&self, world: &mut PhysicsWorld, copy: &mut CartPoleCopy, obs: &mut [f32]) -> f32 {
        self.observe(world, copy, obs);
        0.0
    }

    fn observe(&self, world: &PhysicsWorld, copy: &CartPoleCopy, obs: &mut [f32]) {
        let (x, x_dot) = joint_state(world, copy.slider);
        let (theta, theta_dot) = joint_state(world, copy.hinge);
        obs.copy_from_slice(&[x, x_dot, theta.cos(), theta.sin(), theta_dot]);
    }
}

/// A cart-pole in its own world.
pub fn make() -> RapierEnv<CartPole> {
    RapierEnv::new(CartPole::default())
}

/// `n` cart-poles, several per world.
pub fn make_vec(n: usize) -> RapierVecEnv<CartPole> {
    RapierVecEnv::new(CartPole::default(), n)
}

/// Noiseless expert force. Near upright (`cos θ > 0.9`): discrete-time LQR on the linearisation about
/// the upright equilibrium (`dt = 0.05`, `Q = diag(1, 0.1, 10, 0.1)`, `R = 0.01`), gains computed
/// offline from the Riccati recursion. Elsewhere: energy-shaping swing-up, a cart acceleration
/// `k (E* − E) θ̇ cos θ` that pumps the pole's energy `E` towards that of resting upright, plus a
/// spring pulling the cart back to the centre.
pub fn controller(obs: &[f32], u: &mut [f32]) {
    let (x, xd, c, s, w) = (obs[0], obs[1], obs[2], obs[3], obs[4]);
    let theta = s.atan2(c);
    let force = if c > 0.9 {
        6.795 * x + 8.437 * xd - 58.84 * theta - 14.25 * w
    } else {
        let h = POLE_LENGTH / 2.0;
        let inertia = POLE_MASS * POLE_LENGTH * POLE_LENGTH / 3.0;
        let energy = 0.5 * inertia * w * w + POLE_MASS * G * h * (c - 1.0);
        60.0 * (-energy) * w * c - 1.0 * x - 1.0 * xd
    };
    u[0] = force.clamp(-MAX_FORCE, MAX_FORCE);
}

/// Noise of the expert's force.
pub const EXPERT_STD: f32 = 0.5;

/// The expert: [`controller`] plus `N(0, 0.5²)` force noise.
pub fn expert() -> GaussianExpert {
    GaussianExpert::new(controller, vec![EXPERT_STD])
}

/// Registry entry.
pub fn entry() -> EnvEntry {
    EnvEntry::new(
        "cartpole",
        "Cart-pole swing-up and balance on Rapier prismatic and revolute joints",
        || Box::new(make()),
    )
    .with_expert(|| Box::new(expert()))
    .with_vec_env(|n| Box::new(make_vec(n)))
}
