#!/usr/bin/env bash
# Exact attention flow: attnscope's cost curve (full N x N matrix and one row, random causal
# attention, 12 layers x 12 heads fused by mean) and the networkx reference at N = 32 in the same
# run, with the speed-up. Usage: bench/focus_flow.sh [BUILD_DIR] [NETWORKX_BUDGET_SECONDS]
# The reference times a random subset of the N^2 (source, sink) pairs when the budget (per flow
# function, default 60 s) runs out, and extrapolates to the full matrix; the output says so.
set -euo pipefail
build="${1:-build}"
budget="${2:-60}"
here="$(cd "$(dirname "$0")" && pwd)"
json="$(mktemp)"
trap 'rm -f "$json"' EXIT
echo "CPU: $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) cores; ATTNSCOPE_THREADS=${ATTNSCOPE_THREADS:-2}; load average $(cut -d' ' -f1-3 /proc/loadavg)"
ATTNSCOPE_THREADS="${ATTNSCOPE_THREADS:-2}" OMP_WAIT_POLICY=passive "$build/bench/bench_focus_flow" \
  --benchmark_filter='BM_Flow' --benchmark_format=json >"$json"
nx_json="$(/usr/bin/python3 "$here/focus_flow_networkx.py" 32 "$budget" 2>/dev/null || true)"
/usr/bin/python3 - "$json" "$nx_json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
secs = {}
for r in runs:
    kind, n = r["name"].split("/")[0][len("BM_Flow"):], int(r["name"].split("N:")[1].split("/")[0])
    secs[(kind, n)] = r["real_time"] / 1e3  # ms -> s
ns = sorted({n for _, n in secs})
print(f"{'N':>5} {'full N x N (s)':>15} {'one row (s)':>12}")
for n in ns:
    full = f"{secs[('Full', n)]:.4f}" if ('Full', n) in secs else "-"
    print(f"{n:>5} {full:>15} {secs[('Row', n)]:>12.4f}")
check = lambda ok: "ok" if ok else "MISSED"
if ("Full", 128) in secs:
    print(f"target full matrix N=128 <= 60 s: {secs[('Full', 128)]:.2f} s {check(secs[('Full', 128)] <= 60)}")
if ("Row", 512) in secs:
    print(f"target one row N=512 <= 10 s: {secs[('Row', 512)]:.2f} s {check(secs[('Row', 512)] <= 10)}")
lines = [json.loads(l) for l in sys.argv[2].splitlines() if l.strip()]
if not lines:
    print("networkx reference not run (apt-get install python3-networkx)")
for ref in lines:
    how = ("all pairs timed" if ref["pairs_timed"] == ref["pairs"] else
           f"extrapolated from {ref['pairs_timed']} of {ref['pairs']} random pairs in {ref['seconds_timed']:.1f} s")
    ours = secs[("Full", ref["n"])]
    print(f"networkx {ref['algorithm']} full matrix N={ref['n']}: {ref['seconds_full']:.1f} s ({how}); "
          f"attnscope {ours:.4f} s; speed-up {ref['seconds_full'] / ours:.0f}x")
PY
