#!/usr/bin/env bash
# make bench-attention: runs bench_attention over the whole grid, prints the table and ends with
# the summary line for 12 heads, head_dim 64, N = 2048, not causal.
#   bench/attention.sh BUILD_DIR [--quick]
# --quick: N <= 2048 only. ATTNSCOPE_BENCH_CLOCK=cpu times by process CPU seconds / threads
# (use it when other jobs share the machine; the peak is then measured the same way).
set -euo pipefail
build="${1:-build}"
quick="${2:-}"
bin="$build/bench/bench_attention"
[[ -x "$bin" ]] || { echo "bench/attention.sh: $bin not built (cmake --build $build --target bench_attention)" >&2; exit 1; }
out="$build/bench_attention"
mkdir -p "$out"
filter='.'
[[ "$quick" == "--quick" ]] && filter='/n:(128|512|1024|2048)/'
# 1) the grid: one pass, short minimum time (the large rows run once).
"$bin" --benchmark_filter="$filter" --benchmark_min_time=0.05 \
  --benchmark_format=console --benchmark_out_format=json --benchmark_out="$out/grid.json" >&2
# 2) the summary rows again, 5 repetitions each; the table and summary use the fastest run.
"$bin" --benchmark_filter='/hs:64/n:2048/' --benchmark_min_time=0.2 --benchmark_repetitions=5 \
  --benchmark_format=console --benchmark_out_format=json --benchmark_out="$out/summary.json" >&2
/usr/bin/python3 "$(dirname "$0")/attention_table.py" "$out/grid.json" "$out/summary.json"
