#!/usr/bin/env bash
# Side-by-side timing of one MLP training step (64->256->256->1, tanh, batch 256 and 4096):
# costlearn's criterion bench `agents/benches/mlp.rs` against PyTorch on the CPU, with the same
# number of threads, in one run. Prints both times and the ratio costlearn / torch.
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

if ! "$venv/bin/python" -c "import torch" 2>/dev/null; then
    echo "installing torch into $venv" >&2
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet torch numpy
fi

export RAYON_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads" MKL_NUM_THREADS="$threads"

cd "$root"
ours="$(cargo bench -p costlearn-agents --bench mlp -- --output-format bencher 2>/dev/null |
    awk '/^test .*mlp_64_256_256_1_tanh_train_step\// {
        split($2, name, "/"); gsub(",", "", $5); print "costlearn", name[2], $5 }')"
theirs="$("$venv/bin/python" "$here/mlp_torch.py" --threads "$threads")"

echo "threads: $threads"
printf '%-8s %14s %14s %8s\n' batch costlearn_ns torch_ns ratio
while read -r _ batch ns; do
    t="$(awk -v b="$batch" '$2 == b { print $3 }' <<<"$theirs")"
    awk -v b="$batch" -v o="$ns" -v t="$t" \
        'BEGIN { printf "%-8s %14.0f %14.0f %8.2f\n", b, o, t, o / t }'
done <<<"$ours"
