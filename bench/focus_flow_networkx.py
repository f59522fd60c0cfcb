#!/usr/bin/env python3
"""Times the networkx reference of attention flow (tests/focus/flow_reference.py: the full
layered graph, one maximum_flow_value per (source, sink) pair, as Abnar & Zuidema's code does)
on random causal attention like bench/focus_flow.cpp's: 12 layers, 12 heads (softmax of
N(0, 2^2) logits) fused by mean. Two flow functions: networkx's default (preflow-push) and
Edmonds-Karp, the one Abnar & Zuidema's attention_graph_util.py passes (their code also solves
every inner node as a source, L times more pairs than the N x N matrix timed here). Prints one
JSON line per function {"algorithm", "n", "pairs_timed", "pairs", "seconds_timed",
"seconds_full"}: when the budget does not allow all N^2 pairs, a random subset is timed and the
full matrix extrapolated (seconds_full = seconds_timed * pairs / pairs_timed).
Usage: focus_flow_networkx.py [N] [BUDGET_SECONDS_PER_FUNCTION]"""
import json
import os
import random
import sys
import time

import networkx as nx
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "focus"))
import flow_reference as ref  # noqa: E402


def random_causal(n, layers=12, heads=12, sharpness=2.0, seed=7):
    rng = np.random.default_rng(seed)
    logits = sharpness * rng.standard_normal((layers, heads, n, n))
    logits[..., np.triu(np.ones((n, n), dtype=bool), 1)] = -np.inf
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def main():
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 32
    budget = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
    a = ref.residual_stack(random_causal(n), "mean")
    L = a.shape[0]
    g = ref.layered_graph(a)
    pairs = [(i, j) for i in range(n) for j in range(n)]
    random.Random(0).shuffle(pairs)
    for name, func in (("preflow_push", None), ("edmonds_karp", nx.algorithms.flow.edmonds_karp)):
        timed = 0
        start = time.perf_counter()
        for i, j in pairs:
            ref.flow_value(g, L, i, j, func)
            timed += 1
            if time.perf_counter() - start > budget:
                break
        secs = time.perf_counter() - start
        print(json.dumps({"algorithm": name, "n": n, "pairs_timed": timed, "pairs": len(pairs),
                          "seconds_timed": secs, "seconds_full": secs * len(pairs) / timed}), flush=True)


if __name__ == "__main__":
    main()
