#!/usr/bin/env bash
# Side-by-side timing of one MLP training step (64->256->256->1, tanh, batch 256 and 4096):
# costlearn's criterion bench `agents/benches/mlp.rs` against PyTorch on the CPU, with the same
# number of threads, in one run. Prints both times and the ratio costlearn / torch (below 1 means
# costlearn is faster), by the median and by the minimum over samples.
#
#   benches/peers/mlp_torch.sh            # 1 thread
#   THREADS=2 benches/peers/mlp_torch.sh
#
# PyTorch goes into a throw-away virtual environment, benches/peers/.venv-torch (git-ignored).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="$here/.venv-torch"
threads="${THREADS:-1}"

if ! "$venv/bin/python" -c "import torch, numpy" 2>/dev/null; then
    echo "installing torch into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet torch numpy
fi

export RAYON_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"

cd "$root"
cargo bench -p costlearn-agents --bench mlp -- --output-format bencher >&2
target="$(cargo metadata --format-version 1 --no-deps |
    "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')"
"$venv/bin/python" "$here/mlp_torch.py" --threads "$threads" \
    --criterion-dir "$target/criterion/mlp_64_256_256_1_tanh_train_step"
