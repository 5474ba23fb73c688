//! `hopper`: a planar one-legged hopper on Rapier.
//!
//! The geometry, masses and joints follow Gymnasium's Hopper (`hopper.xml`,
//! <https://gymnasium.farama.org/environments/mujoco/hopper/>): a torso (capsule from height 1.45 to
//! 1.05 m, radius 0.05), thigh (1.05 to 0.6 m, radius 0.05), leg (0.6 to 0.1 m, radius 0.04) and a
//! foot (capsule along x from −0.13 to 0.26 m at height 0.1, radius 0.06), masses those of the XML's
//! capsules at density 1000. The hip, knee and ankle are revolute joints limited to `[−150°, 0°]`,
//! `[−150°, 0°]`, `[−45°, 45°]`, each with damping 1 and armature 1 and a motor of gear 200. The
//! torso is free in the plane (a Rapier multibody with a free root); the body touches a flat ground
//! with friction 0.9. There is no early termination: falling only stops the alive bonus.
//!
//! - **Observation** (11): torso height, torso angle, the three joint angles, torso `ẋ, ż, ω`, the
//!   three joint speeds (as Gymnasium's Hopper, `x` excluded).
//! - **Action** (3): `a ∈ [−1, 1]³`, clipped by the environment; joint torques are `200 a`.
//! - **Reward**: forward speed `(x' − x)/dt` of the torso, plus an alive bonus of 1 while the torso is
//!   above 0.7 m and within 0.2 rad of upright (Gymnasium's healthy conditions), minus `0.001 ‖a‖²`.
//! - **Horizon**: 300 steps of `dt = 0.02` s (4 solver substeps each).
//! - **Reset**: the standing pose, every coordinate and speed perturbed by `U(−0.005, 0.005)`.
//!
//! **Returns** over 64 episodes (mean ± std; episode `i` reset and acted with `episode_rng(0, i)`,
//! measured by `envs/tests/control.rs`): uniform random 50.6 ± 75.1; the [`expert`] 331.9 ± 156.8.
//!
//! **Expert**: the mean action of a PPO policy trained on the true reward (see [`controller`]), a
//! 64×64 tanh network with its observation normaliser, plus `N(0, 0.1²)` noise on each action.

use super::expert::GaussianExpert;
use super::mlp_expert::MlpController;
use super::rapier::{copy_groups, joint_state, set_joint_states, Model, RapierEnv, RapierVecEnv};
use crate::registry::EnvEntry;
use crate::seeding::Rng;
use crate::space::Space;
use crate::spec::EnvSpec;
use rand::Rng as _;
use rapier2d::prelude::*;
use std::sync::OnceLock;

/// Motor gear: torque per unit of action.
pub const GEAR: f32 = 200.0;
/// Seconds per step.
pub const DT: f32 = 0.02;
/// Height above which the torso earns the alive bonus.
pub const HEALTHY_HEIGHT: f32 = 0.7;
/// Largest torso tilt that earns the alive bonus.
pub const HEALTHY_ANGLE: f32 = 0.2;
/// Length of the torso's segment (from the top down to the hip).
pub const TORSO_LENGTH: f32 = 0.4;
/// Length of the thigh's segment (hip to knee).
pub const THIGH_LENGTH: f32 = 0.45;
/// Length of the leg's segment (knee to ankle).
pub const LEG_LENGTH: f32 = 0.5;
/// Where the foot's segment starts and ends along the foot, measured from the ankle (at zero ankle
/// angle: forward along `x`).
pub const FOOT_SPAN: [f32; 2] = [-0.13, 0.26];

/// Mass of a capsule of `radius` and segment length `len` at density 1000.
fn capsule_mass(len: f32, radius: f32) -> f32 {
    1000.0 * std::f32::consts::PI * radius * radius * (len + 4.0 / 3.0 * radius)
}

/// The hopper task (see the module documentation).
#[derive(Clone, Debug)]
pub struct Hopper {
    spec: EnvSpec,
}

impl Default for Hopper {
    fn default() -> Self {
        Self {
            spec: EnvSpec {
                name: "hopper".into(),
                observation_space: Space::unbounded(11),
                action_space: Space::uniform_box(3, -1.0, 1.0),
                horizon: 300,
                dt: DT,
            },
        }
    }
}

/// One hopper in a world: its torso, limbs and joints, and the torso's `x` before the step.
pub struct HopperCopy {
    torso: RigidBodyHandle,
    limbs: [RigidBodyHandle; 3],
    joints: [MultibodyJointHandle; 3],
    x_before: f32,
}

impl Model for Hopper {
    type Copy = HopperCopy;

    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn gravity(&self) -> Vector {
        Vector::new(0.0, -9.81)
    }

    fn integration_parameters(&self) -> IntegrationParameters {
        IntegrationParameters {
            num_solver_iterations: 4,
            ..Default::default()
        }
    }

    fn add_copy(&self, world: &mut PhysicsWorld, slot: usize, rng: &mut Rng) -> HopperCopy {
        let mut noise = || rng.gen_range(-0.005f32..0.005);
        let groups = copy_groups(slot);
        let part =
            |c: ColliderBuilder, mass: f32| c.collision_groups(groups).friction(0.9).mass(mass);
        world.insert(
            RigidBodyBuilder::fixed().translation(Vector::new(0.0, -0.5)),
            ColliderBuilder::cuboid(1000.0, 0.5)
                .collision_groups(groups)
                .friction(0.9),
        );
        let (dx, dz, da) = (noise(), noise(), noise());
        let (torso, _) = world.insert(
            RigidBodyBuilder::dynamic()
                .translation(Vector::new(dx, 1.25 + dz))
                .rotation(da)
                .can_sleep(false),
            part(
                ColliderBuilder::capsule_y(TORSO_LENGTH / 2.0, 0.05),
                capsule_mass(TORSO_LENGTH, 0.05),
            ),
        );
        let body = |world: &mut PhysicsWorld, at: Vector, c: ColliderBuilder, mass: f32| {
            world
                .insert(
                    RigidBodyBuilder::dynamic().translation(at).can_sleep(false),
                    part(c, mass),
                )
                .0
        };
        let thigh = body(
            world,
            Vector::new(0.0, 0.825),
            ColliderBuilder::capsule_y(THIGH_LENGTH / 2.0, 0.05),
            capsule_mass(THIGH_LENGTH, 0.05),
        );
        let leg = body(
            world,
            Vector::new(0.0, 0.35),
            ColliderBuilder::capsule_y(LEG_LENGTH / 2.0, 0.04),
            capsule_mass(LEG_LENGTH, 0.04),
        );
        let foot = body(
            world,
            Vector::new(0.065, 0.1),
            ColliderBuilder::capsule_x(0.195, 0.06),
            capsule_mass(0.39, 0.06),
        );
        let deg = std::f32::consts::PI / 180.0;
        let hinge = |a1: Vector, a2: Vector, lim: [f32; 2]| {
            RevoluteJointBuilder::new()
                .local_anchor1(a1)
                .local_anchor2(a2)
                .limits([lim[0] * deg, lim[1] * deg])
        };
        let mut joint = |b1, b2, j| {
            world
                .insert_multibody_joint(b1, b2, j)
                .expect("a chain of four bodies is a valid multibody")
        };
        let hip = joint(
            torso,
            thigh,
            hinge(
                Vector::new(0.0, -0.2),
                Vector::new(0.0, 0.225),
                [-150.0, 0.0],
            ),
        );
        let knee = joint(
            thigh,
            leg,
            hinge(
                Vector::new(0.0, -0.225),
                Vector::new(0.0, 0.25),
                [-150.0, 0.0],
            ),
        );
        let ankle = joint(
            leg,
            foot,
            hinge(
                Vector::new(0.0, -0.25),
                Vector::new(-0.065, 0.0),
                [-45.0, 45.0],
            ),
        );
        let joints = [hip, knee, ankle];
        let root_vel = [noise(), noise(), noise()];
        let mut states = Vec::with_capacity(3);
        for &j in &joints {
            let q = joint_state(world, j).0;
            states.push((j, q + noise(), noise()));
        }
        set_joint_states(world, &states);
        let (mb, _) = world.multibody_joints.get_mut(hip).expect("just inserted");
        // The free root's three coordinates come first, then the hip, knee and ankle.
        for i in 0..mb.ndofs() {
            let actuated = i >= 3;
            mb.damping_mut()[i] = if actuated { 1.0 } else { 0.0 };
            mb.armature_mut()[i] = if actuated { 1.0 } else { 0.0 };
        }
        for (i, v) in root_vel.into_iter().enumerate() {
            mb.generalized_velocity_mut()[i] = v;
        }
        mb.forward_kinematics(&world.bodies, true);
        mb.update_rigid_bodies(&mut world.bodies, false);
        let x_before = world.bodies[torso].translation().x;
        HopperCopy {
            torso,
            limbs: [thigh, leg, foot],
            joints,
            x_before,
        }
    }

    fn apply(&self, world: &mut PhysicsWorld, copy: &mut HopperCopy, action: &[f32]) -> f32 {
        let tau: Vec<f32> = action[..3]
            .iter()
            .map(|a| GEAR * a.clamp(-1.0, 1.0))
            .collect();
        // Joint k drives limb k and reacts on its parent (the torso for the hip).
        let parents = [copy.torso, copy.limbs[0], copy.limbs[1]];
        for h in parents.iter().chain(&copy.limbs) {
            world.bodies[*h].reset_torques(true);
        }
        for k in 0..3 {
            world.bodies[copy.limbs[k]].add_torque(tau[k], true);
            world.bodies[parents[k]].add_torque(-tau[k], true);
        }
        copy.x_before = world.bodies[copy.torso].translation().x;
        -1e-3 * action[..3].iter().map(|a| a * a).sum::<f32>()
    }

    fn finish(&self, world: &mut PhysicsWorld, copy: &mut HopperCopy, obs: &mut [f32]) -> f32 {
        self.observe(world, copy, obs);
        let torso = &world.bodies[copy.torso];
        let forward = (torso.translation().x - copy.x_before) / DT;
        let healthy = obs[0] > HEALTHY_HEIGHT && obs[1].abs() < HEALTHY_ANGLE;
        forward + if healthy { 1.0 } else { 0.0 }
    }

    fn observe(&self, world: &PhysicsWorld, copy: &HopperCopy, obs: &mut [f32]) {
        let torso = &world.bodies[copy.torso];
        let (p, v) = (torso.translation(), torso.linvel());
        obs[0] = p.y;
        obs[1] = torso.rotation().angle();
        obs[5] = v.x;
        obs[6] = v.y;
        obs[7] = torso.angvel();
        for (k, &j) in copy.joints.iter().enumerate() {
            let (q, qd) = joint_state(world, j);
            obs[2 + k] = q;
            obs[8 + k] = qd;
        }
    }
}

/// A hopper in its own world.
pub fn make() -> RapierEnv<Hopper> {
    RapierEnv::new(Hopper::default())
}

/// `n` hoppers, several per world, stepped across the rayon pool.
///
/// Each copy's result does not depend on the number of threads, but where copies in one world touch
/// something in the same step their contacts are solved together, which can change the last bits of
/// a copy's result compared with running it alone; so the registry builds this task's copies one
/// world each ([`ParallelEnvs`](crate::ParallelEnvs)).
pub fn make_vec(n: usize) -> RapierVecEnv<Hopper> {
    RapierVecEnv::new(Hopper::default(), n)
}

/// Standard deviation of the expert's noise on each action.
pub const EXPERT_STD: f32 = 0.1;

/// The expert's weights (see [`controller`]).
const EXPERT_WEIGHTS: &[u8] = include_bytes!("hopper_expert.safetensors");

/// The expert's mean action: a 64×64 tanh policy trained by PPO on the true reward (`costlearn
/// train rl --env hopper --iterations 150`, seed 0, 1.44 M environment steps) and exported with
/// `cargo run --release --example export_expert -- RUN_DIR envs/src/control/hopper_expert.safetensors`.
pub fn controller() -> &'static MlpController {
    static NET: OnceLock<MlpController> = OnceLock::new();
    NET.get_or_init(|| {
        MlpController::from_safetensors(EXPERT_WEIGHTS)
            .expect("the shipped hopper expert weights are valid (tested)")
    })
}

fn expert_mean(obs: &[f32], u: &mut [f32]) {
    controller().mean_action(obs, u);
}

/// The expert: [`controller`] plus `N(0, 0.1²)` noise on each action.
pub fn expert() -> GaussianExpert {
    GaussianExpert::new(expert_mean, vec![EXPERT_STD; 3])
}

/// Registry entry.
pub fn entry() -> EnvEntry {
    EnvEntry::new(
        "hopper",
        "Planar one-legged hopper on Rapier: move forward without falling",
        || Box::new(make()),
    )
    .with_expert(|| Box::new(expert()))
}
