#!/usr/bin/env bash
# The GPU check, in two halves.
#
# 1. On a machine with cargo (no GPU needed), build the CUDA binaries into target/gpu-check/:
#      bash benches/gpu-check.sh build
#    The CUDA 13 build toolchain comes from ../shared/tools/cuda-build-env.sh (pip wheels and a
#    stub libcuda), installed once under $CUDA_BUILD_PREFIX (default ~/.cache/cuda13-build).
# 2. On the GPU machine (a CUDA driver, no Rust), from the repository root with target/gpu-check/
#    carried over:
#      bash benches/gpu-check.sh run
#    It runs the network tests (CUDA against CPU included), one `train gcl --device cuda` run next
#    to the same run on the CPU, and the CPU-vs-CUDA timings of a discriminator step at batch 4096
#    and 65536: about three minutes of GPU time.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/gpu-check

# The path of the executable cargo built for `$@` (given --message-format=json).
built() {
  cargo "$@" --message-format=json \
    | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -1
}

case "${1:-}" in
build)
  prefix=${CUDA_BUILD_PREFIX:-$HOME/.cache/cuda13-build}
  [ -f "$prefix/env.sh" ] || bash ../shared/tools/cuda-build-env.sh "$prefix"
  # shellcheck disable=SC1091
  . "$prefix/env.sh"
  mkdir -p "$out"
  cargo build --release --features costlearn-agents/cuda --bin costlearn
  cp target/release/costlearn "$out/costlearn"
  cp "$(built test --release -p costlearn-agents --features cuda --lib --no-run)" "$out/agents-tests"
  cp "$(built bench -p costlearn-agents --features cuda --bench discriminator --no-run)" \
    "$out/discriminator-bench"
  echo "built $out/: costlearn, agents-tests, discriminator-bench"
  ;;
run)
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  "$out/agents-tests" nn:: --include-ignored
  for device in cuda cpu; do
    start=$(date +%s%N)
    "$out/costlearn" train gcl --env pendulum --demos demos/pendulum.npz --num-demos 16 \
      --iterations 20 --eval-episodes 16 --device "$device" --out "$out/gcl-$device" --force
    echo "train gcl --device $device: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  done
  "$out/discriminator-bench" --bench --warm-up-time 2 --measurement-time 5
  ;;
*)
  echo "usage: bash benches/gpu-check.sh build|run" >&2
  exit 2
  ;;
esac
