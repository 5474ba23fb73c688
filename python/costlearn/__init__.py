"""costlearn from Python: its tasks as Gymnasium environments, its demonstration files as numpy,
its learners as classes.

    import costlearn
    env = costlearn.make("pendulum")                  # a gymnasium.Env
    envs = costlearn.make_vec("pendulum", 32)         # a gymnasium.vector.VectorEnv, stepped in Rust
    demos = costlearn.load_demos("demos/pendulum.npz")
    costlearn.save_demos("mine.npz", obs=demos["obs"], acts=demos["acts"], rews=demos["rews"],
                         env="pendulum")
    gcl = costlearn.GCL("pendulum", "demos/pendulum.npz", num_demos=16, seed=0).train()
    gcl.cost(obs, acts); gcl.policy.act(obs); gcl.evaluate(); gcl.save("runs/gcl")
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
from .learners import BC, GCL, Policy, bench
from .sb3 import to_sb3

__all__ = [
    "BC",
    "GCL",
    "Policy",
    "bench",
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
