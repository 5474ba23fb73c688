"""Stable-Baselines3 PPO on Gymnasium's Pendulum-v1 with costlearn's pendulum settings.

Mirrors `PpoConfig::for_task("pendulum")`: 20 environments x 200 steps per iteration, 10 epochs of
minibatches of 500, gamma = lambda = 0.95, Adam 1e-3 (eps 1e-5), clip 0.2, gradients clipped to 0.5,
separate 64x64 tanh policy and value networks, initial log std 0, observations and rewards normalised
(VecNormalize). Prints one JSON object: env steps, training wall-clock, and the final policy's return
(actions sampled) over the evaluation episodes.
"""

import argparse
import json
import time

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import VecNormalize


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iterations", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--eval-episodes", type=int, default=64)
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    n_envs, horizon, gamma = 20, 200, 0.95
    env = VecNormalize(
        make_vec_env("Pendulum-v1", n_envs=n_envs, seed=args.seed), gamma=gamma
    )
    model = PPO(
        "MlpPolicy",
        env,
        n_steps=horizon,
        batch_size=500,
        n_epochs=10,
        gamma=gamma,
        gae_lambda=0.95,
        learning_rate=1e-3,
        clip_range=0.2,
        max_grad_norm=0.5,
        ent_coef=0.0,
        policy_kwargs=dict(
            net_arch=dict(pi=[64, 64], vf=[64, 64]),
            activation_fn=torch.nn.Tanh,
            log_std_init=0.0,
        ),
        seed=args.seed,
        device="cpu",
        verbose=0,
    )
    steps = args.iterations * n_envs * horizon
    start = time.perf_counter()
    model.learn(total_timesteps=steps)
    wall = time.perf_counter() - start

    env.training = False
    env.norm_reward = False
    single = gym.make("Pendulum-v1")
    returns = []
    for i in range(args.eval_episodes):
        obs, _ = single.reset(seed=10_000 + i)
        total = 0.0
        for _ in range(horizon):
            action, _ = model.predict(env.normalize_obs(obs[None]), deterministic=False)
            obs, reward, _, _, _ = single.step(action[0])
            total += reward
        returns.append(total)
    print(
        json.dumps(
            {
                "env_steps": steps,
                "wall_s": wall,
                "return_mean": float(np.mean(returns)),
                "return_std": float(np.std(returns)),
                "eval_episodes": args.eval_episodes,
            }
        )
    )


if __name__ == "__main__":
    main()
