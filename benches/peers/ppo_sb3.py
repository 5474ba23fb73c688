"""Stable-Baselines3 PPO on Gymnasium's Pendulum-v1 with costlearn's pendulum settings.

Mirrors `PpoConfig::for_task("pendulum")`: 20 environments x 200 steps per iteration, 10 epochs of
minibatches of 500, gamma = lambda = 0.95, Adam 1e-3 (eps 1e-5), clip 0.2, gradients clipped to 0.5,
separate 64x64 tanh policy and value networks, initial log std 0, observations and rewards normalised
(VecNormalize). Prints one JSON object: env steps, training wall-clock, and the final policy's return
(actions sampled) over the evaluation episodes.

With `--vec-env costlearn`, SB3 trains on costlearn's own pendulum through its Python package
(`costlearn.to_sb3(costlearn.make_vec("pendulum", 20))`) instead of Gymnasium's; the policy is
scored on Gymnasium's Pendulum-v1 either way.

With `--ours WEIGHTS`, it also plays costlearn's trained policy (the `weights.safetensors` of a
`costlearn train rl --env pendulum` run) in Gymnasium's Pendulum-v1 from the same reset seeds, so
both libraries' policies are scored on one simulator and the same start states.
"""

import argparse
import json
import struct
import time

import gymnasium as gym
import numpy as np
import torch
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import VecNormalize


def load_safetensors(path):
    """The float32 tensors of a safetensors file, by name (the format: a little-endian u64 header
    length, a JSON header of dtypes, shapes and byte offsets, then the raw data)."""
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    tensors = {}
    for name, meta in header.items():
        if name == "__metadata__":
            continue
        assert meta["dtype"] == "F32", f"{name}: {meta['dtype']}"
        lo, hi = meta["data_offsets"]
        tensors[name] = np.frombuffer(data[lo:hi], dtype="<f4").reshape(meta["shape"])
    return tensors


def costlearn_policy(path, rng):
    """costlearn's Gaussian policy: obs normalised by the saved running statistics and clipped to
    [-10, 10], a tanh MLP for the mean, a state-independent log std; actions sampled."""
    w = load_safetensors(path)
    mean, var = w["obs_norm/mean"][0], w["obs_norm/var"][0]
    std = np.exp(w["policy/log_std"][0])
    layers = sorted({k.split(".")[1] for k in w if k.startswith("policy/mean.")}, key=int)

    def act(obs):
        h = np.clip((obs - mean) / np.sqrt(var + 1e-8), -10.0, 10.0)
        for i, k in enumerate(layers):
            h = h @ w[f"policy/mean.{k}.weight"] + w[f"policy/mean.{k}.bias"][0]
            if i + 1 < len(layers):
                h = np.tanh(h)
        return h + std * rng.standard_normal(h.shape)

    return act


def play(act, episodes, horizon):
    """Returns of `act` on Pendulum-v1 from reset seeds 10000, 10001, ..."""
    single = gym.make("Pendulum-v1")
    returns = []
    for i in range(episodes):
        obs, _ = single.reset(seed=10_000 + i)
        total = 0.0
        for _ in range(horizon):
            obs, reward, _, _, _ = single.step(act(obs))
            total += reward
        returns.append(total)
    return returns


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--iterations", type=int, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--eval-episodes", type=int, default=64)
    p.add_argument("--ours", help="costlearn weights to score on the same start states")
    p.add_argument("--vec-env", choices=["gymnasium", "costlearn"], default="gymnasium",
                   help="the simulator SB3 trains on")
    args = p.parse_args()
    torch.set_num_threads(args.threads)

    n_envs, horizon, gamma = 20, 200, 0.95
    if args.vec_env == "costlearn":
        import costlearn

        raw = costlearn.to_sb3(costlearn.make_vec("pendulum", n_envs))
        raw.seed(args.seed)
    else:
        raw = make_vec_env("Pendulum-v1", n_envs=n_envs, seed=args.seed)
    env = VecNormalize(raw, gamma=gamma)
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
    returns = play(
        lambda obs: model.predict(env.normalize_obs(obs[None]), deterministic=False)[0][0],
        args.eval_episodes,
        horizon,
    )
    ours = {}
    if args.ours:
        rng = np.random.default_rng(args.seed)
        played = play(costlearn_policy(args.ours, rng), args.eval_episodes, horizon)
        ours = {"ours_return_mean": float(np.mean(played)), "ours_return_std": float(np.std(played))}
    print(
        json.dumps(
            {
                "vec_env": args.vec_env,
                "env_steps": steps,
                "wall_s": wall,
                "return_mean": float(np.mean(returns)),
                "return_std": float(np.std(returns)),
                "eval_episodes": args.eval_episodes,
                **ours,
            }
        )
    )


if __name__ == "__main__":
    main()
