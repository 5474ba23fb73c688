#!/usr/bin/env bash
# The GPU check, in two halves.
#
# 1. On a machine with cargo (no GPU needed), build the CUDA binaries into target/gpu-check/:
#      bash benches/gpu-check.sh build
#    The CUDA 13 build toolchain comes from ../shared/tools/cuda-build-env.sh (pip wheels and a
#    stub libcuda), installed once under $CUDA_BUILD_PREFIX (default ~/.cache/cuda13-build). The
#    build has its own target folder (target/gpu-build), so the CPU build in target/release stays,
#    and its binaries carry no debug information, so that target/gpu-check/ stays small to copy.
# 2. On the GPU machine (a CUDA driver, no Rust), from the repository root with target/gpu-check/
#    (about 25 MB) carried over:
#      bash benches/gpu-check.sh run
#    It runs the network tests (CUDA against CPU included), one `train gcl --device cuda` run next
#    to the same run on the CPU, and the CPU-vs-CUDA timings of a discriminator step at batch 4096
#    and 65536: about three minutes of GPU time. The two runs' folders go to $OUT when it is set.
#    Besides the driver's libcuda, the binaries load libcublas and libnvrtc of CUDA 13: from the
#    library path, the CUDA toolkit, or the NVIDIA wheels of the machine's Python.
set -euo pipefail
cd "$(dirname "$0")/.."
out=target/gpu-check

# Puts the folders holding the CUDA libraries the binaries need on LD_LIBRARY_PATH; fails naming
# any that is still missing.
cuda_libraries() {
  local dir wheels
  wheels=$(python3 -c 'import nvidia, os; print(os.path.join(nvidia.__path__[0], "cu13", "lib"))' \
    2> /dev/null || true)
  for dir in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib "$wheels"; do
    if [ -n "$dir" ] && [ -d "$dir" ]; then
      LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$dir"
    fi
  done
  export LD_LIBRARY_PATH
  if ldd "$out/costlearn" | grep 'not found' >&2; then
    echo "gpu-check: the libraries above are missing" >&2
    exit 1
  fi
}

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
  export CARGO_TARGET_DIR=target/gpu-build
  export CARGO_PROFILE_RELEASE_DEBUG=false CARGO_PROFILE_RELEASE_STRIP=true
  export CARGO_PROFILE_BENCH_STRIP=true
  cargo build --release --features cuda --bin costlearn
  cp "$CARGO_TARGET_DIR/release/costlearn" "$out/costlearn"
  cp "$(built test --release -p costlearn-agents --features cuda --lib --no-run)" "$out/agents-tests"
  cp "$(built bench -p costlearn-agents --features cuda --bench discriminator --no-run)" \
    "$out/discriminator-bench"
  du -sh "$out"/*
  ;;
run)
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv
  cuda_libraries
  "$out/agents-tests" nn:: --include-ignored
  runs=${OUT:-$out}
  for device in cuda cpu; do
    start=$(date +%s%N)
    "$out/costlearn" train gcl --env pendulum --demos demos/pendulum.npz --num-demos 16 \
      --iterations 20 --eval-episodes 16 --device "$device" --out "$runs/gcl-$device" --force
    echo "train gcl --device $device: $(( ($(date +%s%N) - start) / 1000000 )) ms"
  done
  "$out/discriminator-bench" --bench --warm-up-time 2 --measurement-time 5
  ;;
*)
  echo "usage: bash benches/gpu-check.sh build|run" >&2
  exit 2
  ;;
esac
