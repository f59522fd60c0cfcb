#!/usr/bin/env bash
# Faithfulness of attention explanations on stories260K (Abnar & Zuidema 2020, Table 1, for a
# decoder): per layer, Spearman's rho of raw attention, rollout, flow and the gradient methods
# (attention x |value|, gradient x attention, Chefer rollout) against leave-one-out and against
# input gradients, for the last token's prediction, averaged over N English sentences of
# ../shared/data/tatoeba_eng_fra (8+ words each, every 50th line). Also head importance by
# ablation against its first-order gradient estimate.
# Usage: bench/focus_faithfulness.sh [BUILD_DIR] [N]
set -euo pipefail
default_n=200 every=50 min_words=8
source "$(dirname "$0")/tatoeba_corpus.sh"
start=$(date +%s.%N)
"$build/attnscope" analyze "$model" --corpus "$tmp/corpus.txt" --faithfulness --head-importance -o "$tmp/r.json"
echo "analyze --faithfulness --head-importance: $(echo "$(date +%s.%N) - $start" | bc) s"
/usr/bin/python3 - "$tmp/r.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
hi = r["head_importance"]
a = [v for L in hi["layers"] for v in L]
g = [v for L in hi["gradient"]["layers"] for v in L]
def ranks(x):
    order = sorted(range(len(x)), key=lambda i: x[i]); out = [0] * len(x)
    for k, i in enumerate(order): out[i] = k
    return out
ra, rg = ranks(a), ranks(g)
n = len(a); ma = sum(ra) / n; mg = sum(rg) / n
num = sum((x - ma) * (y - mg) for x, y in zip(ra, rg))
den = (sum((x - ma) ** 2 for x in ra) * sum((y - mg) ** 2 for y in rg)) ** 0.5
print(f"head importance over {hi['texts']} texts: Spearman(ablation, first-order gradient estimate) = {num / den:.3f}")
PY
