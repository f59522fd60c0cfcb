#!/usr/bin/env bash
# Head roles of a real model and of a control: stories260K (a trained Llama) against a
# GPT-2-small-shaped model with random weights (bench/random_gpt2.py), both analysed on the
# induction probe (N random tokens repeated twice) with `attnscope analyze --induction`.
# A trained model shows roles; the random control should not.
# Usage: bench/focus_roles.sh [BUILD_DIR] [N]
set -euo pipefail
build="${1:-build}"
n="${2:-50}"
here="$(cd "$(dirname "$0")" && pwd)"
data="$here/../../shared/data"
[ -d "$data" ] || { echo "../shared/data is absent: nothing to measure"; exit 0; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
echo "cpu: $(lscpu | sed -n 's/^Model name: *//p')"
/usr/bin/python3 "$here/random_gpt2.py" "$tmp/random_gpt2" "$data/tokenizer_vectors_llamacpp/gpt2_vocab.json" \
  "$data/tokenizer_vectors_llamacpp/gpt2_merges.txt"
for m in "$data/model_stories260K_llama/stories260K.bin" "$tmp/random_gpt2"; do
  echo "== $(basename "$m") (induction probe: $n tokens x 2, 4 sequences)"
  "$build/attnscope" analyze "$m" --induction "$n" --probes 4 -o "$tmp/r.json"
  /usr/bin/python3 - "$tmp/r.json" <<'PY'
import collections, json, sys
r = json.load(open(sys.argv[1]))
roles = collections.Counter(h["role"] for L in r["layers"] for h in L["heads"])
print("roles:", ", ".join(f"{k} {v}" for k, v in roles.most_common()))
b = r["induction"]["best"]
print(f"best induction head: {b['layer']} head {b['head']} score {b['induction_mass']:.3f}")
PY
done
