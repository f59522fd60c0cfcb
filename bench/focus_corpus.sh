#!/usr/bin/env bash
# Corpus-scale analysis of stories260K: N English sentences of ../shared/data/tatoeba_eng_fra
# (5+ words, every 20th line) through `attnscope analyze --corpus` with every measure (head
# statistics and roles, faithfulness against leave-one-out and input gradients, head importance
# by ablation and gradient, the induction probe): wall time and peak RSS. Then the shard check:
# `--shard 0/2` + `--shard 1/2` + `analyze merge` against the single run (head measures).
# Usage: bench/focus_corpus.sh [BUILD_DIR] [N]
set -euo pipefail
default_n=1000 every=20 min_words=5
source "$(dirname "$0")/tatoeba_corpus.sh"
measure() {  # label, then the command: prints wall seconds and peak RSS
  local label="$1"; shift
  /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err"; exit 1; }
  read -r secs kb <"$tmp/time"
  printf '%-44s %8.1f s  peak RSS %6.1f MB\n' "$label" "$secs" "$(echo "$kb / 1024" | bc -l)"
}
measure "head measures and roles" "$build/attnscope" analyze "$model" --corpus "$tmp/corpus.txt" -q -o "$tmp/all.json"
measure "+ faithfulness, head importance, induction" "$build/attnscope" analyze "$model" --corpus "$tmp/corpus.txt" \
  --faithfulness --head-importance --induction 50 -q -o "$tmp/every.json"
"$build/attnscope" analyze "$model" --corpus "$tmp/corpus.txt" --shard 0/2 -q -o "$tmp/s0.json"
"$build/attnscope" analyze "$model" --corpus "$tmp/corpus.txt" --shard 1/2 -q -o "$tmp/s1.json"
"$build/attnscope" analyze merge "$tmp/s0.json" "$tmp/s1.json" -o "$tmp/merged.json" >/dev/null
/usr/bin/python3 - "$tmp/all.json" "$tmp/merged.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
same = a["layers"] == b["layers"] and a["sums"] == b["sums"]
print(f"shards 0/2 + 1/2 merged == single run: {same} ({a['sequences_analyzed']} sequences)")
sys.exit(0 if same else 1)
PY
