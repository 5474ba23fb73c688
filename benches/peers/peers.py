"""Throughput of peer libraries on costlearn's control tasks, and the ratio table.

`--json OUT` measures EnvPool (num_threads=2), Gymnasium's SyncVectorEnv (one process, stepping
its copies in turn) and costlearn's own Python package (`costlearn.make_vec`, stepped from Python
like the others) with 32 environments and fixed pre-sampled actions, writing env steps/s to OUT.
`--table PEERS --criterion BENCH` prints the ratio table against costlearn's criterion output.
"""

import argparse
import json
import re
import time

# costlearn task -> (Gymnasium id, EnvPool id)
TASKS = {
    "pendulum": ("Pendulum-v1", "Pendulum-v1"),
    "reacher": ("Reacher-v5", "Reacher-v4"),
    "hopper": ("Hopper-v5", "Hopper-v4"),
}


def measure(step, reset, actions, num_envs, seconds=3.0):
    """Env steps per second of `step` over pre-sampled `actions`, after a short warm-up."""
    reset()
    for a in actions[:20]:
        step(a)
    steps, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        step(actions[steps % len(actions)])
        steps += 1
    return num_envs * steps / (time.perf_counter() - start)


def run_peers(num_envs, threads):
    import numpy as np

    results = {}
    for task, (gym_id, pool_id) in TASKS.items():
        row = {}
        try:
            import gymnasium as gym

            venv = gym.vector.SyncVectorEnv([lambda: gym.make(gym_id) for _ in range(num_envs)])
            rng = np.random.default_rng(0)
            space = venv.single_action_space
            acts = [rng.uniform(space.low, space.high, size=(num_envs,) + space.shape).astype(np.float32)
                    for _ in range(200)]
            row["gymnasium"] = measure(venv.step, lambda: venv.reset(seed=0), acts, num_envs)
            venv.close()
        except Exception as e:  # a missing package or environment skips the row
            print(f"gymnasium {gym_id}: {e}")
        try:
            import envpool

            env = envpool.make(pool_id, env_type="gymnasium", num_envs=num_envs,
                               batch_size=num_envs, num_threads=threads, seed=0)
            rng = np.random.default_rng(0)
            space = env.action_space
            acts = [rng.uniform(space.low, space.high, size=(num_envs,) + space.shape).astype(np.float32)
                    for _ in range(200)]
            row["envpool"] = measure(env.step, env.reset, acts, num_envs)
        except Exception as e:
            print(f"envpool {pool_id}: {e}")
        try:
            import costlearn

            venv = costlearn.make_vec(task, num_envs)
            rng = np.random.default_rng(0)
            space = venv.single_action_space
            acts = [rng.uniform(space.low, space.high, size=(num_envs,) + space.shape).astype(np.float32)
                    for _ in range(200)]
            row["costlearn-python"] = measure(venv.step, lambda: venv.reset(seed=0), acts, num_envs)
        except Exception as e:
            print(f"costlearn {task}: {e}")
        results[task] = row
        print(task, {k: round(v) for k, v in row.items()})
    return results


def parse_criterion(text):
    """{(task, layout, threads): elements/s} from criterion's console output."""
    units = {"elem/s": 1.0, "Kelem/s": 1e3, "Melem/s": 1e6, "Gelem/s": 1e9}
    out, current = {}, None
    for line in text.splitlines():
        m = re.match(r"^control_step/(\w+)/(\w+)/(\d+)t", line.strip())
        if m:
            current = (m.group(1), m.group(2), int(m.group(3)))
        m = re.search(r"thrpt:\s*\[\S+ \S+ (\S+) (\S+)", line)
        if m and current:
            out[current] = float(m.group(1)) * units[m.group(2)]
            current = None
    return out


def table(peers, ours):
    def fmt(v):
        return f"{v / 1e3:8.0f}k" if v else "       -"

    def ratio(a, b):
        return f"{a / b:6.2f}x" if a and b else "      -"

    print()
    print("env steps/s, 32 envs, 2 threads (Gymnasium SyncVectorEnv is single-threaded)")
    print(f"{'task':<11}{'ours':>13}{'ours 1 world/env':>17}{'ours from Python':>17}{'EnvPool':>10}"
          f"{'Gymnasium':>11}{'vs EnvPool':>12}{'vs Gymnasium':>14}{'Python vs EnvPool':>19}")
    for task in TASKS:
        b = ours.get((task, "registry", 2))
        p = ours.get((task, "per_env", 2))
        pool = peers.get(task, {}).get("envpool")
        gym = peers.get(task, {}).get("gymnasium")
        py = peers.get(task, {}).get("costlearn-python")
        print(f"{task:<11}{fmt(b):>13}{fmt(p):>17}{fmt(py):>17}{fmt(pool):>10}{fmt(gym):>11}"
              f"{ratio(b, pool):>12}{ratio(b, gym):>14}{ratio(py, pool):>19}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--num-envs", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json")
    ap.add_argument("--table")
    ap.add_argument("--criterion")
    args = ap.parse_args()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(run_peers(args.num_envs, args.threads), f)
    if args.table:
        with open(args.table) as f:
            peers = json.load(f)
        with open(args.criterion) as f:
            ours = parse_criterion(f.read())
        table(peers, ours)


if __name__ == "__main__":
    main()
