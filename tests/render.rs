//! `costlearn render`: every task draws a picture with content, a demo file draws, and every user
//! mistake is one error line with no file left behind.

use costlearn_envs::{demos, registry, Space, Trajectories};
use ndarray::{Array2, Array3};
mod common;

use common::{assert_clean_failure, costlearn, shipped, stderr};
use std::path::Path;

/// Renders and returns the SVG text, failing the test if the command fails.
fn render(args: &[&str], out: &Path) -> String {
    let mut all = vec!["render"];
    all.extend_from_slice(args);
    all.extend(["--out", out.to_str().unwrap()]);
    let result = costlearn(&all);
    assert!(result.status.success(), "{args:?}: {}", stderr(&result));
    std::fs::read_to_string(out).expect("the SVG was written")
}

/// Checks that `svg` is one well-formed XML document whose root is `<svg>`: every tag closes in
/// order, attribute values are quoted, and text holds no raw `<` or `&` outside entities.
fn assert_well_formed_svg(svg: &str) {
    assert!(
        svg.starts_with("<?xml") || svg.starts_with("<svg"),
        "{}",
        &svg[..40.min(svg.len())]
    );
    let mut rest = svg;
    if rest.starts_with("<?xml") {
        let end = rest.find("?>").expect("the XML declaration ends");
        rest = &rest[end + 2..];
    }
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    while let Some(open) = rest.find('<') {
        let text = &rest[..open];
        for (i, _) in text.match_indices('&') {
            let entity = &text[i..text[i..].find(';').map_or(text.len(), |j| i + j + 1)];
            assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].contains(&entity),
                "bad entity {entity}"
            );
        }
        assert!(
            !stack.is_empty() || text.trim().is_empty(),
            "text outside the root: {text}"
        );
        let close = rest[open..].find('>').expect("every tag ends") + open;
        let tag = &rest[open + 1..close];
        assert_eq!(
            tag.matches('"').count() % 2,
            0,
            "unbalanced quotes in <{tag}>"
        );
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else {
            let name = tag
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap()
                .to_string();
            assert!(!name.is_empty(), "empty tag name");
            if stack.is_empty() {
                roots += 1;
                assert_eq!(name, "svg", "the root element is <svg>");
            }
            if !tag.ends_with('/') {
                stack.push(name);
            }
        }
        rest = &rest[close + 1..];
    }
    assert!(stack.is_empty(), "unclosed elements: {stack:?}");
    assert_eq!(roots, 1, "one root element");
    assert!(rest.trim().is_empty(), "text after the root");
}

fn count(svg: &str, needle: &str) -> usize {
    svg.matches(needle).count()
}

/// Sum of the `data-visits` attributes of the heat map's cells.
fn total_visits(svg: &str) -> usize {
    svg.split("data-visits=\"")
        .skip(1)
        .map(|s| s[..s.find('"').unwrap()].parse::<usize>().unwrap())
        .sum()
}

#[test]
fn every_task_draws_a_picture_with_content() {
    let dir = tempfile::tempdir().unwrap();
    let episodes = 2;
    for entry in registry::entries() {
        let name = entry.name().to_string();
        let out = dir.path().join(format!("{name}.svg"));
        let svg = render(&["--env", &name, "--episodes", "2", "--seed", "1"], &out);
        assert_well_formed_svg(&svg);
        let who = if entry.has_expert() {
            "expert"
        } else {
            "uniform random policy"
        };
        let title = format!("{name} — {who}");
        assert!(svg.contains(&title), "{name}: no title `{title}`");
        assert!(svg.contains("2 episodes"), "{name}: no episode count");

        let horizon = entry.make().spec().horizon;
        match name.as_str() {
            "pendulum" | "pendulum-heavy" | "cartpole" | "reacher" | "reacher-long" | "hopper" => {
                assert_eq!(count(&svg, r#"class="episode""#), episodes, "{name}");
                let poses = count(&svg, r#"class="pose""#);
                assert!(
                    poses >= 10 * episodes && poses % episodes == 0,
                    "{name}: {poses} poses"
                );
                let empty = svg
                    .split(r#"class="pose""#)
                    .skip(1)
                    .filter(|group| !group[..group.find("</g>").unwrap()].contains("<line"))
                    .count();
                assert_eq!(empty, 0, "{name}: poses without a rod");
            }
            "navigation" | "navigation-tall" => {
                for class in ["path", "start", "goal", "end"] {
                    let n = count(&svg, &format!(r#"class="{class}""#));
                    assert_eq!(n, episodes, "{name}: {class}");
                }
                assert_eq!(count(&svg, r#"class="obstacle""#), 1);
                let path = svg.split(r#"class="path" points=""#).nth(1).unwrap();
                let points = path[..path.find('"').unwrap()].split(' ').count();
                assert_eq!(points, horizon + 1, "one point per observation");
            }
            "gridworld" | "objectworld" => {
                let cells = entry.make().tabular().unwrap().num_states();
                assert_eq!(count(&svg, r#"class="cell""#), cells, "{name}");
                assert_eq!(total_visits(&svg), episodes * (horizon + 1), "{name}");
                assert!(
                    count(&svg, r#"class="reward""#) > 0,
                    "{name}: no reward marks"
                );
                let objects = if name == "objectworld" { 16 } else { 0 };
                assert_eq!(count(&svg, r#"class="object""#), objects, "{name}");
            }
            other => panic!("no expectations for the task `{other}`"),
        }
    }
}

#[test]
fn a_demo_file_draws_its_first_episodes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pendulum.svg");
    let file = shipped("pendulum.npz");
    let svg = render(
        &[
            "--env",
            "pendulum",
            "--demos",
            file.to_str().unwrap(),
            "--episodes",
            "2",
        ],
        &out,
    );
    assert_well_formed_svg(&svg);
    assert!(svg.contains("pendulum.npz, 2 of 64 episodes"));
    assert_eq!(count(&svg, r#"class="episode""#), 2);

    // The same episodes as the file: the first pose of episode 1 is the file's first observation.
    let demos = demos::load(&file).unwrap();
    let returns = demos.returns();
    assert!(svg.contains(&format!("episode 1 · return {:.1}", returns[0])));
    assert!(svg.contains(&format!("episode 2 · return {:.1}", returns[1])));
}

/// A user's mistake: non-zero exit, one `error:` line containing `needle`, no panic, no file.
fn assert_render_fails(args: &[&str], needle: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("picture.svg");
    let mut all = vec!["render"];
    all.extend_from_slice(args);
    let out_str = out.to_str().unwrap().to_string();
    if !args.contains(&"--out") {
        all.extend(["--out", &out_str]);
    }
    assert_clean_failure(&costlearn(&all), needle);
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "{args:?} left a file behind"
    );
}

#[test]
fn mistakes_are_one_line_errors_and_leave_no_file() {
    let pendulum = shipped("pendulum.npz");
    let pendulum = pendulum.to_str().unwrap();
    assert_render_fails(&["--env", "pendulm"], "unknown environment `pendulm`");
    assert_render_fails(
        &["--env", "cartpole", "--demos", pendulum],
        "recorded for env `pendulum`, not `cartpole`",
    );
    assert_render_fails(&["--env", "pendulum", "--episodes", "0"], "at least 1");
    assert_render_fails(
        &["--env", "pendulum", "--demos", "no/such/file.npz"],
        "no/such/file.npz",
    );

    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing").join("picture.svg");
    assert_render_fails(
        &["--env", "gridworld", "--out", missing.to_str().unwrap()],
        "does not exist",
    );
    assert!(!missing.exists());
}

#[test]
fn a_demo_file_with_other_dimensions_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = registry::make("pendulum").unwrap().spec().clone();
    spec.observation_space = Space::unbounded(2);
    let t = spec.horizon;
    let odd = Trajectories {
        spec,
        obs: Array3::zeros((1, t + 1, 2)),
        acts: Array3::zeros((1, t, 1)),
        rews: Array2::zeros((1, t)),
        logp: None,
    };
    let file = dir.path().join("odd.npz");
    demos::save(&file, &odd).unwrap();
    assert_render_fails(
        &["--env", "pendulum", "--demos", file.to_str().unwrap()],
        "observation space",
    );
}

#[test]
fn the_xml_check_catches_broken_documents() {
    assert_well_formed_svg(
        r#"<?xml version="1.0"?><svg a="1"><g><rect/></g><text>a &amp; b</text></svg>"#,
    );
    for broken in [
        "<svg><g></svg>",
        "<svg><g></g>",
        "<svg></svg><svg></svg>",
        "<svg><text>a & b</text></svg>",
        r#"<svg a="1></svg>"#,
        "<html></html>",
    ] {
        let caught = std::panic::catch_unwind(|| assert_well_formed_svg(broken));
        assert!(caught.is_err(), "accepted {broken}");
    }
}
