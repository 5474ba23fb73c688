#!/usr/bin/env bash
# The share of a GCL run's CPU time spent inside the matrix-product kernel (`gemm`), per control
# task, and what that share puts under the standard suite's time.
#
#   bash benches/matmul_share.sh [RESULTS_CSV]
#
# Each task's default `train gcl` run (4 demonstrations, seed 0, one thread, as `bench` runs it) is
# sampled with `perf record` (Linux perf must be installed); a sample counts as a matrix product
# when its innermost function is one of gemm's. With RESULTS_CSV (a standard suite's results.csv),
# it also sums each task's GCL wall time times its share: the CPU seconds the suite spends in
# matrix products, and their floor on 2 cores, whatever the rest of the code costs.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
results=${1:-}
bin=$root/target/release/costlearn
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 2; }
command -v perf > /dev/null || { echo "perf is not installed" >&2; exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

shares=$scratch/shares.csv
echo "task,gemm_share" > "$shares"
for task in pendulum cartpole reacher navigation hopper; do
    perf record -q -F 499 -o "$scratch/$task.data" "$bin" train gcl --env "$task" \
        --demos "$root/demos/$task.npz" --num-demos 4 --seed 0 --threads 1 \
        --out "$scratch/$task" > /dev/null 2>&1
    # `perf report` lists each symbol's share of the samples, one per line: "  12.34%  dso  sym".
    share=$(perf report -q -i "$scratch/$task.data" --sort dso,sym --stdio 2> /dev/null \
        | awk '/gemm/ { sub("%", "", $1); s += $1 } END { printf "%.3f", s / 100 }')
    echo "$task,$share" >> "$shares"
    echo "$task: ${share} of the samples in gemm"
done

if [ -n "$results" ]; then
    # wall_s of every GCL run (both granularities) of each task, times that task's share.
    awk -F, 'NR == FNR { if (FNR > 1) share[$1] = $2; next }
        FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $(col["algorithm"]) ~ /^gcl/ && ($(col["task"]) in share) {
            wall[$(col["task"])] += $(col["wall_s"])
        }
        END {
            for (t in wall) { g += wall[t] * share[t]; w += wall[t] }
            printf "GCL runs: %.0f CPU s, of which %.0f s in gemm: at least %.0f s on 2 cores\n",
                w, g, g / 2
        }' "$shares" "$results"
fi
