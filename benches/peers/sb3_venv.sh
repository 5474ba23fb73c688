# Sourced by the SB3 comparisons: their settings from the environment (THREADS, SEED, ITERATIONS,
# EPISODES) and the throw-away virtual environment benches/peers/.venv-sb3 (git-ignored) with
# stable-baselines3 and gymnasium, created on first use. Sets `here`, `root`, `venv`, `threads`,
# `seed`, `iterations` and `episodes`, and caps every library's threads at `threads`.
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv-sb3"
threads="${THREADS:-2}"
seed="${SEED:-0}"
iterations="${ITERATIONS:-60}"
episodes="${EPISODES:-64}"

if ! "$venv/bin/python" -c "import stable_baselines3, gymnasium" 2>/dev/null; then
    echo "installing stable-baselines3 into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet stable-baselines3 gymnasium
fi
export RAYON_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"
