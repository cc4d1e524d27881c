#!/usr/bin/env bash
# Runs rnn4j's CUDA backend on a machine with an NVIDIA GPU and no JDK, from the archive that
# prepare-gpu-check.sh made on a build machine (carry rnn-backend-cuda/target/gpu-check):
#   1. unpacks the jlink'ed runtime and the jars into a temporary folder;
#   2. prints the machine (nvidia-smi) and the backend's diagnostics (driver, device, compute capability,
#      which code of the fat binary runs);
#   3. runs the CUDA tests with JUnit's console launcher: every conformance contract on 'cuda', the kernels
#      against the cpu backend, the TF32 tensor-core product, the provider's checks;
#   4. runs rnn-bench --backends cuda,cpu --peers torch (torch on the GPU with cuDNN when
#      torch.cuda.is_available(), see rnn-bench's torch_bench.py);
#   5. prints a summary table last: the tests, then cuda against torch on the issue's two target workloads.
# Results (diagnostics, the launcher's tree, the benchmark's table and CSV) go to $OUT when set (the device
# tool returns it), else to rnn-backend-cuda/target/gpu-check/results. Exit status 0 when every test passed
# and the benchmark ran clean, 1 otherwise.
# Settings (environment): BENCH_WORKLOADS (default: all canonical), BENCH_BACKENDS (cuda,cpu), BENCH_PEERS
# (torch), BENCH_ARGS (extra rnn-bench options, e.g. "--iterations 5"), TESTS=0 to skip step 3, BENCH=0 to skip 4.
# Usage: bash rnn-backend-cuda/gpu-check.sh [ARCHIVE]
set -uo pipefail
MODULE="$(cd "$(dirname "$0")" && pwd)"
ARCHIVE="${1:-$MODULE/target/gpu-check/rnn4j-gpu-check.tar.gz}"
RESULTS="${OUT:-$MODULE/target/gpu-check/results}"
BENCH_WORKLOADS="${BENCH_WORKLOADS:-all}"
BENCH_BACKENDS="${BENCH_BACKENDS:-cuda,cpu}"
BENCH_PEERS="${BENCH_PEERS:-torch}"
BENCH_ARGS="${BENCH_ARGS:-}"
TRAIN=lstm-train-b64-t100-i512-h1024
INFER=lstm-infer-b1-t256-i128-h256

if [ ! -f "$ARCHIVE" ]; then
  echo "gpu-check.sh: $ARCHIVE is missing: run rnn-backend-cuda/prepare-gpu-check.sh on a build machine and carry rnn-backend-cuda/target/gpu-check" >&2
  exit 2
fi
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
tar -xzf "$ARCHIVE" -C "$WORK"
JAVA="$WORK/runtime/bin/java"
LIB="$WORK/lib"
CP="$(ls "$LIB"/*.jar | grep -v junit-platform-console-standalone | paste -sd:)"
mkdir -p "$RESULTS"
section() { printf '\n==== %s\n' "$*"; }

section "machine"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader
else
  echo "(no nvidia-smi on the PATH)"
fi
"$JAVA" -version 2>&1 | head -1
echo "python: $(command -v python3 || echo none); torch: $(python3 -c 'import torch; print(torch.__version__, "cuda" if torch.cuda.is_available() else "cpu only")' 2>/dev/null || echo 'not importable')"

section "diagnostics (org.rnn4j.cuda.CudaDiagnostics)"
"$JAVA" -cp "$CP" org.rnn4j.cuda.CudaDiagnostics | tee "$RESULTS/diagnostics.txt"
if grep -q '^  availability: available' "$RESULTS/diagnostics.txt"; then available=yes; else available=no; fi

tests="not run"
tests_ok=yes
if [ "${TESTS:-1}" != 0 ]; then
  section "CUDA tests (JUnit console launcher; the tree is in $RESULTS/tests.txt)"
  "$JAVA" -jar "$LIB/junit-platform-console-standalone.jar" execute --class-path "$CP" --scan-class-path "$LIB/rnn-backend-cuda-tests.jar" \
      --include-classname '^org\.rnn4j\.cuda\.Cuda.*Test$' --details tree --details-theme ascii --disable-banner \
      --disable-ansi-colors > "$RESULTS/tests.txt" 2>&1
  rc=$?
  grep -E '\[X\]' "$RESULTS/tests.txt" | head -40
  sed -n '/Test run finished/,$p' "$RESULTS/tests.txt"
  count() { sed -n "s/^\[ *\([0-9][0-9]*\) tests $1 *\]$/\1/p" "$RESULTS/tests.txt" | head -1; }
  tests="$(count successful) passed, $(count failed) failed, $(count aborted) skipped (aborted by an assumption), $(count skipped) disabled"
  [ "$rc" = 0 ] || tests_ok=no
fi

bench_ok=yes
if [ "${BENCH:-1}" != 0 ]; then
  section "rnn-bench --workloads $BENCH_WORKLOADS --backends $BENCH_BACKENDS --peers $BENCH_PEERS $BENCH_ARGS"
  if [ "$available" = no ] && [[ ",$BENCH_BACKENDS," == *",cuda,"* ]]; then
    echo "skipped: the cuda backend is unavailable here (see the diagnostics above)"
    bench_ok=no
  else
    # shellcheck disable=SC2086
    "$JAVA" -cp "$CP" org.rnn4j.bench.BenchMain --workloads "$BENCH_WORKLOADS" --backends "$BENCH_BACKENDS" --peers "$BENCH_PEERS" \
        --csv "$RESULTS/bench.csv" $BENCH_ARGS 2>&1 | tee "$RESULTS/bench.txt"
    [ "${PIPESTATUS[0]}" = 0 ] || bench_ok=no
  fi
fi

# median ms of IMPL on WORKLOAD from the benchmark's CSV (workload,impl,ms_median,...), or empty
ms() { [ -f "$RESULTS/bench.csv" ] && awk -F, -v w="$1" -v i="$2" '$1 == w && $2 == i { print $3 }' "$RESULTS/bench.csv" | head -1; }
ratio_line() { # workload, target ratio, comparison word
  local c t
  c="$(ms "$1" cuda)"
  t="$(ms "$1" torch)"
  if [ -n "$c" ] && [ -n "$t" ]; then
    awk -v w="$1" -v c="$c" -v t="$t" -v goal="$2" -v how="$3" 'BEGIN {
      r = c / t; ok = (how == "within" ? r <= goal : r < goal);
      printf "%-44s %9.2f ms %9.2f ms %7.2fx  %s %.1fx: %s\n", w, c, t, r, how, goal, ok ? "met" : "MISSED" }'
  else
    printf "%-44s %12s %12s %8s  %s\n" "$1" "${c:-n/a}" "${t:-n/a}" "n/a" "not measured (see the benchmark's output)"
  fi
}

section "summary"
printf "%-44s %s\n" "cuda availability" "$(sed -n 's/^  availability: //p' "$RESULTS/diagnostics.txt")"
printf "%-44s %s\n" "device" "$(sed -n 's/^  device: //p' "$RESULTS/diagnostics.txt")"
printf "%-44s %s\n" "code loaded" "$(sed -n 's/^  code loaded: //p' "$RESULTS/diagnostics.txt")"
printf "%-44s %s\n" "CUDA tests" "$tests"
printf "%-44s %12s %12s %8s  %s\n" "workload (median per step)" "cuda" "torch" "ratio" "target"
ratio_line "$TRAIN" 2.0 within
ratio_line "$INFER" 1.0 below
[ "$tests_ok" = yes ] && [ "$bench_ok" = yes ]
