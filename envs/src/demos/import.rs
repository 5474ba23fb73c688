//! Demonstrations in other tools' layouts, turned into costlearn's for a task whose spec is known.
//!
//! Two layouts of numpy archives are read, with the arrays named `obs` (or `observations`),
//! `acts` (or `actions`) and `rews` (or `rewards`), of any numeric dtype:
//!
//! - [`Layout::Bare`]: costlearn's own shapes without the `spec` array: `obs [N, T+1, obs_dim]`,
//!   `acts [N, T, act_dim]` (or `[N, T]` for one action dimension or a discrete action),
//!   `rews [N, T]`.
//! - [`Layout::Flat`]: the steps of every episode one after the other, as Stable-Baselines3's and
//!   imitation's older `.npz` files hold them: `acts [M, act_dim]` (or `[M]`), `rews [M]`, and
//!   `obs` with either one row per step (`[M, obs_dim]`) or one more per episode, its final
//!   observation (`[M + E, obs_dim]`). The episode boundaries come from the first of these arrays
//!   found: `indices` (imitation: the step at which each episode after the first starts),
//!   `episode_starts` (Stable-Baselines3: true on each episode's first step) or `dones` (true on
//!   each episode's last step). A `terminal` array (imitation: one flag per episode) marks the
//!   episodes that ended in a termination.
//!
//! With the `hf-datasets` feature, [`Layout::HfDataset`] reads imitation's current format: the
//! folder that `Dataset.save_to_disk` writes, one row per trajectory with the columns `obs`,
//! `acts`, `rews` and `terminal`.
//!
//! With the `minari` feature, [`Layout::Minari`] reads a Minari dataset's `main_data.hdf5`: one
//! group per episode with `observations`, `actions`, `rewards` and `terminations`.
//!
//! Where an episode has no final observation, its last one is repeated: costlearn reads
//! `x_{T+1}` only as the state after the horizon, where a shaped cost's potential is zero.
//!
//! Every episode must have exactly the task's horizon of steps and end by it, not by a
//! termination; [`import`] names the first one that does not, or drops all such episodes when
//! asked and says which.

use super::npz::NpzArchive;
use super::{check_trajectories, DemoError};
use crate::space::Space;
use crate::spec::EnvSpec;
use crate::trajectory::Trajectories;
use ndarray::{s, Array2, Array3, ArrayD, Axis};
use std::fs::File;
use std::io::BufReader;
use std::path::Path;

/// How the arrays of a file are laid out (see the [module documentation](self)).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `[N, T(+1), …]` arrays without a `spec`.
    Bare,
    /// Steps of all episodes concatenated, with episode boundaries.
    Flat,
    /// imitation's saved trajectories: a Hugging Face `datasets` folder of Arrow files (with the
    /// `hf-datasets` feature).
    #[cfg(feature = "hf-datasets")]
    HfDataset,
    /// A Minari dataset: its `data` folder or `main_data.hdf5` (with the `minari` feature).
    #[cfg(feature = "minari")]
    Minari,
}

/// Demonstrations read from another layout.
#[derive(Clone, Debug, PartialEq)]
pub struct Imported {
    /// The episodes kept, with the task's spec.
    pub trajs: Trajectories,
    /// Each dropped episode (its index in the file) and why.
    pub dropped: Vec<(usize, String)>,
    /// What the reader assumed, one line each (e.g. a repeated final observation).
    pub notes: Vec<String>,
}

/// Reads the demonstrations in `path`, laid out as `layout`, for the task of `spec`. Episodes that
/// are shorter than the horizon or end in a termination are an error naming the first of them,
/// unless `drop_short`, which drops them all (at least one episode must be left).
pub fn import(
    path: &Path,
    layout: Layout,
    spec: &EnvSpec,
    drop_short: bool,
) -> Result<Imported, DemoError> {
    let episodes = match layout {
        Layout::Bare | Layout::Flat => npz_episodes(path, layout)?,
        #[cfg(feature = "hf-datasets")]
        Layout::HfDataset => super::hf::episodes(path)?,
        #[cfg(feature = "minari")]
        Layout::Minari => super::minari::episodes(path)?,
    };
    assemble(path, spec, episodes, drop_short)
}

/// The episodes of an `.npz` file laid out as `layout`.
fn npz_episodes(path: &Path, layout: Layout) -> Result<Vec<Episode>, DemoError> {
    let file = File::open(path).map_err(|source| DemoError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let mut archive = NpzArchive::open(path, BufReader::new(file))?;
    let mut read = |names: [&str; 2]| -> Result<ArrayD<f64>, DemoError> {
        let name = names
            .into_iter()
            .find(|n| archive.contains(n))
            .unwrap_or(names[0]);
        archive.read_numbers(name)
    };
    let obs = read(["obs", "observations"])?;
    let acts = read(["acts", "actions"])?;
    let rews = read(["rews", "rewards"])?;
    match layout {
        Layout::Bare => bare_episodes(path, obs, acts, rews),
        _ => {
            let boundary = ["indices", "episode_starts", "dones"]
                .into_iter()
                .find(|n| archive.contains(n))
                .ok_or_else(|| {
                    invalid(
                        path,
                        "a flat file needs its episode boundaries in `indices`, `episode_starts` \
                         or `dones`",
                    )
                })?;
            let marks = archive.read_numbers(boundary)?;
            let terminal = if archive.contains("terminal") {
                Some(archive.read_numbers("terminal")?)
            } else {
                None
            };
            flat_episodes(path, obs, acts, rews, boundary, marks, terminal)
        }
    }
}

/// One episode as read: observations `[T(+1), obs_dim]`, actions `[T, act_dim]`, rewards `[T]`,
/// and whether it ended in a termination.
pub(super) struct Episode {
    pub(super) obs: Array2<f64>,
    pub(super) acts: Array2<f64>,
    pub(super) rews: Vec<f64>,
    pub(super) terminal: bool,
}

fn invalid(path: &Path, reason: impl Into<String>) -> DemoError {
    DemoError::Import {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// `a` as a 2-D array of rows: `[n]` becomes `[n, 1]`.
fn rows(path: &Path, name: &str, a: ArrayD<f64>) -> Result<Array2<f64>, DemoError> {
    let a = if a.ndim() == 1 {
        a.insert_axis(Axis(1))
    } else {
        a
    };
    a.into_dimensionality().map_err(|_| {
        invalid(
            path,
            format!("`{name}` must have one row per step (1 or 2 dimensions in a flat file)"),
        )
    })
}

fn bare_episodes(
    path: &Path,
    obs: ArrayD<f64>,
    acts: ArrayD<f64>,
    rews: ArrayD<f64>,
) -> Result<Vec<Episode>, DemoError> {
    let acts = if acts.ndim() == 2 {
        acts.insert_axis(Axis(2))
    } else {
        acts
    };
    let (obs, acts, rews) = match (
        obs.into_dimensionality::<ndarray::Ix3>(),
        acts.into_dimensionality::<ndarray::Ix3>(),
        rews.into_dimensionality::<ndarray::Ix2>(),
    ) {
        (Ok(o), Ok(a), Ok(r)) => (o, a, r),
        _ => {
            return Err(invalid(
                path,
                "a bare file holds `obs [N, T+1, obs_dim]`, `acts [N, T, act_dim]` and \
                 `rews [N, T]` (for concatenated steps, import it as `flat`)",
            ))
        }
    };
    let n = acts.len_of(Axis(0));
    if obs.len_of(Axis(0)) != n || rews.len_of(Axis(0)) != n {
        return Err(invalid(
            path,
            format!(
                "`obs`, `acts` and `rews` hold {}, {n} and {} episodes",
                obs.len_of(Axis(0)),
                rews.len_of(Axis(0))
            ),
        ));
    }
    Ok((0..n)
        .map(|i| Episode {
            obs: obs.index_axis(Axis(0), i).to_owned(),
            acts: acts.index_axis(Axis(0), i).to_owned(),
            rews: rews.index_axis(Axis(0), i).to_vec(),
            terminal: false,
        })
        .collect())
}

fn flat_episodes(
    path: &Path,
    obs: ArrayD<f64>,
    acts: ArrayD<f64>,
    rews: ArrayD<f64>,
    boundary: &str,
    marks: ArrayD<f64>,
    terminal: Option<ArrayD<f64>>,
) -> Result<Vec<Episode>, DemoError> {
    let obs = rows(path, "obs", obs)?;
    let acts = rows(path, "acts", acts)?;
    let rews: Vec<f64> = rews.iter().copied().collect();
    let m = acts.nrows();
    if rews.len() != m {
        return Err(invalid(
            path,
            format!("`acts` has {m} steps but `rews` has {}", rews.len()),
        ));
    }
    let marks: Vec<f64> = marks.iter().copied().collect();
    let mut starts = match boundary {
        "indices" => {
            let mut starts = vec![0];
            for &k in &marks {
                if k < 0.0 || k.fract() != 0.0 || k as usize > m {
                    return Err(invalid(
                        path,
                        format!("`indices` holds {k}, not a step index"),
                    ));
                }
                starts.push(k as usize);
            }
            starts
        }
        _ => {
            if marks.len() != m {
                return Err(invalid(
                    path,
                    format!("`{boundary}` has {} entries for {m} steps", marks.len()),
                ));
            }
            let on = |i: usize| marks[i] != 0.0;
            let mut starts = vec![0];
            for i in 1..m {
                let start = if boundary == "dones" {
                    on(i - 1)
                } else {
                    on(i)
                };
                if start {
                    starts.push(i);
                }
            }
            starts
        }
    };
    if starts.windows(2).any(|w| w[1] < w[0]) {
        return Err(invalid(
            path,
            format!("`{boundary}` is not in increasing order"),
        ));
    }
    starts.dedup();
    starts.retain(|&k| k < m);
    let e = starts.len();
    let ends: Vec<usize> = starts.iter().skip(1).copied().chain([m]).collect();
    let with_final = if obs.nrows() == m + e {
        true
    } else if obs.nrows() == m {
        false
    } else {
        return Err(invalid(
            path,
            format!(
                "`obs` has {} rows; {m} steps in {e} episodes need {m} (no final observations) or \
                 {} (one final observation per episode)",
                obs.nrows(),
                m + e
            ),
        ));
    };
    let terminal: Vec<bool> = match terminal {
        Some(t) if t.len() == e => t.iter().map(|&v| v != 0.0).collect(),
        Some(t) => {
            return Err(invalid(
                path,
                format!("`terminal` has {} entries for {e} episodes", t.len()),
            ))
        }
        None => vec![false; e],
    };
    Ok((0..e)
        .map(|i| {
            let (a, b) = (starts[i], ends[i]);
            let obs_rows = if with_final {
                obs.slice(s![a + i..b + i + 1, ..]).to_owned()
            } else {
                obs.slice(s![a..b, ..]).to_owned()
            };
            Episode {
                obs: obs_rows,
                acts: acts.slice(s![a..b, ..]).to_owned(),
                rews: rews[a..b].to_vec(),
                terminal: terminal[i],
            }
        })
        .collect())
}

/// The episodes that fit the task, as costlearn's trajectories.
fn assemble(
    path: &Path,
    spec: &EnvSpec,
    episodes: Vec<Episode>,
    drop_short: bool,
) -> Result<Imported, DemoError> {
    let (t, od, ad) = (spec.horizon, spec.obs_dim(), spec.act_dim());
    let mut notes = Vec::new();
    let mut dropped = Vec::new();
    let mut kept = Vec::new();
    for (i, ep) in episodes.into_iter().enumerate() {
        let steps = ep.acts.nrows();
        if ep.obs.ncols() != od || ep.acts.ncols() != ad {
            return Err(invalid(
                path,
                format!(
                    "episode {i} has observations of {} and actions of {} numbers, but `{}` has {od} \
                     and {ad}",
                    ep.obs.ncols(),
                    ep.acts.ncols(),
                    spec.name
                ),
            ));
        }
        if steps > t {
            return Err(invalid(
                path,
                format!(
                    "episode {i} has {steps} steps, more than the horizon of `{}` ({t})",
                    spec.name
                ),
            ));
        }
        let problem = if steps < t {
            Some(format!(
                "{steps} steps, fewer than the horizon of `{}` ({t})",
                spec.name
            ))
        } else if ep.terminal {
            Some("it ends in a termination, not at the horizon".to_string())
        } else {
            None
        };
        match problem {
            Some(why) if drop_short => dropped.push((i, why)),
            Some(why) => {
                return Err(invalid(
                    path,
                    format!(
                        "episode {i}: {why}; costlearn's tasks have a fixed horizon (pass \
                         --drop-short to keep the other episodes)"
                    ),
                ))
            }
            None => kept.push(ep),
        }
    }
    if kept.is_empty() {
        return Err(invalid(
            path,
            format!("no episode has the horizon of `{}` ({t} steps)", spec.name),
        ));
    }
    let n = kept.len();
    let repeated = kept.iter().filter(|ep| ep.obs.nrows() == t).count();
    if repeated > 0 {
        notes.push(format!(
            "{repeated} of {n} episodes have no final observation: their last one is repeated"
        ));
    }
    let mut obs = Array3::zeros((n, t + 1, od));
    let mut acts = Array3::zeros((n, t, ad));
    let mut rews = Array2::zeros((n, t));
    for (i, ep) in kept.iter().enumerate() {
        for k in 0..=t {
            let row = ep.obs.row(k.min(ep.obs.nrows() - 1));
            for (j, &v) in row.iter().enumerate() {
                obs[[i, k, j]] = v as f32;
            }
        }
        for k in 0..t {
            for j in 0..ad {
                acts[[i, k, j]] = ep.acts[[k, j]] as f32;
            }
            rews[[i, k]] = ep.rews[k] as f32;
        }
    }
    if matches!(spec.action_space, Space::Discrete { .. }) && acts.iter().any(|a| a.fract() != 0.0)
    {
        return Err(invalid(path, "a discrete action must be a whole number"));
    }
    let trajs = Trajectories {
        spec: spec.clone(),
        obs,
        acts,
        rews,
        logp: None,
    };
    check_trajectories(path, &trajs)?;
    Ok(Imported {
        trajs,
        dropped,
        notes,
    })
}
