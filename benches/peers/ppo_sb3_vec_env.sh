#!/usr/bin/env bash
# Side by side in one run: Stable-Baselines3's PPO trained on Gymnasium's Pendulum-v1 and on
# costlearn's pendulum through the Python package (`costlearn.to_sb3(costlearn.make_vec(...))`),
# with the same settings and budget (ppo_sb3.py, 60 iterations of 4000 steps by default), both
# policies scored on Gymnasium's Pendulum-v1 from the same reset seeds. Prints training wall-clock
# and return for each, and the ratio of the wall-clocks.
#
#   benches/peers/ppo_sb3_vec_env.sh               # 2 threads, seed 0, 60 iterations, 64 episodes
#   THREADS=1 SEED=1 ITERATIONS=20 benches/peers/ppo_sb3_vec_env.sh
#
# stable-baselines3, gymnasium and the package (python/, built by maturin) go into a throw-away
# virtual environment, benches/peers/.venv-sb3 (git-ignored).
set -euo pipefail

source "$(dirname "${BASH_SOURCE[0]}")/sb3_venv.sh"
echo "building costlearn's Python package into $venv" >&2
"$venv/bin/pip" install --quiet maturin "$root/python"

out="$(mktemp)"
trap 'rm -f "$out"' EXIT
for vec_env in gymnasium costlearn; do
    "$venv/bin/python" "$here/ppo_sb3.py" --vec-env "$vec_env" --iterations "$iterations" \
        --seed "$seed" --threads "$threads" --eval-episodes "$episodes" >> "$out"
done
"$venv/bin/python" - "$out" <<'PY'
import json, sys
runs = {r["vec_env"]: r for r in map(json.loads, open(sys.argv[1]))}
print(f"{'SB3 PPO trained on':<20} {'env steps':>10} {'train s':>8} {'return on Pendulum-v1':>24}")
for name, r in runs.items():
    print(f"{name:<20} {r['env_steps']:>10} {r['wall_s']:>8.1f} "
          f"{r['return_mean']:>14.1f} ± {r['return_std']:<6.1f}")
ratio = runs["costlearn"]["wall_s"] / runs["gymnasium"]["wall_s"]
print(f"wall-clock ratio costlearn / gymnasium: {ratio:.3f}")
PY
