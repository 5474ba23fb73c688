//! `navigation`: a point mass pushed around an obstacle to a goal.
//!
//! The 2D navigation task of Finn, Levine and Abbeel, "Guided Cost Learning" (ICML 2016, §6), where
//! a point mass must reach a goal while avoiding obstacles. The paper describes it only in prose;
//! this layout is ours. A disc of radius 0.05 m and mass 1 kg with linear damping 2 s⁻¹ (so a full
//! push gives about 1 m/s) moves in the plane without gravity. A fixed wall, the box
//! `[−0.15, 0.15] × [−0.4, 0.4]`, stands between the start and the goal; the disc collides with it.
//!
//! - **Observation** (6): position (2), velocity (2), goal (2).
//! - **Action** (2): force in `[−2, 2]²` N, clipped by the environment.
//! - **Reward**: `−‖p − goal‖ − 0.01 ‖u‖²` from the position before the step and the clipped force.
//! - **Horizon**: 100 steps of `dt = 0.05` s.
//! - **Reset**: start `(−0.8, U(−0.3, 0.3))`, goal `(0.8, U(−0.3, 0.3))`, at rest.
//!
//! **Returns** over 64 episodes (mean ± std; episode `i` reset and acted with `episode_rng(0, i)`,
//! measured by `envs/tests/control.rs`): expert [`expert`] −54.3 ± 6.3, uniform random −164.2 ± 13.7.
//! The test requires the expert's mean return to exceed random's by at least 50.
//!
//! `navigation-tall` ([`tall_entry`]) is the same task with a wall 0.4 m taller, the box
//! `[−0.15, 0.15] × [−0.6, 0.6]` ([`TALL_WALL`]): same spaces, reward, horizon and resets, so that a
//! cost learned on `navigation` can be re-optimised on it. The old wall lies inside the new one, so a
//! cost of the form "near the goal, off the wall" still holds, but every way round is longer: the
//! expert (the same controller for that wall) passes its corners 0.2 m further out. It returns
//! −67.5 ± 8.1, uniform random −164.2 ± 13.7 (64 episodes, seed 0, `demos/manifest.toml`); random
//! pushes do not take the mass near the wall's ends, so random's return is that of `navigation`.

use super::expert::GaussianExpert;
use super::rapier::{copy_groups, Model, RapierEnv, RapierVecEnv};
use crate::registry::EnvEntry;
use crate::seeding::Rng;
use crate::space::Space;
use crate::spec::EnvSpec;
use rand::Rng as _;
use rapier2d::prelude::*;

/// Half extents of the wall, centred at the origin.
pub const WALL: [f32; 2] = [0.15, 0.4];
/// Half extents of the wall of `navigation-tall`, centred at the origin.
pub const TALL_WALL: [f32; 2] = [0.15, 0.6];
/// Radius of the point mass.
pub const RADIUS: f32 = 0.05;
/// Largest force on each axis.
pub const MAX_FORCE: f32 = 2.0;
/// Linear damping of the point mass.
pub const DAMPING: f32 = 2.0;
/// Seconds per step.
pub const DT: f32 = 0.05;
/// Horizontal position of every start (`−GOAL_X`) and goal (`GOAL_X`).
pub const GOAL_X: f32 = 0.8;

/// The reward of a step from position `p` towards `goal` under the clipped force `u`:
/// `−‖p − goal‖ − 0.01 ‖u‖²`.
pub fn reward(p: [f32; 2], goal: [f32; 2], u: [f32; 2]) -> f32 {
    let dist = (p[0] - goal[0]).hypot(p[1] - goal[1]);
    -dist - 0.01 * (u[0] * u[0] + u[1] * u[1])
}

/// The navigation task (see the module documentation); [`Navigation::wall`] changes the wall for a
/// variant of the task.
#[derive(Clone, Debug)]
pub struct Navigation {
    spec: EnvSpec,
    wall: [f32; 2],
}

impl Default for Navigation {
    fn default() -> Self {
        Self {
            spec: EnvSpec {
                name: "navigation".into(),
                observation_space: Space::unbounded(6),
                action_space: Space::uniform_box(2, -MAX_FORCE, MAX_FORCE),
                horizon: 100,
                dt: DT,
            },
            wall: WALL,
        }
    }
}

impl Navigation {
    /// The task under another registered name.
    pub fn named(mut self, name: &str) -> Self {
        self.spec.name = name.to_string();
        self
    }

    /// A wall of half extents `half` (default [`WALL`]), still centred at the origin; starts and
    /// goals are unchanged.
    pub fn wall(mut self, half: [f32; 2]) -> Self {
        self.wall = half;
        self
    }

    /// The expert of this task: [`controller`] for its wall plus `N(0, 0.2²)` noise on each force
    /// component.
    pub fn expert(&self) -> GaussianExpert {
        let wall = self.wall;
        GaussianExpert::new(move |obs, u| controller(wall, obs, u), vec![EXPERT_STD; 2])
    }

    /// A registry entry for this task, with its expert. Its copies run one world each
    /// ([`ParallelEnvs`](crate::ParallelEnvs); see [`make_vec`]).
    pub fn entry(self, summary: &str) -> EnvEntry {
        let (one, expert) = (self.clone(), self.expert());
        EnvEntry::new(self.spec.name.clone(), summary, move || {
            Box::new(RapierEnv::new(one.clone()))
        })
        .with_expert(move || Box::new(expert.clone()))
    }
}

/// One point mass in a world, with its goal.
pub struct NavigationCopy {
    body: RigidBodyHandle,
    goal: [f32; 2],
}

impl Model for Navigation {
    type Copy = NavigationCopy;

    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn gravity(&self) -> Vector {
        Vector::ZERO
    }

    fn integration_parameters(&self) -> IntegrationParameters {
        IntegrationParameters {
            num_solver_iterations: 2,
            ..Default::default()
        }
    }

    fn add_copy(&self, world: &mut PhysicsWorld, slot: usize, rng: &mut Rng) -> NavigationCopy {
        let start = Vector::new(-GOAL_X, rng.gen_range(-0.3f32..0.3));
        let goal = [GOAL_X, rng.gen_range(-0.3f32..0.3)];
        let groups = copy_groups(slot);
        world.insert(
            RigidBodyBuilder::fixed(),
            ColliderBuilder::cuboid(self.wall[0], self.wall[1])
                .collision_groups(groups)
                .friction(0.0),
        );
        let (body, _) = world.insert(
            RigidBodyBuilder::dynamic()
                .translation(start)
                .linear_damping(DAMPING)
                .lock_rotations()
                .can_sleep(false),
            ColliderBuilder::ball(RADIUS)
                .collision_groups(groups)
                .friction(0.0)
                .restitution(0.0)
                .mass(1.0),
        );
        NavigationCopy { body, goal }
    }

    fn apply(&self, world: &mut PhysicsWorld, copy: &mut NavigationCopy, action: &[f32]) -> f32 {
        let u = [
            action[0].clamp(-MAX_FORCE, MAX_FORCE),
            action[1].clamp(-MAX_FORCE, MAX_FORCE),
        ];
        let body = &mut world.bodies[copy.body];
        let p = body.translation();
        body.reset_forces(true);
        body.add_force(Vector::new(u[0], u[1]), true);
        reward([p.x, p.y], copy.goal, u)
    }

    fn finish(&self, world: &mut PhysicsWorld, copy: &mut NavigationCopy, obs: &mut [f32]) -> f32 {
        self.observe(world, copy, obs);
        0.0
    }

    fn observe(&self, world: &PhysicsWorld, copy: &NavigationCopy, obs: &mut [f32]) {
        let body = &world.bodies[copy.body];
        let (p, v) = (body.translation(), body.linvel());
        obs.copy_from_slice(&[p.x, p.y, v.x, v.y, copy.goal[0], copy.goal[1]]);
    }
}

/// A point mass in its own world.
pub fn make() -> RapierEnv<Navigation> {
    RapierEnv::new(Navigation::default())
}

/// `n` point masses, several per world, stepped across the rayon pool.
///
/// Each copy's result does not depend on the number of threads, but where copies in one world touch
/// something in the same step their contacts are solved together, which can change the last bits of
/// a copy's result compared with running it alone; so the registry builds this task's copies one
/// world each ([`ParallelEnvs`](crate::ParallelEnvs)).
pub fn make_vec(n: usize) -> RapierVecEnv<Navigation> {
    RapierVecEnv::new(Navigation::default(), n)
}

/// Whether the straight segment from `a` to `b` keeps the disc clear of the wall of half extents
/// `wall` (with 0.07 m spare).
fn clear(wall: [f32; 2], a: [f32; 2], b: [f32; 2]) -> bool {
    let margin = RADIUS + 0.07;
    (0..=20).all(|k| {
        let t = k as f32 / 20.0;
        let (x, y) = (a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1]));
        x.abs() > wall[0] + margin || y.abs() > wall[1] + margin
    })
}

/// Noiseless expert force around the wall of half extents `wall`: PD towards a waypoint
/// (`u = 2 v* + 3 (v* − v)` with the desired velocity `v*` of 1 m/s towards it, slowing within
/// 0.3 m). The waypoint is the goal when the way is clear, otherwise the far then the near corner of
/// the wall on the side the mass is on.
pub fn controller(wall: [f32; 2], obs: &[f32], u: &mut [f32]) {
    let (p, v, goal) = ([obs[0], obs[1]], [obs[2], obs[3]], [obs[4], obs[5]]);
    let side = if p[1] >= 0.0 { 1.0 } else { -1.0 };
    let corner_y = side * (wall[1] + RADIUS + 0.12);
    let far = [wall[0] + RADIUS + 0.1, corner_y];
    let near = [-(wall[0] + RADIUS + 0.1), corner_y];
    let target = if clear(wall, p, goal) {
        goal
    } else if clear(wall, p, far) {
        far
    } else {
        near
    };
    let (dx, dy) = (target[0] - p[0], target[1] - p[1]);
    let d = dx.hypot(dy).max(1e-6);
    let speed = (d / 0.3).min(1.0);
    for i in 0..2 {
        let desired = speed * [dx, dy][i] / d;
        u[i] = (DAMPING * desired + 3.0 * (desired - v[i])).clamp(-MAX_FORCE, MAX_FORCE);
    }
}

/// Noise of the expert's force.
pub const EXPERT_STD: f32 = 0.2;

/// The expert: [`controller`] for [`WALL`] plus `N(0, 0.2²)` noise on each force component.
pub fn expert() -> GaussianExpert {
    Navigation::default().expert()
}

/// Registry entry.
pub fn entry() -> EnvEntry {
    Navigation::default()
        .entry("Point mass around a wall to a goal (GCL's 2D navigation) in Rapier")
}

/// Registry entry of `navigation-tall`, the same task with the wall [`TALL_WALL`]: a changed task
/// on which a cost learned on `navigation` is re-optimised.
pub fn tall_entry() -> EnvEntry {
    Navigation::default()
        .named("navigation-tall")
        .wall(TALL_WALL)
        .entry(
            "navigation with a wall 0.4 m taller (same spaces): a changed task for a learned cost",
        )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{episode_rng, Env};
    use ndarray::ArrayView2;
    use rand::RngCore;

    /// Pushed straight at the wall, the point mass stops at it instead of passing through.
    #[test]
    fn the_wall_blocks_the_point_mass() {
        let mut env = make();
        let mut obs = [0.0; 6];
        env.reset(2, &mut obs);
        assert!(obs[1].abs() < WALL[1], "the start faces the wall");
        let mut furthest = f32::NEG_INFINITY;
        for _ in 0..100 {
            env.step(&[MAX_FORCE, 0.0], &mut obs);
            furthest = furthest.max(obs[0]);
        }
        assert!(
            furthest > -WALL[0] - RADIUS - 0.02,
            "it reaches the wall: {furthest}"
        );
        assert!(
            furthest < -WALL[0] - RADIUS + 0.01,
            "it passes into the wall: {furthest}"
        );
    }

    /// Final distance to the goal of one noiseless episode from reset `seed`, steered by
    /// [`controller`] for the wall `steer_by` on the task with the wall `wall`.
    fn final_distance(wall: [f32; 2], steer_by: [f32; 2], seed: u64) -> f32 {
        let mut env = RapierEnv::new(Navigation::default().wall(wall));
        let (mut obs, mut u) = ([0.0; 6], [0.0; 2]);
        env.reset(seed, &mut obs);
        assert!(obs[1].abs() < wall[1], "the start faces the wall");
        for _ in 0..env.spec().horizon {
            controller(steer_by, &obs, &mut u);
            env.step(&u, &mut obs);
        }
        (obs[0] - obs[4]).hypot(obs[1] - obs[5])
    }

    /// On `navigation-tall` the controller for the tall wall reaches the goal from every start, while
    /// the base task's way round (corners 0.2 m lower) runs into the taller wall.
    #[test]
    fn the_tall_wall_needs_its_own_way_round() {
        for seed in 0..16 {
            let base = final_distance(WALL, WALL, seed);
            let tall = final_distance(TALL_WALL, TALL_WALL, seed);
            let stuck = final_distance(TALL_WALL, WALL, seed);
            assert!(
                base < 0.05,
                "seed {seed}: navigation expert ends {base} m off"
            );
            assert!(
                tall < 0.05,
                "seed {seed}: navigation-tall expert ends {tall} m off"
            );
            assert!(
                stuck > 0.5,
                "seed {seed}: the base way round passes the tall wall"
            );
        }
    }

    /// The noisy expert of `navigation-tall`, as registered, ends every episode near the goal.
    #[test]
    fn the_tall_expert_reaches_the_goal() {
        let entry = tall_entry();
        let (mut env, expert) = (entry.make(), entry.expert().unwrap());
        assert_eq!(env.spec().name, "navigation-tall");
        let mut obs = vec![0.0; 6];
        for i in 0..64 {
            let mut rngs = [episode_rng(0, i)];
            env.reset(rngs[0].next_u64(), &mut obs);
            for _ in 0..env.spec().horizon {
                let x = ArrayView2::from_shape((1, 6), &obs).unwrap();
                let a = expert.act(x, &mut rngs);
                env.step(a.as_slice().unwrap(), &mut obs);
            }
            let d = (obs[0] - obs[4]).hypot(obs[1] - obs[5]);
            assert!(d < 0.1, "episode {i} ends {d} m from the goal");
        }
    }
}
