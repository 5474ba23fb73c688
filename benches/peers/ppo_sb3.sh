#!/usr/bin/env bash
# Side by side: costlearn's PPO (`costlearn train rl --env pendulum`) and Stable-Baselines3's PPO on
# Gymnasium's Pendulum-v1, with the same settings and budget (60 iterations of 4000 steps by default),
# the same number of threads, in one run. Prints env steps, training wall-clock and the final policy's
# return (actions sampled, 64 episodes) for both. The two evaluate on different start states
# (costlearn: those of the shipped demos; Gymnasium: reset seeds 10000..10063) and simulators.
#
#   benches/peers/ppo_sb3.sh                   # 2 threads, seed 0, 60 iterations
#   THREADS=1 SEED=1 ITERATIONS=40 benches/peers/ppo_sb3.sh
#
# stable-baselines3 and gymnasium go into a throw-away virtual environment, benches/peers/.venv-sb3
# (git-ignored).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv-sb3"
threads="${THREADS:-2}"
seed="${SEED:-0}"
iterations="${ITERATIONS:-60}"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if ! "$venv/bin/python" -c "import stable_baselines3, gymnasium" 2>/dev/null; then
    echo "installing stable-baselines3 into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet stable-baselines3 gymnasium
fi
export RAYON_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"

cd "$root"
cargo build --release --quiet
target="$(cargo metadata --format-version 1 --no-deps |
    "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
"$target/release/costlearn" train rl --env pendulum --out "$out/ours" --seed "$seed" \
    --iterations "$iterations" --threads "$threads" >&2
"$venv/bin/python" "$here/ppo_sb3.py" --iterations "$iterations" --seed "$seed" \
    --threads "$threads" > "$out/sb3.json"

"$venv/bin/python" - "$out" <<'PY'
import csv, json, sys
out = sys.argv[1]
rows = list(csv.DictReader(open(f"{out}/ours/metrics.csv")))
ours = json.load(open(f"{out}/ours/eval.json"))
sb3 = json.load(open(f"{out}/sb3.json"))
print(f"{'library':<10} {'env steps':>10} {'train s':>8} {'return (64 episodes)':>22}")
print(f"{'costlearn':<10} {int(rows[-1]['env_steps']):>10} {float(rows[-1]['wall_s']):>8.1f} "
      f"{ours['return_mean']:>12.1f} ± {ours['return_std']:<7.1f}")
print(f"{'sb3':<10} {sb3['env_steps']:>10} {sb3['wall_s']:>8.1f} "
      f"{sb3['return_mean']:>12.1f} ± {sb3['return_std']:<7.1f}")
PY
