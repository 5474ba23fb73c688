#!/usr/bin/env bash
# Wall time of the quick start's GCL run (pendulum, 16 demonstrations, the task's default 60
# iterations and 64 evaluation episodes) for two builds of costlearn, run in alternation on the same
# machine so that its drift hits both alike. Prints every time, the medians and their ratio.
#
#   bash benches/gcl_run_time.sh BASELINE [CANDIDATE] [PAIRS]
#
# BASELINE and CANDIDATE are `costlearn` binaries (CANDIDATE defaults to target/release/costlearn),
# PAIRS the number of alternations (default 5). A baseline of an earlier commit:
#   git worktree add /tmp/base <rev> && (cd /tmp/base && cargo build --release)
#   bash benches/gcl_run_time.sh /tmp/base/target/release/costlearn
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
baseline=${1:?usage: gcl_run_time.sh BASELINE [CANDIDATE] [PAIRS]}
candidate=${2:-$root/target/release/costlearn}
pairs=${3:-5}
for bin in "$baseline" "$candidate"; do
    [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }
done
baseline=$(realpath "$baseline")
candidate=$(realpath "$candidate")
cd "$root"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

run() {
    local start end
    start=$(date +%s.%N)
    "$1" train gcl --env pendulum --demos demos/pendulum.npz --num-demos 16 --seed 0 \
        --out "$scratch/run" --force > /dev/null
    end=$(date +%s.%N)
    echo "$end - $start" | bc
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

: > "$scratch/baseline"
: > "$scratch/candidate"
for i in $(seq 1 "$pairs"); do
    b=$(run "$baseline")
    c=$(run "$candidate")
    echo "pair $i: baseline $b s, candidate $c s"
    echo "$b" >> "$scratch/baseline"
    echo "$c" >> "$scratch/candidate"
done
mb=$(median < "$scratch/baseline")
mc=$(median < "$scratch/candidate")
echo "median: baseline $mb s, candidate $mc s, candidate / baseline $(echo "scale=3; $mc / $mb" | bc)"
