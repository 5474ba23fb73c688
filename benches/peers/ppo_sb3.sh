#!/usr/bin/env bash
# Side by side: costlearn's PPO (`costlearn train rl --env pendulum`) and Stable-Baselines3's PPO on
# Gymnasium's Pendulum-v1, with the same settings and budget (60 iterations of 4000 steps by default),
# the same number of threads, in one run. Prints env steps, training wall-clock and the final policy's
# return (actions sampled, 64 episodes by default) for both: costlearn's on its own simulator (the
# start states of `costlearn train rl`'s evaluation) and, like SB3's, on Gymnasium's Pendulum-v1 from
# reset seeds 10000, 10001, ... (costlearn's weights played by ppo_sb3.py in numpy).
#
#   benches/peers/ppo_sb3.sh                   # 2 threads, seed 0, 60 iterations, 64 episodes
#   THREADS=1 SEED=1 ITERATIONS=40 EPISODES=256 benches/peers/ppo_sb3.sh
#
# stable-baselines3 and gymnasium go into a throw-away virtual environment, benches/peers/.venv-sb3
# (git-ignored).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/sb3_venv.sh"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

cd "$root"
cargo build --release --quiet
target="$(cargo metadata --format-version 1 --no-deps |
    "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
"$target/release/costlearn" train rl --env pendulum --out "$out/ours" --seed "$seed" \
    --iterations "$iterations" --threads "$threads" --eval-episodes "$episodes" >&2
"$venv/bin/python" "$here/ppo_sb3.py" --iterations "$iterations" --seed "$seed" \
    --threads "$threads" --eval-episodes "$episodes" --ours "$out/ours/weights.safetensors" \
    > "$out/sb3.json"

"$venv/bin/python" - "$out" <<'PY'
import csv, json, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/ours/metrics.csv")))
ours = json.load(open(f"{out}/ours/eval.json"))
sb3 = json.load(open(f"{out}/sb3.json"))
steps, wall = int(rows[-1]["env_steps"]), float(rows[-1]["wall_s"])
print(f"{'library':<10} {'env steps':>10} {'train s':>8} {'return, own sim':>18} {'return, Gymnasium':>20}")
print(f"{'costlearn':<10} {steps:>10} {wall:>8.1f} "
      f"{ours['return_mean']:>9.1f} ± {ours['return_std']:<6.1f} "
      f"{sb3['ours_return_mean']:>11.1f} ± {sb3['ours_return_std']:<6.1f}")
print(f"{'sb3':<10} {sb3['env_steps']:>10} {sb3['wall_s']:>8.1f} {'':>18} "
      f"{sb3['return_mean']:>11.1f} ± {sb3['return_std']:<6.1f}")
print(f"wall-clock ratio costlearn / sb3: {wall / sb3['wall_s']:.3f}")
PY
