//! Poses of the articulated control tasks, computed from one observation: the rods, discs and blocks
//! to draw, in the task's own world coordinates (metres, `y` up).
//!
//! Each function reads only the observation layout documented in the task's module, and the geometry
//! that module publishes (link lengths, pole length, hopper segments).

use costlearn_envs::control::{cartpole, hopper, pendulum, reacher};

/// A point in world coordinates.
pub type Point = (f64, f64);

/// One drawable part of a pose.
#[derive(Clone, Debug, PartialEq)]
pub enum Part {
    /// A rod (link, pole, limb) from one point to another, `width` pixels wide.
    Rod {
        /// Where it starts (the joint nearer the base).
        from: Point,
        /// Where it ends.
        to: Point,
        /// Stroke width in pixels.
        width: f64,
    },
    /// A joint or tip, drawn as a dot of `radius` pixels.
    Joint {
        /// Its centre.
        at: Point,
        /// Radius in pixels.
        radius: f64,
    },
    /// A rectangle (the cart) centred at `at` with half extents `half` in metres.
    Block {
        /// Its centre.
        at: Point,
        /// Half width and half height.
        half: (f64, f64),
    },
}

/// The parts of one pose, drawn in order.
pub type Pose = Vec<Part>;

/// The rotation of `v` by `angle` radians, counter-clockwise.
fn rotate(angle: f64, v: Point) -> Point {
    let (s, c) = angle.sin_cos();
    (c * v.0 - s * v.1, s * v.0 + c * v.1)
}

fn add(a: Point, b: Point) -> Point {
    (a.0 + b.0, a.1 + b.1)
}

/// The angle whose cosine and sine the observation holds.
fn angle(cos: f32, sin: f32) -> f64 {
    (sin as f64).atan2(cos as f64)
}

/// Pendulum (`cos θ, sin θ, θ̇`; `θ = 0` upright): the rod from the pivot at the origin.
pub fn pendulum(obs: &[f32]) -> Pose {
    let theta = angle(obs[0], obs[1]);
    let tip = rotate(theta, (0.0, pendulum::LENGTH as f64));
    vec![
        Part::Rod {
            from: (0.0, 0.0),
            to: tip,
            width: 4.0,
        },
        Part::Joint {
            at: tip,
            radius: 4.0,
        },
    ]
}

/// Half width and half height of the drawn cart, in metres.
pub const CART_HALF: (f64, f64) = (0.2, 0.1);

/// Cart-pole (`x, ẋ, cos θ, sin θ, θ̇`; `θ = 0` upright): the cart on the track at height 0 and the
/// pole hinged at its centre.
pub fn cartpole(obs: &[f32]) -> Pose {
    let x = obs[0] as f64;
    let theta = angle(obs[2], obs[3]);
    let hinge = (x, 0.0);
    let tip = add(hinge, rotate(theta, (0.0, cartpole::POLE_LENGTH as f64)));
    vec![
        Part::Block {
            at: hinge,
            half: CART_HALF,
        },
        Part::Rod {
            from: hinge,
            to: tip,
            width: 3.0,
        },
        Part::Joint {
            at: tip,
            radius: 3.0,
        },
    ]
}

/// The lengths of a two-link arm: the first link, and the fingertip's distance from the second joint.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Arm {
    /// Length of the first link.
    pub link: f64,
    /// Distance of the fingertip from the second joint.
    pub fingertip: f64,
}

impl Arm {
    /// The arm of `reacher` (`long = false`) or of `reacher-long`.
    pub fn of_reacher(long: bool) -> Self {
        let link = if long {
            reacher::LONG_LINK
        } else {
            reacher::LINK
        };
        Self {
            link: link as f64,
            fingertip: (link + (reacher::FINGERTIP - reacher::LINK)) as f64,
        }
    }

    /// The farthest the fingertip reaches from the base.
    pub fn reach(&self) -> f64 {
        self.link + self.fingertip
    }
}

/// Reacher (`cos q, sin q, target, q̇, fingertip − target`): both links of `arm` from the base at
/// the origin, ending at the fingertip.
pub fn reacher(arm: Arm, obs: &[f32]) -> Pose {
    let q0 = angle(obs[0], obs[2]);
    let q1 = angle(obs[1], obs[3]);
    let elbow = rotate(q0, (arm.link, 0.0));
    let tip = add(elbow, rotate(q0 + q1, (arm.fingertip, 0.0)));
    vec![
        Part::Rod {
            from: (0.0, 0.0),
            to: elbow,
            width: 5.0,
        },
        Part::Rod {
            from: elbow,
            to: tip,
            width: 5.0,
        },
        Part::Joint {
            at: elbow,
            radius: 3.5,
        },
        Part::Joint {
            at: tip,
            radius: 4.0,
        },
    ]
}

/// The target of a reacher observation.
pub fn reacher_target(obs: &[f32]) -> Point {
    (obs[4] as f64, obs[5] as f64)
}

/// Hopper (`height, torso angle, hip, knee, ankle, …`): torso, thigh, leg and foot, with the torso's
/// centre at `(x, height)`. The task does not observe `x`, so the caller chooses it.
pub fn hopper(obs: &[f32], x: f64) -> Pose {
    let centre = (x, obs[0] as f64);
    let torso_angle = obs[1] as f64;
    let half_torso = hopper::TORSO_LENGTH as f64 / 2.0;
    let top = add(centre, rotate(torso_angle, (0.0, half_torso)));
    let hip = add(centre, rotate(torso_angle, (0.0, -half_torso)));
    let thigh_angle = torso_angle + obs[2] as f64;
    let knee = add(
        hip,
        rotate(thigh_angle, (0.0, -hopper::THIGH_LENGTH as f64)),
    );
    let leg_angle = thigh_angle + obs[3] as f64;
    let ankle = add(knee, rotate(leg_angle, (0.0, -hopper::LEG_LENGTH as f64)));
    let foot_angle = leg_angle + obs[4] as f64;
    let [heel, toe] = hopper::FOOT_SPAN.map(|d| add(ankle, rotate(foot_angle, (d as f64, 0.0))));
    let rod = |from, to, width| Part::Rod { from, to, width };
    let joint = |at| Part::Joint { at, radius: 3.0 };
    vec![
        rod(top, hip, 7.0),
        Part::Joint {
            at: top,
            radius: 5.0,
        },
        rod(hip, knee, 6.0),
        rod(knee, ankle, 5.0),
        rod(heel, toe, 5.0),
        joint(hip),
        joint(knee),
        joint(ankle),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: Point, b: Point) -> bool {
        (a.0 - b.0).abs() < 1e-5 && (a.1 - b.1).abs() < 1e-5
    }

    fn rod_ends(pose: &Pose) -> Vec<(Point, Point)> {
        pose.iter()
            .filter_map(|p| match p {
                Part::Rod { from, to, .. } => Some((*from, *to)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn pendulum_points_up_at_zero_and_left_at_a_quarter_turn() {
        assert!(close(
            rod_ends(&pendulum(&[1.0, 0.0, 0.0]))[0].1,
            (0.0, 1.0)
        ));
        // θ = π/2, counter-clockwise from upright: the tip is to the left.
        assert!(close(
            rod_ends(&pendulum(&[0.0, 1.0, 0.0]))[0].1,
            (-1.0, 0.0)
        ));
    }

    #[test]
    fn cartpole_pole_hangs_below_the_cart_at_pi() {
        let pose = cartpole(&[0.5, 0.0, -1.0, 0.0, 0.0]);
        let (hinge, tip) = rod_ends(&pose)[0];
        assert!(close(hinge, (0.5, 0.0)) && close(tip, (0.5, -1.0)));
    }

    #[test]
    fn reacher_fingertip_agrees_with_the_task() {
        let q = [0.7f32, -1.2];
        let obs = [
            q[0].cos(),
            q[1].cos(),
            q[0].sin(),
            q[1].sin(),
            0.1,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ];
        let tip = rod_ends(&reacher(Arm::of_reacher(false), &obs))[1].1;
        let want = reacher::fingertip(q);
        assert!(
            close(tip, (want[0] as f64, want[1] as f64)),
            "{tip:?} vs {want:?}"
        );
        assert_eq!(reacher_target(&obs), (0.1f32 as f64, 0.0));
    }

    #[test]
    fn hopper_standing_pose_reaches_the_ground() {
        // The standing pose: torso centre at 1.25 m, all joints straight.
        let mut obs = [0.0f32; 11];
        obs[0] = 1.25;
        let pose = hopper(&obs, 2.0);
        let rods = rod_ends(&pose);
        assert!(close(rods[0].0, (2.0, 1.45)) && close(rods[0].1, (2.0, 1.05)));
        assert!(close(rods[2].1, (2.0, 0.1)), "ankle {:?}", rods[2].1);
        assert!(close(rods[3].0, (1.87, 0.1)) && close(rods[3].1, (2.26, 0.1)));
        assert_eq!(rods.len(), 4);
        let head = pose.iter().find_map(|p| match p {
            Part::Joint { at, radius } if *radius == 5.0 => Some(*at),
            _ => None,
        });
        assert!(close(head.unwrap(), (2.0, 1.45)));
    }
}
