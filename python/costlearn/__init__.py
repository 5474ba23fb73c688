"""costlearn from Python: its tasks as Gymnasium environments and its demonstration files as numpy.

    import costlearn
    env = costlearn.make("pendulum")                  # a gymnasium.Env
    envs = costlearn.make_vec("pendulum", 32)         # a gymnasium.vector.VectorEnv, stepped in Rust
    demos = costlearn.load_demos("demos/pendulum.npz")
    costlearn.save_demos("mine.npz", obs=demos["obs"], acts=demos["acts"], rews=demos["rews"],
                         env="pendulum")
"""

from ._costlearn import (
    CostlearnError,
    episode_seed,
    load_demos,
    rollout,
    save_demos,
    spec,
    tasks,
)
from .envs import CostlearnEnv, CostlearnVecEnv, make, make_vec
from .sb3 import to_sb3

__all__ = [
    "CostlearnEnv",
    "CostlearnError",
    "CostlearnVecEnv",
    "episode_seed",
    "load_demos",
    "make",
    "make_vec",
    "rollout",
    "save_demos",
    "spec",
    "tasks",
    "to_sb3",
]
