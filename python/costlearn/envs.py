"""Gymnasium environments over costlearn's registered tasks.

Every task has a fixed horizon T: an episode ends with ``truncated=True`` at step T and is never
``terminated``. Seeding follows costlearn's rollout engine: episode k of a run seeded s resets the
task with ``episode_seed(s, k)``, so ``make_vec(name, n).reset(seed=s)`` followed by T steps gives
the same trajectories as ``costlearn record`` or ``rollout(name, n, seed=s)`` for the same actions.
"""

import gymnasium as gym
import numpy as np
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from ._costlearn import CostlearnError, NativeEnv, NativeVecEnv


def _space(desc):
    if desc["kind"] == "discrete":
        return gym.spaces.Discrete(desc["n"])
    low = np.asarray(desc["low"], dtype=np.float32)
    high = np.asarray(desc["high"], dtype=np.float32)
    return gym.spaces.Box(low=low, high=high, dtype=np.float32)


def _seed(seed):
    if seed is None:
        return None
    if isinstance(seed, (list, tuple, np.ndarray)):
        raise CostlearnError(
            "costlearn derives every copy's seed from one seed: pass an int, not a list"
        )
    seed = int(seed)
    if seed < 0:
        raise CostlearnError(f"seeds are non-negative, got {seed}")
    return seed


class CostlearnEnv(gym.Env):
    """One copy of a costlearn task (see ``costlearn.tasks()``) as a ``gymnasium.Env``."""

    metadata = {"render_modes": []}

    def __init__(self, name):
        self._native = NativeEnv(name)
        self.task_spec = self._native.spec
        self.observation_space = _space(self.task_spec["observation_space"])
        self.action_space = _space(self.task_spec["action_space"])
        self.horizon = self.task_spec["horizon"]
        self._discrete = isinstance(self.action_space, gym.spaces.Discrete)
        self._t = 0

    def reset(self, *, seed=None, options=None):
        """Episode 0 of the run seeded ``seed``; without a seed, the run's next episode."""
        super().reset(seed=seed)
        obs = self._native.reset(_seed(seed))
        self._t = 0
        return obs, {}

    def step(self, action):
        if self._discrete:
            action = np.array([action], dtype=np.float32).reshape(1)
        else:
            action = np.asarray(action, dtype=np.float32).reshape(-1)
        obs, reward = self._native.step(action)
        self._t += 1
        return obs, float(reward), False, self._t >= self.horizon, {}


class CostlearnVecEnv(VectorEnv):
    """``num_envs`` copies of a costlearn task stepped together in Rust, the GIL released.

    All copies share the horizon, so they truncate on the same step and reset at once
    (``AutoresetMode.SAME_STEP``): that step returns the next episodes' first observations, and
    ``infos["final_obs"]`` holds the last ones.
    """

    metadata = {"render_modes": [], "autoreset_mode": AutoresetMode.SAME_STEP}

    def __init__(self, name, num_envs):
        self._native = NativeVecEnv(name, int(num_envs))
        self.num_envs = self._native.num_envs
        self.task_spec = self._native.spec
        self.single_observation_space = _space(self.task_spec["observation_space"])
        self.single_action_space = _space(self.task_spec["action_space"])
        self.observation_space = batch_space(self.single_observation_space, self.num_envs)
        self.action_space = batch_space(self.single_action_space, self.num_envs)
        self.horizon = self.task_spec["horizon"]
        self._discrete = isinstance(self.single_action_space, gym.spaces.Discrete)
        self._terminated = np.zeros(self.num_envs, dtype=bool)
        self._all = np.ones(self.num_envs, dtype=bool)

    def reset(self, *, seed=None, options=None):
        """Episodes 0..n of the run seeded ``seed``; without a seed, the run's next n."""
        obs = self._native.reset(_seed(seed))
        return obs, {}

    def step(self, actions):
        if self._discrete:
            actions = np.asarray(actions, dtype=np.float32).reshape(self.num_envs, 1)
        else:
            actions = np.asarray(actions, dtype=np.float32).reshape(self.num_envs, -1)
        obs, rewards, truncated, final_obs = self._native.step(actions)
        infos = {}
        if truncated:
            infos = {
                "final_obs": final_obs,
                "_final_obs": self._all,
                "final_info": {},
                "_final_info": self._all,
            }
        truncations = self._all.copy() if truncated else self._terminated.copy()
        return obs, rewards, self._terminated.copy(), truncations, infos


def make(name):
    """One copy of the task ``name`` as a ``gymnasium.Env``."""
    return CostlearnEnv(name)


def make_vec(name, num_envs):
    """``num_envs`` copies of the task ``name`` as a ``gymnasium.vector.VectorEnv``."""
    return CostlearnVecEnv(name, num_envs)
