//! `pendulum`: Gymnasium's Pendulum-v1 on a Rapier revolute joint.
//!
//! Follows the Pendulum-v1 spec of Gymnasium
//! (<https://gymnasium.farama.org/environments/classic_control/pendulum/>): a rod of mass `m = 1` and
//! length `l = 1` (inertia `m l²/12` about its centre) hangs from a revolute joint under `g = 10`, with
//! `θ = 0` upright.
//!
//! - **Observation** (3): `cos θ, sin θ, θ̇`.
//! - **Action** (1): motor torque in `[−2, 2]`, clipped by the environment.
//! - **Reward**: `−(θ² + 0.1 θ̇² + 0.001 u²)` with `θ` normalised to `[−π, π]`, from the state before
//!   the step and the clipped torque.
//! - **Horizon**: 200 steps of `dt = 0.05` s.
//! - **Reset**: `θ ~ U(−π, π)`, `θ̇ ~ U(−1, 1)`.
//!
//! The joint is simulated as a Rapier multibody (reduced coordinates, no joint damping), which
//! integrates `θ̈ = 3g/(2l)·sin θ + 3/(m l²)·u` by semi-implicit Euler as Gymnasium does; as in
//! Gymnasium the speed is then clipped to `|θ̇| ≤ 8`, and the position advances by the clipped speed.
//! `tests/control.rs` checks that every observation agrees with Gymnasium's closed-form step to
//! within 1e-4 over 20 steps from the same state and actions, speed clip included.
//!
//! **Returns** over 64 episodes (mean ± std; episode `i` reset and acted with `episode_rng(0, i)`,
//! measured by `envs/tests/control.rs`): expert [`expert`] −156.4 ± 87.7, uniform random −1206.7 ± 282.1.
//! The test requires the expert's mean return to exceed random's by at least 800.
//!
//! `pendulum-heavy` ([`heavy_entry`]) is the same task with a rod of mass 1.5: same spaces, reward
//! and horizon, so that a cost learned on `pendulum` can be re-optimised on it. Its expert (the same
//! controller for that mass) returns −196.0 ± 119.6, uniform random −1204.2 ± 308.2 (64 episodes,
//! seed 0, `demos/manifest.toml`).

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
pub const G: f32 = 10.0;
/// Mass of the rod.
pub const MASS: f32 = 1.0;
/// Length of the rod.
pub const LENGTH: f32 = 1.0;
/// Largest torque.
pub const MAX_TORQUE: f32 = 2.0;
/// Largest angular speed.
pub const MAX_SPEED: f32 = 8.0;
/// Seconds per step.
pub const DT: f32 = 0.05;

/// The pendulum task (see the module documentation); [`Pendulum::mass`] changes the rod's mass for
/// a variant of the task.
#[derive(Clone, Debug)]
pub struct Pendulum {
    spec: EnvSpec,
    mass: f32,
}

impl Default for Pendulum {
    fn default() -> Self {
        Self {
            spec: EnvSpec {
                name: "pendulum".into(),
                observation_space: Space::Box {
                    low: vec![-1.0, -1.0, -MAX_SPEED],
                    high: vec![1.0, 1.0, MAX_SPEED],
                },
                action_space: Space::uniform_box(1, -MAX_TORQUE, MAX_TORQUE),
                horizon: 200,
                dt: DT,
            },
            mass: MASS,
        }
    }
}

impl Pendulum {
    /// The task under another registered name.
    pub fn named(mut self, name: &str) -> Self {
        self.spec.name = name.to_string();
        self
    }

    /// A rod of mass `mass` (default [`MASS`]); its length and the torque limit are unchanged.
    pub fn mass(mut self, mass: f32) -> Self {
        self.mass = mass;
        self
    }

    /// The expert of this pendulum: [`controller`] for its mass plus `N(0, 0.2²)` torque noise.
    pub fn expert(&self) -> GaussianExpert {
        let mass = self.mass;
        GaussianExpert::new(move |obs, u| controller(mass, obs, u), vec![EXPERT_STD])
    }

    /// A registry entry for this pendulum, with its expert and batched implementation.
    pub fn entry(self, summary: &str) -> EnvEntry {
        let (one, many, expert) = (self.clone(), self.clone(), self.expert());
        EnvEntry::new(self.spec.name.clone(), summary, move || {
            Box::new(RapierEnv::new(one.clone()))
        })
        .with_expert(move || Box::new(expert.clone()))
        .with_vec_env(move |n| Box::new(RapierVecEnv::new(many.clone(), n)))
    }
}

/// One pendulum in a world: its joint.
pub struct PendulumCopy {
    joint: MultibodyJointHandle,
}

/// `θ` wrapped into `[−π, π)`.
pub fn angle_normalize(theta: f32) -> f32 {
    (theta + PI).rem_euclid(2.0 * PI) - PI
}

impl Model for Pendulum {
    type Copy = PendulumCopy;

    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn gravity(&self) -> Vector {
        Vector::new(0.0, -G)
    }

    fn integration_parameters(&self) -> IntegrationParameters {
        IntegrationParameters {
            num_solver_iterations: 1,
            ..Default::default()
        }
    }

    fn add_copy(&self, world: &mut PhysicsWorld, _slot: usize, rng: &mut Rng) -> PendulumCopy {
        let theta = rng.gen_range(-PI..PI);
        let theta_dot = rng.gen_range(-1.0f32..1.0);
        let base = world.insert_body(RigidBodyBuilder::fixed());
        let rod = world.insert_body(
            RigidBodyBuilder::dynamic()
                .can_sleep(false)
                .additional_mass_properties(MassProperties::new(
                    Vector::new(0.0, LENGTH / 2.0),
                    self.mass,
                    self.mass * LENGTH * LENGTH / 12.0,
                )),
        );
        let joint = world
            .insert_multibody_joint(base, rod, RevoluteJointBuilder::new())
            .expect("a fixed base and a free rod form a valid multibody");
        let (mb, _) = world
            .multibody_joints
            .get_mut(joint)
            .expect("just inserted");
        mb.damping_mut().fill(0.0);
        set_joint_states(world, &[(joint, theta, theta_dot)]);
        PendulumCopy { joint }
    }

    fn apply(&self, world: &mut PhysicsWorld, copy: &mut PendulumCopy, action: &[f32]) -> f32 {
        let u = action[0].clamp(-MAX_TORQUE, MAX_TORQUE);
        let (theta, theta_dot) = joint_state(world, copy.joint);
        let rod = rod_body(world, copy.joint);
        let body = &mut world.bodies[rod];
        body.reset_torques(true);
        body.add_torque(u, true);
        let th = angle_normalize(theta);
        -(th * th + 0.1 * theta_dot * theta_dot + 0.001 * u * u)
    }

    fn finish(&self, world: &mut PhysicsWorld, copy: &mut PendulumCopy, obs: &mut [f32]) -> f32 {
        let (theta, theta_dot) = joint_state(world, copy.joint);
        let clipped = theta_dot.clamp(-MAX_SPEED, MAX_SPEED);
        if clipped != theta_dot {
            // Advance by the clipped speed, as Gymnasium's integrator does.
            set_joint_states(
                world,
                &[(copy.joint, theta - (theta_dot - clipped) * DT, clipped)],
            );
        }
        self.observe(world, copy, obs);
        0.0
    }

    fn observe(&self, world: &PhysicsWorld, copy: &PendulumCopy, obs: &mut [f32]) {
        let (theta, theta_dot) = joint_state(world, copy.joint);
        obs[0] = theta.cos();
        obs[1] = theta.sin();
        obs[2] = theta_dot;
    }
}

fn rod_body(world: &PhysicsWorld, joint: MultibodyJointHandle) -> RigidBodyHandle {
    let (mb, link) = world
        .multibody_joints
        .get(joint)
        .expect("joint belongs to this world");
    mb.link(link)
        .expect("link of its own joint")
        .rigid_body_handle()
}

/// A pendulum in its own world.
pub fn make() -> RapierEnv<Pendulum> {
    RapierEnv::new(Pendulum::default())
}

/// `n` pendulums, several per world.
pub fn make_vec(n: usize) -> RapierVecEnv<Pendulum> {
    RapierVecEnv::new(Pendulum::default(), n)
}

/// Noiseless expert torque for a rod of mass `mass`: energy-shaping swing-up (`u = k (E* − E) θ̇`,
/// pumping energy towards that of resting upright) and, near the top, a PD balance
/// `u = −(10 θ + 2.5 θ̇)`.
pub fn controller(mass: f32, obs: &[f32], u: &mut [f32]) {
    let (c, s, w) = (obs[0], obs[1], obs[2]);
    let theta = s.atan2(c);
    let inertia = mass * LENGTH * LENGTH / 3.0;
    // Energy relative to resting upright.
    let energy = 0.5 * inertia * w * w + mass * G * LENGTH / 2.0 * (c - 1.0);
    let torque = if c > 0.85 && w.abs() < 4.0 {
        -(10.0 * theta + 2.5 * w)
    } else {
        -2.0 * energy * w
    };
    u[0] = torque.clamp(-MAX_TORQUE, MAX_TORQUE);
}

/// Noise of the expert's torque.
pub const EXPERT_STD: f32 = 0.2;

/// The expert: [`controller`] plus `N(0, 0.2²)` torque noise.
pub fn expert() -> GaussianExpert {
    Pendulum::default().expert()
}

/// Registry entry.
pub fn entry() -> EnvEntry {
    Pendulum::default().entry("Pendulum-v1 on a Rapier revolute joint: swing up and balance")
}

/// Mass of the rod of `pendulum-heavy`.
pub const HEAVY_MASS: f32 = 1.5;

/// Registry entry of `pendulum-heavy`, the same task with a rod of mass [`HEAVY_MASS`]: a changed
/// task on which a cost learned on `pendulum` is re-optimised.
pub fn heavy_entry() -> EnvEntry {
    Pendulum::default()
        .named("pendulum-heavy")
        .mass(HEAVY_MASS)
        .entry("pendulum with a rod of mass 1.5 (same spaces): a changed task for a learned cost")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn angles_wrap_into_minus_pi_to_pi() {
        for (theta, want) in [
            (0.5, 0.5),
            (PI + 0.5, -PI + 0.5),
            (-PI - 0.5, PI - 0.5),
            (4.0 * PI + 1.0, 1.0),
        ] {
            assert!((angle_normalize(theta) - want).abs() < 1e-5, "{theta}");
        }
    }
}
