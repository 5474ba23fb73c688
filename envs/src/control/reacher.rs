//! `reacher`: Gymnasium's Reacher-v5 on a Rapier two-link arm.
//!
//! Follows the Reacher-v5 spec of Gymnasium (<https://gymnasium.farama.org/environments/mujoco/reacher/>)
//! and its `reacher.xml`: two links of 0.1 m in the horizontal plane (no gravity), the fingertip 0.11 m
//! from the second joint, each joint with damping 1 and armature 1 (reflected rotor inertia), motors
//! of gear 200, the second joint limited to `[−3, 3]` rad. Link masses are those of the XML's capsules
//! (radius 0.01 m, density 1000).
//!
//! - **Observation** (10): `cos q` (2), `sin q` (2), target `xy` (2), `q̇` (2), fingertip − target `xy` (2).
//! - **Action** (2): `a ∈ [−1, 1]²`, clipped by the environment; joint torques are `200 a`.
//! - **Reward**: `−‖fingertip − target‖ − ‖a‖²` from the state before the step; as in Gymnasium the
//!   control cost is of the action as given.
//! - **Horizon**: 50 steps of `dt = 0.02` s.
//! - **Reset**: target `U(−0.2, 0.2)²` redrawn until its norm is below 0.2; joints `U(−0.1, 0.1)`;
//!   joint speeds `U(−0.005, 0.005)`.
//!
//! **Returns** over 64 episodes (mean ± std; episode `i` reset and acted with `episode_rng(0, i)`,
//! measured by `envs/tests/control.rs`): expert [`expert`] −7.1 ± 2.5, uniform random −42.9 ± 3.8.
//! The test requires the expert's mean return to exceed random's by at least 30.
//!
//! `reacher-long` ([`long_entry`]) is the same task with links of 0.12 m (the fingertip 0.13 m from
//! the second joint, link masses following their lengths): same spaces, reward and horizon, so that a
//! cost learned on `reacher` can be re-optimised on it. Its expert (the same controller for those
//! lengths) returns −9.1 ± 2.7, uniform random −43.9 ± 3.9 (64 episodes, seed 0,
//! `demos/manifest.toml`).

use super::expert::GaussianExpert;
use super::rapier::{joint_state, set_joint_states, Model, RapierEnv, RapierVecEnv};
use crate::registry::EnvEntry;
use crate::seeding::Rng;
use crate::space::Space;
use crate::spec::EnvSpec;
use rand::Rng as _;
use rapier2d::prelude::*;

/// Length of each link.
pub const LINK: f32 = 0.1;
/// Distance of the fingertip from the second joint.
pub const FINGERTIP: f32 = 0.11;
/// Motor gear: torque per unit of action.
pub const GEAR: f32 = 200.0;
/// Seconds per step.
pub const DT: f32 = 0.02;

/// Mass of a capsule of radius 0.01 m and length `len` at density 1000.
fn capsule_mass(len: f32) -> f32 {
    let r = 0.01f32;
    1000.0 * std::f32::consts::PI * r * r * (len + 4.0 / 3.0 * r)
}

/// The reacher task (see the module documentation); [`Reacher::link`] changes the arm's link
/// lengths for a variant of the task.
#[derive(Clone, Debug)]
pub struct Reacher {
    spec: EnvSpec,
    link: f32,
    fingertip: f32,
}

impl Default for Reacher {
    fn default() -> Self {
        Self {
            spec: EnvSpec {
                name: "reacher".into(),
                observation_space: Space::unbounded(10),
                action_space: Space::uniform_box(2, -1.0, 1.0),
                horizon: 50,
                dt: DT,
            },
            link: LINK,
            fingertip: FINGERTIP,
        }
    }
}

impl Reacher {
    /// The task under another registered name.
    pub fn named(mut self, name: &str) -> Self {
        self.spec.name = name.to_string();
        self
    }

    /// Links of length `link` (default [`LINK`]), the fingertip `link + 0.01` m from the second
    /// joint as in the base task; link masses follow their lengths.
    pub fn link(mut self, link: f32) -> Self {
        self.link = link;
        self.fingertip = link + (FINGERTIP - LINK);
        self
    }

    /// Fingertip position for joint angles `q`.
    pub fn fingertip(&self, q: [f32; 2]) -> [f32; 2] {
        let a = q[0] + q[1];
        [
            self.link * q[0].cos() + self.fingertip * a.cos(),
            self.link * q[0].sin() + self.fingertip * a.sin(),
        ]
    }

    /// The expert of this arm: [`controller`] for its lengths plus `N(0, 0.05²)` noise on each
    /// action.
    pub fn expert(&self) -> GaussianExpert {
        let (link, tip) = (self.link, self.fingertip);
        GaussianExpert::new(
            move |obs, u| controller(link, tip, obs, u),
            vec![EXPERT_STD; 2],
        )
    }

    /// A registry entry for this arm, with its expert and batched implementation.
    pub fn entry(self, summary: &str) -> EnvEntry {
        let (one, many, expert) = (self.clone(), self.clone(), self.expert());
        EnvEntry::new(self.spec.name.clone(), summary, move || {
            Box::new(RapierEnv::new(one.clone()))
        })
        .with_expert(move || Box::new(expert.clone()))
        .with_vec_env(move |n| Box::new(RapierVecEnv::new(many.clone(), n)))
    }
}

/// One arm in a world: its joints, bodies and target.
pub struct ReacherCopy {
    joints: [MultibodyJointHandle; 2],
    links: [RigidBodyHandle; 2],
    target: [f32; 2],
}

/// Fingertip position of the base task's arm for joint angles `q`.
pub fn fingertip(q: [f32; 2]) -> [f32; 2] {
    Reacher::default().fingertip(q)
}

fn link_body(len: f32, extra_tip_mass: f32, tip: f32) -> RigidBodyBuilder {
    let m = capsule_mass(len);
    let mass = m + extra_tip_mass;
    let com = (m * len / 2.0 + extra_tip_mass * tip) / mass;
    let inertia =
        m * len * len / 12.0 + m * (len / 2.0 - com).powi(2) + extra_tip_mass * (tip - com).powi(2);
    RigidBodyBuilder::dynamic()
        .can_sleep(false)
        .additional_mass_properties(MassProperties::new(Vector::new(com, 0.0), mass, inertia))
}

impl Model for Reacher {
    type Copy = ReacherCopy;

    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn gravity(&self) -> Vector {
        Vector::ZERO
    }

    fn integration_parameters(&self) -> IntegrationParameters {
        IntegrationParameters {
            num_solver_iterations: 1,
            ..Default::default()
        }
    }

    fn add_copy(&self, world: &mut PhysicsWorld, _slot: usize, rng: &mut Rng) -> ReacherCopy {
        let q = [rng.gen_range(-0.1f32..0.1), rng.gen_range(-0.1f32..0.1)];
        let qd = [
            rng.gen_range(-0.005f32..0.005),
            rng.gen_range(-0.005f32..0.005),
        ];
        let target = loop {
            let t = [rng.gen_range(-0.2f32..0.2), rng.gen_range(-0.2f32..0.2)];
            if (t[0] * t[0] + t[1] * t[1]).sqrt() < 0.2 {
                break t;
            }
        };
        let base = world.insert_body(RigidBodyBuilder::fixed());
        let l0 = world.insert_body(link_body(self.link, 0.0, 0.0));
        let fingertip_mass = 1000.0 * 4.0 / 3.0 * std::f32::consts::PI * 0.01f32.powi(3);
        let l1 = world.insert_body(link_body(self.link, fingertip_mass, self.fingertip));
        let j0 = world
            .insert_multibody_joint(base, l0, RevoluteJointBuilder::new())
            .expect("valid multibody");
        let j1 = world
            .insert_multibody_joint(
                l0,
                l1,
                RevoluteJointBuilder::new()
                    .local_anchor1(Vector::new(self.link, 0.0))
                    .limits([-3.0, 3.0]),
            )
            .expect("valid multibody");
        let (mb, _) = world.multibody_joints.get_mut(j0).expect("just inserted");
        mb.damping_mut().fill(1.0);
        mb.armature_mut().fill(1.0);
        set_joint_states(world, &[(j0, q[0], qd[0]), (j1, q[1], qd[1])]);
        ReacherCopy {
            joints: [j0, j1],
            links: [l0, l1],
            target,
        }
    }

    fn apply(&self, world: &mut PhysicsWorld, copy: &mut ReacherCopy, action: &[f32]) -> f32 {
        let tau = [
            GEAR * action[0].clamp(-1.0, 1.0),
            GEAR * action[1].clamp(-1.0, 1.0),
        ];
        // Joint torques as body torques: joint 1 acts on link 1 and reacts on link 0.
        let torques = [tau[0] - tau[1], tau[1]];
        for (&h, t) in copy.links.iter().zip(torques) {
            let b = &mut world.bodies[h];
            b.reset_torques(true);
            b.add_torque(t, true);
        }
        let q = [
            joint_state(world, copy.joints[0]).0,
            joint_state(world, copy.joints[1]).0,
        ];
        let tip = self.fingertip(q);
        let dist = (tip[0] - copy.target[0]).hypot(tip[1] - copy.target[1]);
        -dist - (action[0] * action[0] + action[1] * action[1])
    }

    fn finish(&self, world: &mut PhysicsWorld, copy: &mut ReacherCopy, obs: &mut [f32]) -> f32 {
        self.observe(world, copy, obs);
        0.0
    }

    fn observe(&self, world: &PhysicsWorld, copy: &ReacherCopy, obs: &mut [f32]) {
        let (q0, qd0) = joint_state(world, copy.joints[0]);
        let (q1, qd1) = joint_state(world, copy.joints[1]);
        let tip = self.fingertip([q0, q1]);
        let t = copy.target;
        obs.copy_from_slice(&[
            q0.cos(),
            q1.cos(),
            q0.sin(),
            q1.sin(),
            t[0],
            t[1],
            qd0,
            qd1,
            tip[0] - t[0],
            tip[1] - t[1],
        ]);
    }
}

/// An arm in its own world.
pub fn make() -> RapierEnv<Reacher> {
    RapierEnv::new(Reacher::default())
}

/// `n` arms, several per world.
pub fn make_vec(n: usize) -> RapierVecEnv<Reacher> {
    RapierVecEnv::new(Reacher::default(), n)
}

/// Noiseless expert action of an arm with links `link` and the fingertip `tip` from the second
/// joint: Jacobian-transpose PD, `τ = Jᵀ · 50 (target − fingertip) − 0.12 q̇`, clipped.
pub fn controller(link: f32, tip: f32, obs: &[f32], u: &mut [f32]) {
    let (c0, c1, s0, s1) = (obs[0], obs[1], obs[2], obs[3]);
    let (c01, s01) = (c0 * c1 - s0 * s1, s0 * c1 + c0 * s1);
    let (ex, ey) = (-obs[8], -obs[9]);
    let j = [
        [-link * s0 - tip * s01, -tip * s01],
        [link * c0 + tip * c01, tip * c01],
    ];
    let (kp, kd) = (50.0, 0.12);
    for (i, ui) in u.iter_mut().enumerate().take(2) {
        *ui = (kp * (j[0][i] * ex + j[1][i] * ey) - kd * obs[6 + i]).clamp(-1.0, 1.0);
    }
}

/// Noise of the expert's actions.
pub const EXPERT_STD: f32 = 0.05;

/// The expert: [`controller`] plus `N(0, 0.05²)` noise on each action.
pub fn expert() -> GaussianExpert {
    Reacher::default().expert()
}

/// Registry entry.
pub fn entry() -> EnvEntry {
    Reacher::default().entry("Reacher-v5 on a Rapier two-link arm: touch a random target")
}

/// Link length of `reacher-long`.
pub const LONG_LINK: f32 = 0.12;

/// Registry entry of `reacher-long`, the same task with links of [`LONG_LINK`] m: a changed task
/// on which a cost learned on `reacher` is re-optimised.
pub fn long_entry() -> EnvEntry {
    Reacher::default()
        .named("reacher-long")
        .link(LONG_LINK)
        .entry("reacher with links of 0.12 m (same spaces): a changed task for a learned cost")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Env;

    /// The fingertip in the observation is where the simulated second link puts it.
    #[test]
    fn observed_fingertip_matches_the_simulated_arm() {
        let mut env = make();
        let mut obs = [0.0; 10];
        env.reset(5, &mut obs);
        for t in 0..30 {
            env.step(&[0.7, -0.4 + 0.05 * t as f32], &mut obs);
            let copy = env.copy().unwrap();
            let link = &env.world().bodies[copy.links[1]];
            let tip = link.translation() + *link.rotation() * Vector::new(FINGERTIP, 0.0);
            let observed = [obs[8] + obs[4], obs[9] + obs[5]];
            assert!((tip.x - observed[0]).abs() < 1e-4 && (tip.y - observed[1]).abs() < 1e-4);
        }
    }
}
