#!/usr/bin/env bash
# GPT-2-small-shaped forward: attnscope (capture off / stats / dense) vs plain PyTorch (Debian's
# python3-torch, 2 threads) in the same run, with ratios. Usage: bench/models_gpt2.sh [BUILD_DIR]
set -euo pipefail
build="${1:-build}"
here="$(cd "$(dirname "$0")" && pwd)"
json="$(mktemp)"
trap 'rm -f "$json"' EXIT
ATTNSCOPE_THREADS="${ATTNSCOPE_THREADS:-2}" "$build/bench/bench_models_gpt2" --benchmark_format=json >"$json"
torch_json="$(/usr/bin/python3 "$here/models_gpt2_torch.py" 2>/dev/null || true)"
/usr/bin/python3 - "$json" "$torch_json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))["benchmarks"]
torch = json.loads(sys.argv[2])["tokens_per_s"] if sys.argv[2].strip() else None
print(f"{'T':>5} {'capture':>8} {'attnscope tok/s':>16} {'torch tok/s':>12} {'ratio':>7} {'time vs torch':>14}")
for r in runs:
    if r["name"].startswith("BM_Gpt2Decode"):
        print(f"{'gen':>5} {'off':>8} {r['tokens_per_s']:>16.1f} {'n/a':>12}   (one token per step after a 128-token prompt)")
        continue
    T = int(r["name"].split("T:")[1].split("/")[0])
    cap = r["label"].split("=")[1]
    ours = r["tokens_per_s"]
    t = torch.get(str(T)) if torch else None
    print(f"{T:>5} {cap:>8} {ours:>16.1f} " + (f"{t:>12.1f} {ours / t:>7.2f} {t / ours:>13.2f}x" if t else f"{'n/a':>12}"))
if not torch:
    print("(PyTorch not installed: apt-get install python3-torch for the comparison)")
PY
