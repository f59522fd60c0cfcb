#!/usr/bin/env bash
# make bench: every benchmark program, then the attention table and summary.
#   bench/run_all.sh BUILD_DIR
set -euo pipefail
build="${1:-build}"
here="$(cd "$(dirname "$0")" && pwd)"
clock=()
[[ "${ATTNSCOPE_BENCH_CLOCK:-}" == cpu ]] && clock=(--clock=cpu)
"$build/bench/peak" "${clock[@]}"
# Other Google Benchmark programs (bench_<name>, besides the attention one) run with their defaults.
for b in "$build"/bench/bench_*; do
  [[ -x "$b" && "$(basename "$b")" != bench_attention ]] || continue
  echo "== $(basename "$b")"
  "$b" --benchmark_min_time=0.05
done
"$here/attention.sh" "$build"
