"""costlearn's learners as classes: GCL and BC train into ordinary run folders (the same code and
files as ``costlearn train``, so ``costlearn eval DIR`` reads them), then give their policy, their
learned cost and their evaluation as numpy and dicts.

    gcl = costlearn.GCL("pendulum", "demos/pendulum.npz", num_demos=16, seed=0)
    gcl.train()                                   # the task's default iterations; train(n) adds n more
    acts = gcl.policy.act(obs)                    # obs [N, obs_dim] -> actions [N, act_dim]
    costs = gcl.cost(obs, acts)                   # the learned cost g(x) of each step
    gcl.save("runs/gcl-pendulum")                 # a run folder
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

from . import _costlearn
from ._costlearn import CostlearnError, RunPolicy


class Policy:
    """The final policy of a run folder."""

    def __init__(self, run_dir):
        self._native = RunPolicy(os.fspath(run_dir))

    def act(self, obs, *, deterministic=False, seed=0):
        """Actions ``[N, act_dim]`` for ``obs`` ``[N, obs_dim]``: sampled (row i's noise from the
        stream (seed, i)), or with ``deterministic`` the mean of a Gaussian policy and the most
        probable choice of a categorical one."""
        import numpy as np

        return self._native.act(np.ascontiguousarray(obs, dtype=np.float32),
                                deterministic=deterministic, seed=seed)

    def log_prob(self, obs, acts):
        """``log pi(acts[i] | obs[i])`` of each row."""
        import numpy as np

        return self._native.log_prob(
            np.ascontiguousarray(obs, dtype=np.float32), np.ascontiguousarray(acts, dtype=np.float32)
        )


def _task_name(env):
    return env if isinstance(env, str) else env.task_spec["name"]


class _Learner:
    method = None

    def __init__(self, env, demos, *, num_demos=None, seed=0, out=None, eval_episodes=None,
                 settings=None):
        self.env = _task_name(env)
        self.demos = os.fspath(demos)
        self.num_demos = num_demos
        self.seed = int(seed)
        self.eval_episodes = eval_episodes
        self.settings = dict(settings or {})
        self._tmp = None
        if out is None:
            self._tmp = tempfile.TemporaryDirectory(prefix=f"costlearn-{self.method}-")
            out = Path(self._tmp.name) / "run"
        self.out = Path(out)
        self._trained = False

    def _set(self):
        return [(key, json.dumps(value)) for key, value in self.settings.items()]

    def _need_training(self):
        if not self._trained:
            raise CostlearnError(f"the {self.method.upper()} learner has not been trained: call train()")

    @property
    def config(self):
        """The run's ``config.json``: its method, task and every setting."""
        self._need_training()
        return json.loads((self.out / "config.json").read_text())

    @property
    def policy(self):
        """The trained policy (see ``Policy``)."""
        self._need_training()
        return Policy(self.out)

    def evaluate(self, *, episodes=64, seed=0):
        """True return and normalised score of the policy (``costlearn eval``): ``eval.json``."""
        self._need_training()
        _costlearn.evaluate(os.fspath(self.out), seed=seed, episodes=episodes)
        return json.loads((self.out / "eval.json").read_text())

    def save(self, path):
        """Copies the run folder to ``path`` (which must not exist); ``costlearn eval`` reads it."""
        self._need_training()
        shutil.copytree(self.out, path)
        return Path(path)


class GCL(_Learner):
    """Guided cost learning (GAN form) with the library's defaults for the task.

    ``mode`` is the discriminator's granularity: ``None`` (the task's default), ``"transition"``,
    ``"traj"`` or ``"segment"`` with ``segment_len``. ``settings`` maps dotted setting names to
    values, as ``costlearn train gcl --set key=value`` does (e.g. ``{"learner.gcl.alpha": 0.5}``).
    """

    method = "gcl"

    def __init__(self, env, demos, *, num_demos=16, mode=None, segment_len=None, seed=0, out=None,
                 eval_episodes=None, settings=None):
        super().__init__(env, demos, num_demos=num_demos, seed=seed, out=out,
                         eval_episodes=eval_episodes, settings=settings)
        granularity = {None: None, "transition": "transition", "traj": "traj"}
        if mode == "segment":
            if not segment_len or segment_len < 1:
                raise CostlearnError("mode='segment' needs segment_len of at least 1")
            self.settings["learner.gcl.granularity"] = {"segment": {"len": int(segment_len)}}
        elif mode in granularity:
            if segment_len is not None:
                raise CostlearnError("segment_len needs mode='segment'")
            if mode is not None:
                self.settings["learner.gcl.granularity"] = granularity[mode]
        else:
            raise CostlearnError(f"unknown mode {mode!r}: expected 'transition', 'traj' or 'segment'")
        self.iterations = 0

    def train(self, iterations=None, *, progress=True):
        """Trains ``iterations`` more iterations (the first call: the task's default if None).

        Ctrl-C stops after the iteration in flight, its checkpoint written, and raises
        KeyboardInterrupt; ``train`` again continues from there.
        """
        if iterations is None and self.iterations:
            raise CostlearnError("say how many more iterations to train")
        total = None if iterations is None else self.iterations + int(iterations)
        resume = self.iterations > 0
        try:
            _costlearn.train("gcl", self.env, self.demos, os.fspath(self.out), seed=self.seed,
                             num_demos=self.num_demos, iterations=total,
                             eval_episodes=self.eval_episodes, set=self._set(), resume=resume,
                             progress=progress)
        except KeyboardInterrupt:
            # Stopped after a whole iteration, its checkpoint written: one metrics row each.
            with open(self.out / "metrics.csv") as f:
                self.iterations = sum(1 for _ in f) - 1
            self._trained = True
            raise
        self._trained = True
        self.iterations = self.config["settings"]["iterations"]
        return self

    def cost(self, obs, acts, *, part="task"):
        """The learned cost of each step ``(obs[i], acts[i])``, ``[N]``: the reusable task part
        ``g(x)`` of the shaped cost (``part="task"``, what ``eval --reopt`` re-optimises), or the
        whole of an unshaped one (``part="full"``)."""
        import numpy as np

        self._need_training()
        return _costlearn.run_cost(
            os.fspath(self.out),
            np.ascontiguousarray(obs, dtype=np.float32),
            np.ascontiguousarray(acts, dtype=np.float32),
            part=part,
        )


class BC(_Learner):
    """Behavioral cloning with the library's defaults for the task."""

    method = "bc"

    def __init__(self, env, demos, *, num_demos=16, seed=0, out=None, eval_episodes=None,
                 settings=None):
        super().__init__(env, demos, num_demos=num_demos, seed=seed, out=out,
                         eval_episodes=eval_episodes, settings=settings)

    def train(self, *, progress=True):
        """Fits the policy to the demonstrations (early stopping on held-out episodes)."""
        _costlearn.train("bc", self.env, self.demos, os.fspath(self.out), seed=self.seed,
                         num_demos=self.num_demos, eval_episodes=self.eval_episodes,
                         set=self._set(), progress=progress)
        self._trained = True
        return self


def bench(suite, out, *, jobs=None, resume=False):
    """Runs a benchmark suite (a built-in name such as ``"quick"``, or a suite file) into ``out``,
    as ``costlearn bench`` does; returns the path of its ``report.md``."""
    _costlearn.run_bench(os.fspath(suite), os.fspath(out), jobs=jobs, resume=resume)
    return Path(out) / "report.md"
