#!/usr/bin/env bash
# Focus-guided speed (issue 14), side by side in one run, one thread, CPU time:
#  1. head pruning curves (quality vs share of heads pruned vs forward time): stories260K ranked
#     by ablation and by gradient on 32 Tatoeba English sentences, perplexity on 200 other
#     sentences joined (cut at the 512-token context); the Transformer date translator ranked by
#     ablation on 32 held-out dates, exact match / character BLEU on 500 others (it is trained
#     first, ~1 min, unless a checkpoint is given).
#  2. attention sinks: stories260K perplexity on ~2,000 tokens of Tatoeba English (4x its context)
#     with a 256-row cache: sinks (picked by the sink analysis) + window, window alone, and the
#     sliding window recomputed per token (the reference); tokens/s each.
# Usage: bench/focus_speed.sh [BUILD_DIR] [DATES_CHECKPOINT]
set -euo pipefail
build="${1:-build}"
ckpt="${2:-}"
here="$(cd "$(dirname "$0")" && pwd)"
data="$here/../../shared/data"
[ -d "$data" ] || { echo "../shared/data is absent: nothing to measure"; exit 0; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export ATTNSCOPE_THREADS=1 OMP_WAIT_POLICY=passive
bin="$build/attnscope"
model="$data/model_stories260K_llama/stories260K.bin"
eng="$data/tatoeba_eng_fra/eng-fra.txt"
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
cut -f1 "$eng" | sed -n 60001,60032p > "$tmp/calibrate.txt"
cut -f1 "$eng" | sed -n 90001,90200p > "$tmp/held_out.txt"
cut -f1 "$eng" | sed -n 100001,100095p | tr '\n' ' ' > "$tmp/long.txt"
for by in ablation gradient; do
  echo "== prune stories260K --by $by"
  "$bin" prune "$model" --by "$by" --calibrate "$tmp/calibrate.txt" --data "$tmp/held_out.txt" --repeats 20
done
if [ -z "$ckpt" ]; then
  ckpt="$tmp/dates.safetensors"
  "$bin" train translate --builtin dates --arch transformer --seed 1 -q -o "$ckpt" | tail -n 2
fi
echo "== prune the Transformer date translator --by ablation"
"$bin" prune "$ckpt" --by ablation --calibrate-lines 32 --held-out 500 --repeats 5
echo "== sinks: stories260K on $(wc -w < "$tmp/long.txt") words of Tatoeba English (cache of 256 rows)"
text="$(cat "$tmp/long.txt")"
"$bin" run "$model" "$text" --perplexity --window 252 --sinks auto | grep -E '^(sinks|perplexity)='
"$bin" run "$model" "$text" --perplexity --window 252 --sinks 4 | grep '^perplexity='
"$bin" run "$model" "$text" --perplexity --window 256 | grep '^perplexity='
"$bin" run "$model" "$text" --perplexity --window 256 --recompute | grep '^perplexity='
echo "== full attention within the context (first 512 tokens), for scale"
"$bin" run "$model" "$text" --perplexity --window 512 --recompute | grep '^perplexity='
