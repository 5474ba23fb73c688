//! Streaming: worker threads that sample episodes one at a time and send them, finished, to an
//! [`EpisodeStream`].

use super::engine::{Engine, Single};
use super::{invalid, validate_spec, Rollout};
use crate::env::{Env, VecEnv};
use crate::error::EnvError;
use crate::policy::Policy;
use crate::registry::EnvEntry;
use crate::trajectory::Trajectory;
use crossbeam_channel::{Receiver, Sender};
use std::any::Any;
use std::iter::FusedIterator;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

/// Builds one copy of a task for each streaming worker: from a registry entry, or from any
/// shareable constructor.
#[derive(Clone)]
pub struct EnvFactory(Arc<dyn Fn() -> Box<dyn Env> + Send + Sync>);

impl EnvFactory {
    /// A factory calling `make` once per copy.
    pub fn new(make: impl Fn() -> Box<dyn Env> + Send + Sync + 'static) -> Self {
        Self(Arc::new(make))
    }

    /// A fresh copy of the task.
    pub fn make(&self) -> Box<dyn Env> {
        (self.0)()
    }
}

impl From<EnvEntry> for EnvFactory {
    fn from(entry: EnvEntry) -> Self {
        Self::new(move || entry.make())
    }
}

impl From<Arc<dyn Fn() -> Box<dyn Env> + Send + Sync>> for EnvFactory {
    fn from(make: Arc<dyn Fn() -> Box<dyn Env> + Send + Sync>) -> Self {
        Self(make)
    }
}

impl std::fmt::Debug for EnvFactory {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnvFactory")
    }
}

/// What an [`EpisodeStream`] yields: a finished episode with its global index, or the error that
/// ended the stream.
pub type StreamItem = Result<(u64, Trajectory), EnvError>;

/// The consumer's end of a streaming rollout: an iterator over finished episodes, in the order they
/// finish.
///
/// After an error it yields nothing more. Dropping it stops the workers (an episode in progress is
/// abandoned at its next step) and joins their threads before returning.
#[derive(Debug)]
pub struct EpisodeStream {
    receiver: Option<Receiver<StreamItem>>,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
}

impl EpisodeStream {
    /// Tells the workers to stop and disconnects the channel, which wakes a worker waiting to send.
    fn stop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        self.receiver = None;
    }
}

impl Iterator for EpisodeStream {
    type Item = StreamItem;

    fn next(&mut self) -> Option<StreamItem> {
        let item = self.receiver.as_ref()?.recv().ok()?;
        if item.is_err() {
            self.stop();
        }
        Some(item)
    }
}

impl FusedIterator for EpisodeStream {}

impl Drop for EpisodeStream {
    fn drop(&mut self) {
        self.stop();
        for worker in self.workers.drain(..) {
            // Workers catch panics of the env and policy, so a failed join has nothing to report.
            let _ = worker.join();
        }
    }
}

/// State shared by the workers of one stream.
struct Shared {
    rollout: Rollout,
    policy: Arc<dyn Policy>,
    /// Global index of the next episode to start.
    next: AtomicU64,
    /// One past the last global index to run.
    end: u64,
    stop: Arc<AtomicBool>,
}

/// Starts `workers` threads sampling `count` episodes of `rollout` (without end if `None`).
pub(super) fn spawn(
    rollout: Rollout,
    count: Option<usize>,
    factory: EnvFactory,
    policy: Arc<dyn Policy>,
    workers: usize,
) -> Result<EpisodeStream, EnvError> {
    let first_env = factory.make();
    let spec = first_env.spec().clone();
    validate_spec(&spec)?;
    if workers == 0 {
        return Err(invalid(&spec, "a stream needs at least one worker".into()));
    }
    let end = match count {
        Some(n) => {
            let rollout = rollout.episodes(n);
            rollout.check_index_range(&spec)?;
            rollout.first_episode + n as u64
        }
        None => u64::MAX,
    };
    let workers = match count {
        Some(n) => workers.min(n),
        None => workers,
    };

    let mut envs = Vec::with_capacity(workers);
    if workers > 0 {
        envs.push(first_env);
    }
    while envs.len() < workers {
        let env = factory.make();
        if env.spec() != &spec {
            let reason = format!(
                "copies of the task disagree on their spec: {:?} and {:?}",
                spec,
                env.spec()
            );
            return Err(invalid(&spec, reason));
        }
        envs.push(env);
    }

    let stop = Arc::new(AtomicBool::new(false));
    let shared = Arc::new(Shared {
        rollout,
        policy,
        next: AtomicU64::new(rollout.first_episode),
        end,
        stop: Arc::clone(&stop),
    });
    let (sender, receiver) = crossbeam_channel::bounded(workers.max(1));
    let mut stream = EpisodeStream {
        receiver: Some(receiver),
        stop,
        workers: Vec::with_capacity(workers),
    };
    for (w, env) in envs.into_iter().enumerate() {
        let (shared, sender) = (Arc::clone(&shared), sender.clone());
        let handle = thread::Builder::new()
            .name(format!("rollout-{w}"))
            .spawn(move || work(&shared, Single::new(env), &sender))
            .map_err(|e| invalid(&spec, format!("cannot start rollout worker {w}: {e}")))?;
        stream.workers.push(handle);
    }
    Ok(stream)
}

/// One worker: takes episode indices from the shared counter and sends each finished episode until
/// the run is done, the stream is stopped or the consumer is gone.
fn work(shared: &Shared, mut env: Single, sender: &Sender<StreamItem>) {
    let spec = env.spec().clone();
    let rollout = shared.rollout;
    let mut engine = Engine::new(&spec, 1, &*shared.policy, rollout.seed, rollout.log_probs);
    while !shared.stop.load(Ordering::Relaxed) {
        let index = shared.next.fetch_add(1, Ordering::Relaxed);
        if index >= shared.end {
            break;
        }
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            engine.episode(&mut env, index, &shared.stop)
        }));
        let item = match outcome {
            Ok(Ok(Some(episode))) => Ok((index, episode)),
            Ok(Ok(None)) => break,
            Ok(Err(e)) => Err(e),
            Err(payload) => {
                let reason = format!("panicked: {}", panic_message(payload.as_ref()));
                Err(engine.error(index, engine.step(), reason))
            }
        };
        let failed = item.is_err();
        if failed {
            shared.stop.store(true, Ordering::Relaxed);
        }
        if sender.send(item).is_err() || failed {
            break;
        }
    }
}

/// The message of a panic payload, when it has one.
fn panic_message(payload: &(dyn Any + Send)) -> &str {
    if let Some(s) = payload.downcast_ref::<&str>() {
        s
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s
    } else {
        "(no message)"
    }
}
