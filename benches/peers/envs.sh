#!/usr/bin/env bash
# Side-by-side throughput of costlearn's Rapier tasks, EnvPool and Gymnasium (SyncVectorEnv):
# 32 environments on 2 threads, env steps per second, printed as a ratio table.
#
# Creates a throw-away virtual environment in benches/peers/.venv (gitignored) with gymnasium (with
# its MuJoCo extra), mujoco, envpool and costlearn's Python package (python/, built by maturin),
# measures the peers and costlearn stepped from Python with peers.py, runs costlearn's criterion
# bench (envs/benches/control.rs) in the same run, and prints the table. EnvPool has Reacher and
# Hopper up to v4, so it is measured on those; Gymnasium on v5.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --upgrade pip
fi
for pkg in "gymnasium[mujoco]" mujoco envpool "$root/python"; do
    "$venv/bin/pip" install --quiet "$pkg" || echo "warning: could not install $pkg; its rows are skipped" >&2
done

"$venv/bin/python" "$here/peers.py" --num-envs 32 --threads 2 --json "$out/peers.json"

(cd "$root" && cargo bench -p costlearn-envs --bench control -- --noplot 2>&1) | tee "$out/bench.txt" >/dev/null

"$venv/bin/python" "$here/peers.py" --table "$out/peers.json" --criterion "$out/bench.txt"
