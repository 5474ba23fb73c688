//! Strobe pictures of the articulated tasks: one panel per episode, every k-th step's pose drawn on
//! top of the earlier ones, coloured along time from dark purple (start) to yellow (end) and more
//! opaque as time goes on.
//!
//! The pendulum and the reacher are drawn about their fixed base; the cart-pole along its track; the
//! hopper, whose forward position the task does not observe, with its poses laid out left to right
//! along the time axis (the caption says so).

use super::palette::viridis;
use super::pose::{self, Part, Point};
use super::svg::{element, num, points, Document, Viewport};
use super::{expect_obs_dim, page, PAGE_WIDTH};
use anyhow::Result;
use costlearn_envs::control::cartpole;
use costlearn_envs::Trajectories;
use ndarray::{ArrayView2, Axis};

/// Which articulated task a strobe draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Body {
    /// `pendulum`: the rod about its pivot.
    Pendulum,
    /// `cartpole`: the cart on its track and the pole.
    CartPole,
    /// `reacher` (and `reacher-long`): both links, the fingertip and the target.
    Reacher(pose::Arm),
    /// `hopper`: torso, thigh, leg and foot, laid out along time.
    Hopper,
}

/// Margin around the panels, in pixels.
const MARGIN: f64 = 20.0;
/// Height of the time colour bar below the panels.
const LEGEND_HEIGHT: f64 = 56.0;
/// Horizontal distance between successive hopper poses, in metres.
const HOPPER_SPACING: f64 = 0.75;

impl Body {
    /// Values per observation of the task.
    fn obs_dim(self) -> usize {
        match self {
            Body::Pendulum => 3,
            Body::CartPole => 5,
            Body::Reacher(_) => 10,
            Body::Hopper => 11,
        }
    }

    /// How many poses an episode is thinned to (at most).
    fn poses_per_episode(self) -> usize {
        match self {
            Body::Hopper => 16,
            _ => 26,
        }
    }

    /// Panels per row: the bodies with a fixed base sit side by side, the others get a full row.
    fn columns(self, episodes: usize) -> usize {
        match self {
            Body::Pendulum | Body::Reacher(_) => episodes.clamp(1, 3),
            Body::CartPole | Body::Hopper => 1,
        }
    }

    /// The world rectangle `(x0, y0, x1, y1)` one panel shows, for `poses` poses.
    fn world(self, poses: usize) -> (f64, f64, f64, f64) {
        match self {
            Body::Pendulum => (-1.15, -1.15, 1.15, 1.15),
            Body::Reacher(arm) => {
                let r = arm.reach().max(0.2) + 0.03;
                (-r, -r, r, r)
            }
            Body::CartPole => {
                let reach = cartpole::TRACK as f64 + cartpole::POLE_LENGTH as f64 + 0.1;
                (-reach, -1.15, reach, 1.15)
            }
            Body::Hopper => {
                let last = poses.saturating_sub(1) as f64 * HOPPER_SPACING;
                (-0.8, -0.3, last + 0.8, 1.7)
            }
        }
    }

    /// The pose at observation `obs`, the `index`-th drawn of its episode.
    fn pose(self, obs: &[f32], index: usize) -> Vec<Part> {
        match self {
            Body::Pendulum => pose::pendulum(obs),
            Body::CartPole => pose::cartpole(obs),
            Body::Reacher(arm) => pose::reacher(arm, obs),
            Body::Hopper => pose::hopper(obs, index as f64 * HOPPER_SPACING),
        }
    }
}

/// The steps drawn from an episode of `horizon` steps (observations `0..=horizon`): every `stride`-th,
/// at most `max_poses` of them, always starting at 0.
pub fn drawn_steps(horizon: usize, max_poses: usize) -> (usize, Vec<usize>) {
    let stride = horizon.div_ceil(max_poses.saturating_sub(1).max(1)).max(1);
    (stride, (0..=horizon).step_by(stride).collect())
}

/// Draws the strobe of every episode in `trajs`.
pub fn draw(body: Body, trajs: &Trajectories, title: &str) -> Result<String> {
    expect_obs_dim(trajs, body.obs_dim())?;
    // The last observation index, `T` for well-formed trajectories.
    let horizon = trajs.obs.shape()[1].saturating_sub(1);
    let (n, dt) = (trajs.len(), trajs.spec.dt as f64);
    let (stride, steps) = drawn_steps(horizon, body.poses_per_episode());
    let world = body.world(steps.len());

    let cols = body.columns(n);
    let rows = n.div_ceil(cols);
    let panel_w = (PAGE_WIDTH - 2.0 * MARGIN) / cols as f64;
    let aspect = (world.3 - world.1) / (world.2 - world.0);
    let panel_h = panel_w * aspect + 22.0;
    let mut doc = page(
        rows as f64 * panel_h + LEGEND_HEIGHT,
        title,
        &[&caption(body, stride, dt), TIME_NOTE],
    );

    let returns = trajs.returns();
    for (e, obs) in trajs.obs.axis_iter(Axis(0)).enumerate() {
        let (col, row) = (e % cols, e / cols);
        let left = MARGIN + col as f64 * panel_w;
        let top = super::HEADER_HEIGHT + row as f64 * panel_h;
        doc.open_group(&[("class", "episode".into()), ("data-episode", e.to_string())]);
        doc.text(
            left + 6.0,
            top + 14.0,
            12.0,
            "start",
            &format!("episode {} · return {:.1}", e + 1, returns[e]),
        );
        let view = Viewport::fit(world, (left, top + 20.0, panel_w, panel_h - 22.0));
        draw_scene(&mut doc, body, &view, &steps, dt);
        if body != Body::Hopper {
            tip_trace(&mut doc, body, &view, obs);
        }
        for (i, &t) in steps.iter().enumerate() {
            let u = if horizon == 0 {
                1.0
            } else {
                t as f64 / horizon as f64
            };
            let parts = body.pose(&obs.row(t).to_vec(), i);
            draw_pose(&mut doc, &view, &parts, t, u);
        }
        if matches!(body, Body::Reacher(_)) && obs.nrows() > 0 {
            cross(
                &mut doc,
                &view,
                pose::reacher_target(&obs.row(0).to_vec()),
                0.012,
            );
        }
        doc.close_group();
    }
    let legend_top = super::HEADER_HEIGHT + rows as f64 * panel_h + 8.0;
    time_bar(&mut doc, legend_top, horizon as f64 * dt);
    Ok(doc.finish())
}

/// The second caption line of every strobe.
const TIME_NOTE: &str =
    "Colour shows time, from dark purple (start) to yellow (end); later poses are more opaque.";

fn caption(body: Body, stride: usize, dt: f64) -> String {
    let every = match stride {
        1 => format!("every step ({} s)", num(dt)),
        k => format!("every {} step ({} s apart)", ordinal(k), num(k as f64 * dt)),
    };
    match body {
        Body::Pendulum => {
            format!("Rod about its pivot, {every}; grey: path of the tip at every step.")
        }
        Body::CartPole => format!(
            "Cart on its track (with end stops) and pole, {every}; grey: path of the pole's tip."
        ),
        Body::Reacher(_) => format!(
            "Both links from the base, {every}; grey: fingertip path; red ×: target; dashed: target region."
        ),
        Body::Hopper => format!(
            "Forward position is not observed: poses are laid out left to right along the time axis, {every}."
        ),
    }
}

/// `2nd`, `3rd`, `8th`, `11th`, `21st`, …
fn ordinal(k: usize) -> String {
    let suffix = match (k % 10, k % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{k}{suffix}")
}

/// The fixed parts of a panel, drawn under the poses.
fn draw_scene(doc: &mut Document, body: Body, view: &Viewport, steps: &[usize], dt: f64) {
    let grey = |w: f64| {
        vec![
            ("stroke", "#9a9a9a".to_string()),
            ("stroke-width", num(w)),
            ("fill", "none".to_string()),
        ]
    };
    match body {
        Body::Pendulum => {
            let (cx, cy) = view.map(0.0, 0.0);
            let mut attrs = grey(1.0);
            attrs.extend([
                ("cx", num(cx)),
                ("cy", num(cy)),
                ("r", num(view.scale())),
                ("stroke-dasharray", "4 4".to_string()),
            ]);
            doc.raw(&element("circle", &attrs));
            doc.raw(&dot(view.map(0.0, 0.0), 4.0, "#444"));
        }
        Body::CartPole => {
            let track = cartpole::TRACK as f64 + pose::CART_HALF.0;
            doc.raw(&line(view, (-track, 0.0), (track, 0.0), &grey(2.0)));
            for x in [-track, track] {
                doc.raw(&line(view, (x, -0.15), (x, 0.15), &grey(3.0)));
            }
        }
        Body::Reacher(arm) => {
            let (cx, cy) = view.map(0.0, 0.0);
            let mut attrs = grey(1.0);
            attrs.extend([
                ("cx", num(cx)),
                ("cy", num(cy)),
                ("r", num(0.2 * view.scale())),
                ("stroke-dasharray", "4 4".to_string()),
            ]);
            doc.raw(&element("circle", &attrs));
            doc.raw(&dot(view.map(0.0, 0.0), 4.0, "#444"));
            let reach = arm.reach();
            let mut attrs = grey(0.5);
            attrs.extend([
                ("cx", num(cx)),
                ("cy", num(cy)),
                ("r", num(reach * view.scale())),
            ]);
            doc.raw(&element("circle", &attrs));
        }
        Body::Hopper => {
            let (x0, x1) = (-0.8, (steps.len().max(1) - 1) as f64 * HOPPER_SPACING + 0.8);
            doc.raw(&line(view, (x0, 0.0), (x1, 0.0), &grey(2.0)));
            for (i, &t) in steps.iter().enumerate() {
                let (x, y) = view.map(i as f64 * HOPPER_SPACING, -0.2);
                doc.text(x, y, 10.0, "middle", &format!("{} s", num(t as f64 * dt)));
            }
        }
    }
}

/// The path of the last joint of the pose (the tip) through every step of the episode, thin and grey.
fn tip_trace(doc: &mut Document, body: Body, view: &Viewport, obs: ArrayView2<'_, f32>) {
    let path: Vec<(f64, f64)> = obs
        .rows()
        .into_iter()
        .filter_map(|o| {
            body.pose(&o.to_vec(), 0)
                .iter()
                .rev()
                .find_map(|p| match p {
                    Part::Joint { at, .. } => Some(view.map(at.0, at.1)),
                    _ => None,
                })
        })
        .collect();
    doc.raw(&element(
        "polyline",
        &[
            ("class", "trace".into()),
            ("points", points(&path)),
            ("fill", "none".into()),
            ("stroke", "#b0b0b0".into()),
            ("stroke-width", "1".into()),
        ],
    ));
}

/// One pose as a group of class `pose`.
fn draw_pose(doc: &mut Document, view: &Viewport, parts: &[Part], step: usize, u: f64) {
    let colour = viridis(u);
    doc.open_group(&[
        ("class", "pose".into()),
        ("data-step", step.to_string()),
        ("opacity", num(0.3 + 0.7 * u)),
    ]);
    for part in parts {
        let markup = match part {
            Part::Rod { from, to, width } => line(
                view,
                *from,
                *to,
                &[
                    ("stroke", colour.clone()),
                    ("stroke-width", num(*width)),
                    ("stroke-linecap", "round".into()),
                ],
            ),
            Part::Joint { at, radius } => dot(view.map(at.0, at.1), *radius, &colour),
            Part::Block { at, half } => {
                let (x, y) = view.map(at.0 - half.0, at.1 + half.1);
                element(
                    "rect",
                    &[
                        ("x", num(x)),
                        ("y", num(y)),
                        ("width", num(2.0 * half.0 * view.scale())),
                        ("height", num(2.0 * half.1 * view.scale())),
                        ("fill", colour.clone()),
                        ("fill-opacity", "0.25".into()),
                        ("stroke", colour.clone()),
                        ("stroke-width", "1.5".into()),
                    ],
                )
            }
        };
        doc.raw(&markup);
    }
    doc.close_group();
}

fn line(view: &Viewport, a: Point, b: Point, style: &[(&str, String)]) -> String {
    let ((x1, y1), (x2, y2)) = (view.map(a.0, a.1), view.map(b.0, b.1));
    let mut attrs = vec![
        ("x1", num(x1)),
        ("y1", num(y1)),
        ("x2", num(x2)),
        ("y2", num(y2)),
    ];
    attrs.extend(style.iter().cloned());
    element("line", &attrs)
}

fn dot(at: (f64, f64), radius: f64, colour: &str) -> String {
    element(
        "circle",
        &[
            ("cx", num(at.0)),
            ("cy", num(at.1)),
            ("r", num(radius)),
            ("fill", colour.into()),
        ],
    )
}

/// A red × of half size `half` metres at `at`, marking a target.
fn cross(doc: &mut Document, view: &Viewport, at: Point, half: f64) {
    let style = [
        ("stroke", "#d62728".to_string()),
        ("stroke-width", "3".to_string()),
        ("stroke-linecap", "round".to_string()),
        ("class", "target".to_string()),
    ];
    doc.raw(&line(
        view,
        (at.0 - half, at.1 - half),
        (at.0 + half, at.1 + half),
        &style,
    ));
    doc.raw(&line(
        view,
        (at.0 - half, at.1 + half),
        (at.0 + half, at.1 - half),
        &style,
    ));
}

/// A horizontal colour bar explaining the colours: time from 0 to `end` seconds.
fn time_bar(doc: &mut Document, top: f64, end: f64) {
    let (width, height) = (360.0, 12.0);
    let left = (doc.width() - width) / 2.0;
    let stops: String = (0..=8)
        .map(|i| {
            let u = i as f64 / 8.0;
            format!(r#"<stop offset="{}" stop-color="{}"/>"#, num(u), viridis(u))
        })
        .collect();
    doc.raw(&format!(
        r#"<defs><linearGradient id="time">{stops}</linearGradient></defs>"#
    ));
    doc.raw(&element(
        "rect",
        &[
            ("x", num(left)),
            ("y", num(top)),
            ("width", num(width)),
            ("height", num(height)),
            ("fill", "url(#time)".into()),
        ],
    ));
    let label_y = top + height + 14.0;
    doc.text(left, label_y, 11.0, "start", "0 s");
    doc.text(
        left + width,
        label_y,
        11.0,
        "end",
        &format!("{} s", num(end)),
    );
    doc.text(left + width / 2.0, label_y, 11.0, "middle", "time");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_are_thinned_evenly_from_zero() {
        let (stride, steps) = drawn_steps(200, 26);
        assert_eq!(stride, 8);
        assert_eq!(steps.len(), 26);
        assert_eq!((steps[0], steps[25]), (0, 200));
        let (stride, steps) = drawn_steps(3, 26);
        assert_eq!((stride, steps), (1, vec![0, 1, 2, 3]));
    }

    #[test]
    fn ordinals() {
        let got: Vec<String> = [2, 3, 4, 8, 11, 12, 21, 22, 113].map(ordinal).into();
        assert_eq!(
            got,
            ["2nd", "3rd", "4th", "8th", "11th", "12th", "21st", "22nd", "113th"]
        );
    }
}
