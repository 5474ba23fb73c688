//! Pictures of trajectories, as standalone SVG files.
//!
//! Each task gets the picture that shows its behaviour at a glance:
//!
//! - [`strobe`]: the articulated tasks (`pendulum`, `cartpole`, `reacher`, `hopper`) as a strobe of
//!   poses, every k-th step of an episode, coloured from dark (start) to yellow (end);
//! - [`paths`]: `navigation` (and `navigation-tall`) as the paths of several episodes around the
//!   wall, with starts and goals;
//! - [`heatmap`]: the tabular tasks as a state-visitation heat map over the grid, with the cells of
//!   non-zero true reward marked (and, in `objectworld`, the objects).
//!
//! [`svg`] is the small SVG writer they share; [`pose`] holds the kinematics of the articulated tasks.

pub mod heatmap;
pub mod palette;
pub mod paths;
pub mod pose;
pub mod strobe;
pub mod svg;

use anyhow::{bail, Result};
use costlearn_envs::control::navigation;
use costlearn_envs::tabular::{objectworld, ObjectWorld};
use costlearn_envs::{Env, Trajectories};
use std::path::PathBuf;

/// Where the drawn trajectories come from, for the picture's title.
#[derive(Clone, Debug)]
pub enum Source {
    /// Rolled out with the task's expert.
    Expert,
    /// Rolled out with a uniform random policy, because the task has no expert.
    Random,
    /// The first episodes of a demonstration file holding `total` episodes.
    Demos {
        /// The file.
        path: PathBuf,
        /// Episodes in the file.
        total: usize,
    },
}

impl Source {
    /// A short description, e.g. `expert, 3 episodes` or `demos/pendulum.npz, 3 of 64 episodes`.
    pub fn describe(&self, drawn: usize) -> String {
        let plural = |n: usize| if n == 1 { "episode" } else { "episodes" };
        match self {
            Source::Expert => format!("expert, {drawn} {}", plural(drawn)),
            Source::Random => format!(
                "uniform random policy (the task has no expert), {drawn} {}",
                plural(drawn)
            ),
            Source::Demos { path, total } if *total == drawn => {
                format!("{}, {drawn} {}", path.display(), plural(drawn))
            }
            Source::Demos { path, total } => {
                format!("{}, {drawn} of {total} {}", path.display(), plural(*total))
            }
        }
    }
}

/// The kind of picture drawn for a task.
#[derive(Clone, Debug)]
pub enum Picture {
    /// A strobe of poses.
    Strobe(strobe::Body),
    /// Paths around a wall of these half extents.
    Paths([f32; 2]),
    /// A state-visitation heat map.
    HeatMap(heatmap::Grid),
}

impl Picture {
    /// The picture for `env`, chosen by its registered name (and, for grids, read from its model).
    /// Errors for a task it cannot draw.
    pub fn for_env(env: &dyn Env) -> Result<Self> {
        let name = env.spec().name.as_str();
        Ok(match name {
            // `pendulum-heavy` has the same geometry.
            "pendulum" | "pendulum-heavy" => Picture::Strobe(strobe::Body::Pendulum),
            "cartpole" => Picture::Strobe(strobe::Body::CartPole),
            "reacher" | "reacher-long" => Picture::Strobe(strobe::Body::Reacher(
                pose::Arm::of_reacher(name == "reacher-long"),
            )),
            "hopper" => Picture::Strobe(strobe::Body::Hopper),
            "navigation" => Picture::Paths(navigation::WALL),
            "navigation-tall" => Picture::Paths(navigation::TALL_WALL),
            _ => match env.tabular() {
                Some(mdp) => {
                    let objects = if name == objectworld::NAME {
                        ObjectWorld::new().placed_objects()?
                    } else {
                        Vec::new()
                    };
                    Picture::HeatMap(heatmap::Grid::new(mdp, objects))
                }
                None => bail!(
                    "no picture for env `{name}`: render draws pendulum, cartpole, reacher (and their variants), hopper, \
                     navigation and tabular grid tasks"
                ),
            },
        })
    }

    /// How many episodes the picture shows unless told otherwise.
    pub fn default_episodes(&self) -> usize {
        match self {
            Picture::Strobe(_) => 3,
            Picture::Paths(_) => 12,
            Picture::HeatMap(_) => 64,
        }
    }

    /// Draws `trajs` as an SVG document. Errors if the trajectories do not fit the picture (wrong
    /// observation size, cells off the grid, no episodes).
    pub fn draw(&self, trajs: &Trajectories, source: &Source) -> Result<String> {
        if trajs.is_empty() || trajs.obs.shape()[1] == 0 {
            bail!("there are no observations to draw");
        }
        let title = format!("{} — {}", trajs.spec.name, source.describe(trajs.len()));
        match self {
            Picture::Strobe(body) => strobe::draw(*body, trajs, &title),
            Picture::Paths(wall) => paths::draw(trajs, *wall, &title),
            Picture::HeatMap(grid) => heatmap::draw(grid, trajs, &title),
        }
    }
}

/// Fails unless every observation has `want` values.
fn expect_obs_dim(trajs: &Trajectories, want: usize) -> Result<()> {
    let got = trajs.obs.shape()[2];
    if got != want {
        bail!(
            "{} pictures need {want} values per observation, the trajectories have {got}",
            trajs.spec.name
        );
    }
    Ok(())
}

/// Page width of every picture, in pixels.
pub(crate) const PAGE_WIDTH: f64 = 960.0;
/// Height of the title and caption block at the top of every picture.
pub(crate) const HEADER_HEIGHT: f64 = 76.0;

/// A page of the given content height with the title and up to two caption lines at the top.
pub(crate) fn page(content_height: f64, title: &str, caption: &[&str]) -> svg::Document {
    let mut doc = svg::Document::new(PAGE_WIDTH, HEADER_HEIGHT + content_height);
    doc.text(PAGE_WIDTH / 2.0, 26.0, 19.0, "middle", title);
    for (i, line) in caption.iter().take(2).enumerate() {
        doc.text(
            PAGE_WIDTH / 2.0,
            46.0 + 16.0 * i as f64,
            12.5,
            "middle",
            line,
        );
    }
    doc
}

#[cfg(test)]
mod tests {
    use super::*;
    use costlearn_envs::registry;

    #[test]
    fn every_builtin_task_has_a_picture() {
        for entry in registry::entries() {
            let env = entry.make();
            assert!(Picture::for_env(env.as_ref()).is_ok(), "{}", entry.name());
        }
    }

    /// The objects drawn for `objectworld` are those of the registered task: each sits at distance 0
    /// from its own inner and outer colour in the task's features.
    #[test]
    fn objectworld_objects_are_those_of_the_registered_task() {
        let env = registry::make(objectworld::NAME).unwrap();
        let Picture::HeatMap(grid) = Picture::for_env(env.as_ref()).unwrap() else {
            panic!("objectworld is drawn as a heat map");
        };
        let mdp = env.tabular().unwrap();
        assert_eq!(grid.objects().len(), 16);
        for o in grid.objects() {
            let s = o.row * mdp.width + o.col;
            assert_eq!(mdp.features[[s, 2 * o.inner]], 0.0, "{o:?}");
            assert_eq!(mdp.features[[s, 2 * o.outer + 1]], 0.0, "{o:?}");
        }
    }

    #[test]
    fn sources_describe_themselves() {
        assert_eq!(Source::Expert.describe(1), "expert, 1 episode");
        assert!(Source::Random
            .describe(3)
            .starts_with("uniform random policy"));
        let demos = Source::Demos {
            path: "d.npz".into(),
            total: 64,
        };
        assert_eq!(demos.describe(3), "d.npz, 3 of 64 episodes");
        assert_eq!(demos.describe(64), "d.npz, 64 episodes");
    }
}
