//! The generic Rapier layer shared by every control task: a [`Model`] describes how to add one copy of
//! a task to a physics world; [`RapierEnv`] runs one copy in its own world and [`RapierVecEnv`] runs
//! many copies, several per world, with the worlds stepped across the rayon pool.
//!
//! Copies in one world never interact (they share no colliders or joints, and contact groups keep
//! them apart), so a world of `k` copies is `k` independent simulations that share the fixed cost of
//! one pipeline step. The partition of copies into worlds depends only on the number of copies, never
//! on the number of threads, so every copy's trajectory is the same whatever the thread count.

use crate::env::{Env, VecEnv};
use crate::seeding::Rng;
use crate::spec::EnvSpec;
use rand::SeedableRng;
use rapier2d::prelude::*;
use rayon::prelude::*;
use std::sync::Arc;

/// Copies simulated in one Rapier world by [`RapierVecEnv`].
pub const COPIES_PER_WORLD: usize = 8;

/// One task as a recipe for Rapier bodies: how to build a copy, act on it, and read it.
pub trait Model: Send + Sync + 'static {
    /// Handles of one copy's bodies and joints, plus any per-copy state the task keeps.
    type Copy: Send;

    /// The task's spec.
    fn spec(&self) -> &EnvSpec;

    /// Gravity of the world.
    fn gravity(&self) -> Vector;

    /// Solver settings of the world (its `dt` is the spec's `dt`).
    fn integration_parameters(&self) -> IntegrationParameters;

    /// Adds copy number `slot` of its world (used to choose contact groups), drawing its initial state
    /// from `rng`.
    fn add_copy(&self, world: &mut PhysicsWorld, slot: usize, rng: &mut Rng) -> Self::Copy;

    /// Clips `action` to the action space, applies it as forces for the coming step, and returns the
    /// part of the reward that depends on the state before the step.
    fn apply(&self, world: &mut PhysicsWorld, copy: &mut Self::Copy, action: &[f32]) -> f32;

    /// Runs after the world has stepped: enforces any state limits, writes the observation into `obs`
    /// and returns the part of the reward that depends on the state after the step.
    fn finish(&self, world: &mut PhysicsWorld, copy: &mut Self::Copy, obs: &mut [f32]) -> f32;

    /// Writes the current observation into `obs`.
    fn observe(&self, world: &PhysicsWorld, copy: &Self::Copy, obs: &mut [f32]);
}

/// One world holding several copies of a task.
struct Batch<M: Model> {
    model: Arc<M>,
    world: PhysicsWorld,
    copies: Vec<M::Copy>,
}

impl<M: Model> Batch<M> {
    fn new(model: Arc<M>) -> Self {
        let world = empty_world(model.as_ref());
        Self {
            model,
            world,
            copies: Vec::new(),
        }
    }

    /// Rebuilds the world from scratch with one copy per seed, so nothing from an earlier episode
    /// (contact caches, warm starts) can leak into the new one.
    fn reset(&mut self, seeds: &[u64], obs: &mut [f32]) {
        self.world = empty_world(self.model.as_ref());
        self.copies.clear();
        let od = self.model.spec().obs_dim();
        for (slot, (&seed, o)) in seeds.iter().zip(obs.chunks_mut(od)).enumerate() {
            let mut rng = Rng::seed_from_u64(seed);
            let copy = self.model.add_copy(&mut self.world, slot, &mut rng);
            self.model.observe(&self.world, &copy, o);
            self.copies.push(copy);
        }
    }

    fn step(&mut self, actions: &[f32], obs: &mut [f32], rewards: &mut [f32]) {
        let spec = self.model.spec();
        let (od, ad) = (spec.obs_dim(), spec.act_dim());
        for ((copy, a), r) in self
            .copies
            .iter_mut()
            .zip(actions.chunks(ad))
            .zip(rewards.iter_mut())
        {
            *r = self.model.apply(&mut self.world, copy, a);
        }
        self.world.step();
        for ((copy, o), r) in self
            .copies
            .iter_mut()
            .zip(obs.chunks_mut(od))
            .zip(rewards.iter_mut())
        {
            *r += self.model.finish(&mut self.world, copy, o);
        }
    }
}

fn empty_world<M: Model>(model: &M) -> PhysicsWorld {
    let mut world = PhysicsWorld::new();
    world.gravity = model.gravity();
    world.integration_parameters = model.integration_parameters();
    world.integration_parameters.dt = model.spec().dt;
    world
}

/// One copy of a Rapier task in its own world: the task's [`Env`].
pub struct RapierEnv<M: Model> {
    batch: Batch<M>,
    reward: [f32; 1],
}

impl<M: Model> RapierEnv<M> {
    /// The task `model` in a fresh world (call [`Env::reset`] before stepping).
    pub fn new(model: M) -> Self {
        Self {
            batch: Batch::new(Arc::new(model)),
            reward: [0.0],
        }
    }

    /// The task's model.
    pub fn model(&self) -> &M {
        &self.batch.model
    }

    /// The physics world, for inspection or drawing.
    pub fn world(&self) -> &PhysicsWorld {
        &self.batch.world
    }

    /// Handles of the copy's bodies and joints (`None` before the first reset).
    pub fn copy(&self) -> Option<&M::Copy> {
        self.batch.copies.first()
    }
}

impl<M: Model> Env for RapierEnv<M> {
    fn spec(&self) -> &EnvSpec {
        self.batch.model.spec()
    }

    fn reset(&mut self, seed: u64, obs: &mut [f32]) {
        self.batch.reset(&[seed], obs);
    }

    fn step(&mut self, action: &[f32], obs: &mut [f32]) -> f32 {
        assert!(!self.batch.copies.is_empty(), "step called before reset");
        self.batch.step(action, obs, &mut self.reward);
        self.reward[0]
    }
}

/// Many copies of a Rapier task, [`COPIES_PER_WORLD`] per world, the worlds stepped in parallel.
pub struct RapierVecEnv<M: Model> {
    batches: Vec<Batch<M>>,
    num_envs: usize,
}

impl<M: Model> RapierVecEnv<M> {
    /// `n` copies of the task `model` (at least one; call [`VecEnv::reset`] before stepping).
    pub fn new(model: M, n: usize) -> Self {
        let n = n.max(1);
        let model = Arc::new(model);
        let batches = (0..n.div_ceil(COPIES_PER_WORLD))
            .map(|_| Batch::new(model.clone()))
            .collect();
        Self {
            batches,
            num_envs: n,
        }
    }
}

impl<M: Model> VecEnv for RapierVecEnv<M> {
    fn spec(&self) -> &EnvSpec {
        self.batches[0].model.spec()
    }

    fn num_envs(&self) -> usize {
        self.num_envs
    }

    fn reset(&mut self, seeds: &[u64], obs: &mut [f32]) {
        let od = self.spec().obs_dim();
        self.batches
            .par_iter_mut()
            .zip(seeds.par_chunks(COPIES_PER_WORLD))
            .zip(obs.par_chunks_mut(COPIES_PER_WORLD * od))
            .for_each(|((b, s), o)| b.reset(s, o));
    }

    fn step(&mut self, actions: &[f32], obs: &mut [f32], rewards: &mut [f32]) {
        let (od, ad) = (self.spec().obs_dim(), self.spec().act_dim());
        self.batches
            .par_iter_mut()
            .zip(actions.par_chunks(COPIES_PER_WORLD * ad))
            .zip(obs.par_chunks_mut(COPIES_PER_WORLD * od))
            .zip(rewards.par_chunks_mut(COPIES_PER_WORLD))
            .for_each(|(((b, a), o), r)| {
                assert!(!b.copies.is_empty(), "step called before reset");
                b.step(a, o, r)
            });
    }
}

/// Position and velocity of a one-degree-of-freedom multibody joint (angle for a revolute joint,
/// displacement for a prismatic one).
pub(crate) fn joint_state(world: &PhysicsWorld, joint: MultibodyJointHandle) -> (f32, f32) {
    let (mb, link_id) = world
        .multibody_joints
        .get(joint)
        .expect("joint belongs to this world");
    let link = mb.link(link_id).expect("link of its own joint");
    let coords = link.joint().coords();
    let free = coord_index(link.joint().data.locked_axes);
    (coords[free], mb.generalized_velocity()[link.assembly_id()])
}

/// Index into [`MultibodyJoint::coords`] of a one-dof joint's free coordinate.
fn coord_index(locked: JointAxesMask) -> usize {
    (0..3).find(|&i| locked.bits() & (1 << i) == 0).unwrap_or(2)
}

/// Sets position and velocity of one-dof multibody joints, then updates the bodies.
pub(crate) fn set_joint_states(
    world: &mut PhysicsWorld,
    states: &[(MultibodyJointHandle, f32, f32)],
) {
    for &(joint, q, qd) in states {
        let (mb, link_id) = world
            .multibody_joints
            .get_mut(joint)
            .expect("joint belongs to this world");
        let link = mb.link(link_id).expect("link of its own joint");
        let free = coord_index(link.joint().data.locked_axes);
        let (id, q0) = (link.assembly_id(), link.joint().coords()[free]);
        let mut disp = vec![0.0; mb.ndofs()];
        disp[id] = q - q0;
        mb.apply_displacements(&disp);
        mb.generalized_velocity_mut()[id] = qd;
    }
    if let Some(&(joint, _, _)) = states.first() {
        let (mb, _) = world
            .multibody_joints
            .get_mut(joint)
            .expect("joint belongs to this world");
        mb.forward_kinematics(&world.bodies, true);
        mb.update_rigid_bodies(&mut world.bodies, false);
    }
}

/// Contact groups that let copy `slot` of a world touch only itself.
pub(crate) fn copy_groups(slot: usize) -> InteractionGroups {
    let g = Group::from_bits_truncate(1 << (slot % 32));
    InteractionGroups::new(g, g, InteractionTestMode::And)
}
