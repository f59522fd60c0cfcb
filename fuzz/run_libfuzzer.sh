#!/usr/bin/env bash
# Runs libFuzzer targets of a -DATTNSCOPE_BUILD_FUZZ=ON build for SECONDS each, at most two at a
# time (one job each: the machine's cores are shared), from the committed seeds plus those
# fuzz/make_seeds.py builds from ../shared/data. Working corpora, logs and any crash-* input go to
# BUILD/corpus/<target>/ and BUILD/fuzz-runs/<target>/; the last line of each log is libFuzzer's
# final statistics (execs/s, coverage, corpus size). Inputs are capped at 128 KB: the big real
# files (a 700 KB tokenizer.json, 1.8 MB GGUF vocabularies) are read truncated (the fuzz_smoke
# tests run them whole); uncapped they made every mutation that large (12 exec/s, and 13 s for
# one 700 KB text under ASan on a loaded machine); their cut versions from make_seeds.py keep the
# structure within the cap.
#   fuzz/run_libfuzzer.sh BUILD SECONDS TARGET...    e.g. build-fuzz 600 tokenizer npy
set -euo pipefail
[ $# -ge 3 ] || { echo "usage: $0 BUILD SECONDS TARGET..." >&2; exit 2; }
build=$(cd "$1" && pwd) seconds=$2
shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
python3 "$src/fuzz/make_seeds.py" "$src/../shared/data" "$build/fuzz-seeds"

run_one() {  # target
  local t=$1 seeds=$1
  [ "$t" = viz ] && seeds="trace viz"
  mkdir -p "$build/corpus/$t" "$build/fuzz-runs/$t"
  for s in $seeds; do cp -n "$src/fuzz/corpus/$s"/* "$build/corpus/$t/" 2>/dev/null || true; done
  [ -d "$build/fuzz-seeds/$t" ] && cp -n "$build/fuzz-seeds/$t"/* "$build/corpus/$t/"
  cd "$build/fuzz-runs/$t"
  "$build/fuzz/fuzz_$t" -jobs=1 -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=131072 \
    -print_final_stats=1 "$build/corpus/$t" >/dev/null 2>&1 || true
  local n
  n=$(find "$build/corpus/$t" -type f | wc -l)
  echo "$t: $(grep -E '^#[0-9]+.*(DONE|pulse)' fuzz-0.log | tail -1) | corpus files $n | crashes $(ls crash-* oom-* timeout-* 2>/dev/null | wc -l)"
}

# Two at a time.
pids=()
for t in "$@"; do
  run_one "$t" &
  pids+=($!)
  if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
wait
