#!/usr/bin/env bash
# Captioner training (soft attention with each data's defaults, C = 64, H = 128, B = 32 images, captions of 12 words):
# attnscope against the same model in Debian's PyTorch (python3-torch), same batch, image size and
# thread count, measured back to back in one run, for 32 px (scenes) and 64 px (photos); the load
# average (1 min) at the end of each pair is printed (the machine may be shared).
# Usage: bench/caption.sh [BUILD_DIR] [THREADS]
set -euo pipefail
build="${1:-build}"
threads="${2:-1}"
here="$(cd "$(dirname "$0")" && pwd)"
for side in 32 64; do
  # Ours then theirs for each size, so the two of a pair see about the same load on a shared machine.
  ours="$(ATTNSCOPE_THREADS=$threads OMP_WAIT_POLICY=passive "$build/bench/bench_caption_train" --benchmark_format=json --benchmark_filter="S:$side/")"
  theirs="$(/usr/bin/python3 "$here/caption_torch.py" 32 "$side" "$threads" 2>/dev/null || true)"
  /usr/bin/python3 - "$ours" "$theirs" "$threads" "$side" <<'PY'
import json, os, sys
side = int(sys.argv[4])
ours = next(b["images_per_s"] for b in json.loads(sys.argv[1])["benchmarks"] if f"S:{side}" in b["name"])
theirs = json.loads(sys.argv[2])["images_per_s"] if sys.argv[2].strip() else None
print(f"caption training (soft), B=32 S={side} T=12, {sys.argv[3]} thread(s), load {os.getloadavg()[0]:.1f}: attnscope {ours:.1f} images/s", end="")
print(f", PyTorch {theirs:.1f} images/s, ratio {ours / theirs:.2f}x" if theirs else " (PyTorch not installed: apt-get install python3-torch)")
PY
done
