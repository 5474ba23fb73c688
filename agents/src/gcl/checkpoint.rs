//! Everything a [`GclLearner`] iteration reads, saved to a folder and read back, so that a learner
//! resumed from a checkpoint takes exactly the steps the saved one would have taken.
//!
//! Besides the policy learner's files ([`Ppo::save_checkpoint`](crate::ppo::Ppo::save_checkpoint))
//! a checkpoint folder holds `discriminator.safetensors` and `discriminator.adam.safetensors`
//! (the cost network, `log Z` and their optimiser), `fusion.{k}.safetensors`, `fusion.{k}.json` and
//! `fusion.{k}.npz` (each kept policy snapshot and the samples it drew, oldest first) and
//! `gcl.json` (the iteration, the number of kept snapshots and the position of the minibatch
//! generator).

use super::generator::Generator;
use super::learner::{GclLearner, LearnerError};
use crate::fusion::FusionBuffer;
use crate::ppo::{read_json, write_json, Ppo, SnapshotState};
use costlearn_envs::demos;
use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::path::Path;
use std::sync::Arc;

const DISC_FILE: &str = "discriminator.safetensors";
const DISC_ADAM_FILE: &str = "discriminator.adam.safetensors";
const STATE_FILE: &str = "gcl.json";

/// What `gcl.json` holds.
#[derive(Serialize, Deserialize)]
struct SavedState {
    iteration: usize,
    snapshots: usize,
    /// The minibatch generator's word position (a `u128`, in decimal).
    rng_word_pos: String,
}

fn fail(e: impl std::fmt::Display) -> LearnerError {
    LearnerError::Checkpoint(e.to_string())
}

/// The PPO learner of a continuous task: tabular runs (exact soft value iteration) take seconds
/// and have no checkpoints.
fn ppo_of(generator: &Generator) -> Result<&Ppo, LearnerError> {
    match generator {
        Generator::Ppo(ppo) => Ok(ppo),
        Generator::Tabular(_) => Err(fail(
            "checkpoints cover the PPO policy of continuous tasks; a tabular run is not resumable",
        )),
    }
}

fn fusion_name(k: usize) -> String {
    format!("fusion.{k}")
}

impl GclLearner {
    /// Writes everything the next iteration reads into the existing folder `dir`, each file
    /// atomically (see the [module documentation](self) for the files).
    pub fn save_checkpoint(&self, dir: &Path) -> Result<(), LearnerError> {
        ppo_of(&self.generator)?
            .save_checkpoint(dir)
            .map_err(fail)?;
        self.disc.params().save(dir.join(DISC_FILE)).map_err(fail)?;
        self.trainer
            .save_state(&self.disc, &dir.join(DISC_ADAM_FILE))
            .map_err(fail)?;
        for (k, (state, samples)) in self.kept.iter().zip(self.buffer.samples()).enumerate() {
            state.save(dir, &fusion_name(k)).map_err(fail)?;
            demos::save(&dir.join(format!("{}.npz", fusion_name(k))), samples).map_err(fail)?;
        }
        let state = SavedState {
            iteration: self.iteration,
            snapshots: self.kept.len(),
            rng_word_pos: self.rng.get_word_pos().to_string(),
        };
        write_json(&dir.join(STATE_FILE), &state).map_err(fail)
    }

    /// Continues from a checkpoint written by [`GclLearner::save_checkpoint`] of a learner built
    /// with the same configuration and demonstrations: the next [`GclLearner::step`] is the one the
    /// saved learner would have taken. On error nothing changes.
    pub fn resume(&mut self, dir: &Path) -> Result<(), LearnerError> {
        let ppo = ppo_of(&self.generator)?;
        let path = dir.join(STATE_FILE);
        let state: SavedState = read_json(&path).map_err(fail)?;
        let word_pos: u128 = state.rng_word_pos.parse().map_err(|_| {
            fail(format!(
                "{}: `{}` is not a generator position",
                path.display(),
                state.rng_word_pos
            ))
        })?;
        let mut disc = self.disc.clone();
        disc.params_mut().load(dir.join(DISC_FILE)).map_err(fail)?;
        let mut rng = self.rng.clone();
        rng.set_word_pos(word_pos);
        let mut buffer = FusionBuffer::new(self.buffer.capacity()).map_err(fail)?;
        if let Some(demos) = self.buffer.reference() {
            buffer = buffer.with_reference(demos.clone()).map_err(fail)?;
        }
        let mut kept = VecDeque::new();
        for k in 0..state.snapshots {
            let snapshot = SnapshotState::load(ppo, dir, &fusion_name(k)).map_err(fail)?;
            let samples =
                demos::load(&dir.join(format!("{}.npz", fusion_name(k)))).map_err(fail)?;
            buffer
                .push(Arc::new(ppo.restore_snapshot(&snapshot)), samples)
                .map_err(fail)?;
            kept.push_back(snapshot);
        }
        let mut trainer = self.trainer.clone();
        trainer
            .load_state(&disc, &dir.join(DISC_ADAM_FILE))
            .map_err(fail)?;
        if let Generator::Ppo(ppo) = &mut self.generator {
            ppo.resume(dir).map_err(fail)?;
        }
        self.trainer = trainer;
        self.disc = disc;
        self.rng = rng;
        self.buffer = buffer;
        self.kept = kept;
        self.iteration = state.iteration;
        self.reward_with_cost()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gcl::{GclConfig, GclMetrics, Granularity, LearnerConfig};
    use crate::nn::Device;
    use crate::ppo::PpoConfig;
    use costlearn_envs::rollout::Rollout;
    use costlearn_envs::{registry, Trajectories};

    fn learner(demos: &Trajectories) -> GclLearner {
        let entry = registry::lookup("pendulum").unwrap();
        let mut ppo = PpoConfig::for_task("pendulum").seed(4);
        ppo.episodes_per_iteration = 4;
        ppo.minibatch_size = 100;
        ppo.epochs = 2;
        let config = LearnerConfig {
            gcl: GclConfig::new()
                .granularity(Granularity::Transition)
                .batch_size(4)
                .disc_steps(3),
            ppo,
            fusion_snapshots: 2,
            warm_start_epochs: 0,
            few_demos: None,
            seed: 4,
            tabular: Default::default(),
        };
        GclLearner::new(&entry, config, demos.clone(), Device::Cpu).unwrap()
    }

    /// The learner's weights and optimiser state as they are written to a checkpoint.
    fn files(learner: &GclLearner, dir: &Path) -> Vec<(String, Vec<u8>)> {
        learner.save_checkpoint(dir).unwrap();
        let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                let e = e.unwrap();
                let name = e.file_name().to_string_lossy().into_owned();
                (name, std::fs::read(e.path()).unwrap())
            })
            .collect();
        out.sort();
        out
    }

    #[test]
    fn a_resumed_learner_takes_the_same_steps_bit_for_bit() {
        let entry = registry::lookup("pendulum").unwrap();
        let expert = entry.expert().unwrap();
        let demos = Rollout::new(0)
            .episodes(4)
            .collect(entry.make_vec(4).as_mut(), expert.as_ref())
            .unwrap();
        let tmp = tempfile::tempdir().unwrap();
        let (saved, straight, resumed) = (
            tmp.path().join("saved"),
            tmp.path().join("straight"),
            tmp.path().join("resumed"),
        );
        for d in [&saved, &straight, &resumed] {
            std::fs::create_dir(d).unwrap();
        }

        let mut first = learner(&demos);
        let mut reference: Vec<GclMetrics> = Vec::new();
        for _ in 0..3 {
            reference.push(first.step().unwrap());
        }
        first.save_checkpoint(&saved).unwrap();
        for _ in 0..2 {
            reference.push(first.step().unwrap());
        }

        let mut second = learner(&demos);
        second.resume(&saved).unwrap();
        assert_eq!(second.iteration(), 3);
        let continued: Vec<GclMetrics> = (0..2).map(|_| second.step().unwrap()).collect();
        assert_eq!(continued, reference[3..]);
        assert_eq!(files(&first, &straight), files(&second, &resumed));

        // A fresh learner differs, so the comparison above can fail.
        let mut fresh = learner(&demos);
        assert_ne!(fresh.step().unwrap(), reference[3]);
        let err = fresh.resume(&tmp.path().join("missing")).unwrap_err();
        assert!(err.to_string().starts_with("checkpoint:"), "{err}");
    }
}
