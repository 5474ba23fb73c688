//! The demonstrations a method learns from: read, checked against the task, cut to the number
//! asked for, with a warning for actions the task would clip.

use crate::progress::Progress;
use anyhow::{bail, Result};
use costlearn_envs::{demos, registry, Trajectories};
use std::path::Path;

/// The first `num_demos` (default: all) demonstrations in `path`, refused unless they were
/// recorded on `env` (its name, spaces, horizon and step). Actions outside the task's action box
/// get a warning on `progress` with their count and the largest distance from the box.
pub fn load(
    env: &str,
    path: &Path,
    num_demos: Option<usize>,
    progress: &Progress,
) -> Result<Trajectories> {
    let entry = registry::lookup(env)?;
    // The error names the file and the problem.
    let all = demos::load_for(path, entry.make().spec())?;
    if !demos::has_spec(path)? {
        progress.summary(format_args!(
            "{} holds no spec: its arrays are read with the spec of `{env}`",
            path.display()
        ));
    }
    let n = num_demos.unwrap_or(all.len());
    if n == 0 || n > all.len() {
        bail!(
            "--num-demos must be between 1 and {} (the episodes in {})",
            all.len(),
            path.display()
        );
    }
    let chosen = all.first(n);
    // An expert's unclipped exploration noise leaves its actions a little outside the box; an
    // action farther out than the box is wide is not noise.
    let far = demos::actions_outside_box(&chosen).filter(|o| o.largest_in_widths > 1.0);
    if let Some(outside) = far {
        progress.warn(format_args!(
            "{}: {} demonstrated action entries lie outside the action box of `{env}`, the largest \
             by {:.3e}; the task clips them when it acts, and the learners see them as recorded",
            path.display(),
            outside.count,
            outside.largest
        ));
    }
    Ok(chosen)
}
