#!/usr/bin/env python3
"""Independent reference for attention rollout and attention flow (Abnar & Zuidema 2020), the
way their published code computes flow: networkx maximum flow on the full layered graph, one
(source, sink) pair at a time. tests/focus/attention_flow_test.cpp runs it on random cases and
bench/focus_flow.sh times it.

Usage: flow_reference.py IN OUT
  IN:  "L H T fusion" then L*H*T*T weights [layer, head, query, key] (whitespace separated),
       fusion in mean|max|min.
  OUT: "rollout" and T*T values, then "flow" and T*T values (row-major, rows = top-layer
       positions, columns = input tokens).
"""
import sys

import networkx as nx
import numpy as np


def residual_stack(w, fusion):
    """w [L, H, T, T] -> [L, T, T] with A_l = rownorm(fuse(W_l) + I)."""
    fused = {"mean": w.mean(axis=1), "max": w.max(axis=1), "min": w.min(axis=1)}[fusion]
    a = fused + np.eye(w.shape[-1])[None]
    return a / a.sum(axis=-1, keepdims=True)


def rollout(a):
    out = a[0]
    for layer in a[1:]:
        out = layer @ out
    return out


def layered_graph(a):
    """Node (l, t): position t after layer l; edge (l, a) -> (l-1, b) with capacity A_l[a, b]."""
    L, T, _ = a.shape
    g = nx.DiGraph()
    for l in range(1, L + 1):
        for x in range(T):
            for y in range(T):
                g.add_edge((l, x), (l - 1, y), capacity=float(a[l - 1, x, y]))
    return g


def flow_value(g, L, i, j, flow_func=None):
    """Max flow (L, i) -> (0, j); flow_func None is networkx's default (preflow-push)."""
    return nx.maximum_flow_value(g, (L, i), (0, j), flow_func=flow_func)


def flow(a):
    L, T, _ = a.shape
    g = layered_graph(a)
    raw = np.array([[flow_value(g, L, i, j) for j in range(T)] for i in range(T)])
    return raw / raw.sum(axis=1, keepdims=True)


def main():
    src, dst = sys.argv[1], sys.argv[2]
    with open(src) as f:
        head = f.readline().split()
        L, H, T, fusion = int(head[0]), int(head[1]), int(head[2]), head[3]
        w = np.array(f.read().split(), dtype=np.float64).reshape(L, H, T, T)
    a = residual_stack(w, fusion)
    with open(dst, "w") as f:
        for name, m in (("rollout", rollout(a)), ("flow", flow(a))):
            f.write(name + "\n" + " ".join(repr(float(v)) for v in m.ravel()) + "\n")


if __name__ == "__main__":
    main()
