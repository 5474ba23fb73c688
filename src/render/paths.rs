//! `navigation` (and `navigation-tall`) as paths: every episode's path of the point mass around the
//! wall, from its start (hollow circle) to its goal (star), with the final position as a disc of the
//! body's radius.

use super::palette::category;
use super::svg::{element, element_with_text, num, points, Document, Viewport};
use super::{expect_obs_dim, page, PAGE_WIDTH};
use anyhow::Result;
use costlearn_envs::control::navigation;
use costlearn_envs::Trajectories;
use ndarray::Axis;

/// The arena drawn at least: the starts at `x = −0.8`, the goals at `x = 0.8`, `|y| ≤ 0.4` and a margin.
const ARENA: (f64, f64, f64, f64) = (-1.0, -0.6, 1.0, 0.6);
/// Margin around the arena, in pixels.
const MARGIN: f64 = 24.0;
/// Height of the key below the arena.
const KEY_HEIGHT: f64 = 34.0;

/// Draws every episode's path around the wall of half extents `wall_half`.
pub fn draw(trajs: &Trajectories, wall_half: [f32; 2], title: &str) -> Result<String> {
    expect_obs_dim(trajs, 6)?;
    let world = bounds(trajs, wall_half);
    let width = PAGE_WIDTH - 2.0 * MARGIN;
    let height = width * (world.3 - world.1) / (world.2 - world.0);
    let mut doc = page(
        height + MARGIN + KEY_HEIGHT,
        title,
        &["Paths of the point mass around the wall (grey), one colour per episode."],
    );
    let view = Viewport::fit(world, (MARGIN, super::HEADER_HEIGHT, width, height));
    frame(&mut doc, &view, world);
    wall(&mut doc, &view, wall_half);

    let returns = trajs.returns();
    for (e, obs) in trajs.obs.axis_iter(Axis(0)).enumerate() {
        let colour = category(e);
        let path: Vec<(f64, f64)> = obs
            .rows()
            .into_iter()
            .map(|o| view.map(o[0] as f64, o[1] as f64))
            .collect();
        let (start, end) = (path[0], path[path.len() - 1]);
        let first = obs.row(0);
        let goal = view.map(first[4] as f64, first[5] as f64);
        doc.open_group(&[("class", "episode".into()), ("data-episode", e.to_string())]);
        doc.raw(&element_with_text(
            "title",
            &[],
            &format!("episode {} · return {:.1}", e + 1, returns[e]),
        ));
        doc.raw(&element(
            "polyline",
            &[
                ("class", "path".into()),
                ("points", points(&path)),
                ("fill", "none".into()),
                ("stroke", colour.into()),
                ("stroke-width", "2".into()),
                ("stroke-opacity", "0.85".into()),
                ("stroke-linejoin", "round".into()),
            ],
        ));
        doc.raw(&element(
            "circle",
            &[
                ("class", "start".into()),
                ("cx", num(start.0)),
                ("cy", num(start.1)),
                ("r", "6".into()),
                ("fill", "white".into()),
                ("stroke", colour.into()),
                ("stroke-width", "2".into()),
            ],
        ));
        doc.raw(&element(
            "circle",
            &[
                ("class", "end".into()),
                ("cx", num(end.0)),
                ("cy", num(end.1)),
                ("r", num(navigation::RADIUS as f64 * view.scale())),
                ("fill", colour.into()),
                ("fill-opacity", "0.35".into()),
                ("stroke", colour.into()),
            ],
        ));
        doc.raw(&star(goal, 9.0, colour, "goal"));
        doc.close_group();
    }
    key(&mut doc, super::HEADER_HEIGHT + height + 22.0);
    Ok(doc.finish())
}

/// The arena, grown to hold the wall and every observed position.
fn bounds(trajs: &Trajectories, wall_half: [f32; 2]) -> (f64, f64, f64, f64) {
    let (mut x0, mut y0, mut x1, mut y1) = ARENA;
    let [hx, hy] = wall_half.map(f64::from);
    x0 = x0.min(-hx - 0.1);
    x1 = x1.max(hx + 0.1);
    y0 = y0.min(-hy - 0.1);
    y1 = y1.max(hy + 0.1);
    for o in trajs.obs.lanes(Axis(2)) {
        for (x, y) in [(o[0], o[1]), (o[4], o[5])] {
            let (x, y) = (x as f64, y as f64);
            x0 = x0.min(x - 0.1);
            x1 = x1.max(x + 0.1);
            y0 = y0.min(y - 0.1);
            y1 = y1.max(y + 0.1);
        }
    }
    (x0, y0, x1, y1)
}

fn frame(doc: &mut Document, view: &Viewport, world: (f64, f64, f64, f64)) {
    let (x, y) = view.map(world.0, world.3);
    doc.raw(&element(
        "rect",
        &[
            ("x", num(x)),
            ("y", num(y)),
            ("width", num((world.2 - world.0) * view.scale())),
            ("height", num((world.3 - world.1) * view.scale())),
            ("fill", "#fafafa".into()),
            ("stroke", "#ccc".into()),
        ],
    ));
}

fn wall(doc: &mut Document, view: &Viewport, half: [f32; 2]) {
    let [hx, hy] = half.map(f64::from);
    let (x, y) = view.map(-hx, hy);
    doc.raw(&element(
        "rect",
        &[
            ("class", "obstacle".into()),
            ("x", num(x)),
            ("y", num(y)),
            ("width", num(2.0 * hx * view.scale())),
            ("height", num(2.0 * hy * view.scale())),
            ("fill", "#8c8c8c".into()),
        ],
    ));
}

/// A five-pointed star of outer radius `r` pixels centred at `at`, of the given class.
fn star(at: (f64, f64), r: f64, colour: &str, class: &str) -> String {
    let corners: Vec<(f64, f64)> = (0..10)
        .map(|i| {
            let radius = if i % 2 == 0 { r } else { r * 0.45 };
            let a = std::f64::consts::PI * (i as f64 / 5.0 - 0.5);
            (at.0 + radius * a.cos(), at.1 + radius * a.sin())
        })
        .collect();
    element(
        "polygon",
        &[
            ("class", class.into()),
            ("points", points(&corners)),
            ("fill", colour.into()),
            ("stroke", "#333".into()),
            ("stroke-width", "0.8".into()),
        ],
    )
}

/// The key to the markers.
fn key(doc: &mut Document, y: f64) {
    let x = PAGE_WIDTH / 2.0 - 210.0;
    doc.raw(&element(
        "circle",
        &[
            ("cx", num(x)),
            ("cy", num(y - 4.0)),
            ("r", "6".into()),
            ("fill", "white".into()),
            ("stroke", "#333".into()),
            ("stroke-width", "2".into()),
        ],
    ));
    doc.text(x + 12.0, y, 12.0, "start", "start");
    doc.raw(&star((x + 90.0, y - 4.0), 9.0, "#333", "key"));
    doc.text(x + 102.0, y, 12.0, "start", "goal");
    doc.raw(&element(
        "circle",
        &[
            ("cx", num(x + 180.0)),
            ("cy", num(y - 4.0)),
            ("r", "7".into()),
            ("fill", "#333".into()),
            ("fill-opacity", "0.35".into()),
            ("stroke", "#333".into()),
        ],
    ));
    doc.text(x + 192.0, y, 12.0, "start", "final position (body size)");
    doc.raw(&element(
        "rect",
        &[
            ("x", num(x + 370.0)),
            ("y", num(y - 11.0)),
            ("width", "14".into()),
            ("height", "14".into()),
            ("fill", "#8c8c8c".into()),
        ],
    ));
    doc.text(x + 390.0, y, 12.0, "start", "wall");
}
