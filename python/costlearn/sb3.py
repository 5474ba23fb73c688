"""A Stable-Baselines3 ``VecEnv`` over ``costlearn.make_vec``.

The infos follow SB3's own ``DummyVecEnv``: at the horizon every copy is done, its info holds
``terminal_observation`` (the episode's last observation; the returned one is the next episode's
first) and ``TimeLimit.truncated=True``, since costlearn's episodes end by time, never by failure.
"""

import numpy as np


def sb3_infos(num_envs, final_obs):
    """SB3's per-copy infos of a step: empty dicts, or at the horizon (``final_obs`` given)
    ``terminal_observation`` and ``TimeLimit.truncated``."""
    if final_obs is None:
        return [{} for _ in range(num_envs)]
    return [
        {"terminal_observation": final_obs[i], "TimeLimit.truncated": True}
        for i in range(num_envs)
    ]


def to_sb3(vec_env):
    """``vec_env`` (a ``costlearn.make_vec`` result) as a Stable-Baselines3 ``VecEnv``."""
    from stable_baselines3.common.vec_env import VecEnv

    class CostlearnSB3VecEnv(VecEnv):
        def __init__(self, inner):
            self.inner = inner
            super().__init__(
                inner.num_envs, inner.single_observation_space, inner.single_action_space
            )
            self._actions = None

        def reset(self):
            seed = self._seeds[0] if self._seeds and self._seeds[0] is not None else None
            obs, _ = self.inner.reset(seed=seed)
            self._reset_seeds()
            return obs

        def step_async(self, actions):
            self._actions = actions

        def step_wait(self):
            obs, rewards, _, truncated, infos = self.inner.step(self._actions)
            final_obs = infos.get("final_obs") if truncated.any() else None
            dones = truncated.copy()
            return obs, rewards.astype(np.float32), dones, sb3_infos(self.num_envs, final_obs)

        def close(self):
            pass

        def get_attr(self, attr_name, indices=None):
            return [getattr(self.inner, attr_name) for _ in self._get_indices(indices)]

        def set_attr(self, attr_name, value, indices=None):
            setattr(self.inner, attr_name, value)

        def env_method(self, method_name, *method_args, indices=None, **method_kwargs):
            raise AttributeError(f"costlearn's copies have no per-copy method {method_name!r}")

        def env_is_wrapped(self, wrapper_class, indices=None):
            return [False for _ in self._get_indices(indices)]

    return CostlearnSB3VecEnv(vec_env)
