#!/usr/bin/env bash
# Sentiment classifier training (BiGRU + attention pooling, B = 32 sentences of 20 words, H = 128):
# attnscope against the same model in Debian's PyTorch (python3-torch), same batch and thread
# count, measured back to back in one run. Usage: bench/sentiment.sh [BUILD_DIR] [THREADS]
set -euo pipefail
build="${1:-build}"
threads="${2:-1}"
here="$(cd "$(dirname "$0")" && pwd)"
ours="$(ATTNSCOPE_THREADS=$threads OMP_WAIT_POLICY=passive "$build/bench/bench_sentiment_train" --benchmark_min_time=3 --benchmark_format=json)"
theirs="$(/usr/bin/python3 "$here/sentiment_torch.py" 32 20 128 "$threads" 2>/dev/null || true)"
/usr/bin/python3 - "$ours" "$theirs" "$threads" <<'PY'
import json, sys
ours = json.loads(sys.argv[1])["benchmarks"][0]["sentences_per_s"]
theirs = json.loads(sys.argv[2])["sentences_per_s"] if sys.argv[2].strip() else None
print(f"sentiment training, B=32 T=20 H=128, {sys.argv[3]} thread(s): attnscope {ours:.0f} sentences/s", end="")
print(f", PyTorch {theirs:.0f} sentences/s, ratio {ours / theirs:.2f}x" if theirs else " (PyTorch not installed: apt-get install python3-torch)")
PY
