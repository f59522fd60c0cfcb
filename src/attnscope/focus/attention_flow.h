// Attention flow (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"), exact.
// The layers form a graph of L + 1 rows of T nodes: node (l, a) is position a after layer l
// (l = 0: the input tokens), and edge (l, a) -> (l-1, b) has capacity Â_l[a, b], with
// Â_l = rownorm(W_l + I) (focus/residual_attention.h). flow[i][j] is the maximum flow from
// (L, i) to (0, j), each row then divided by its sum.
//
// Solved pair by pair with Dinic's algorithm (focus/max_flow.h) in double precision, threaded
// over (source, sink) pairs with parallel_for (each pair is solved the same way on any thread,
// so results do not depend on the thread count). Per pair the graph keeps only nodes that the
// source reaches and that reach the sink (bitset reachability computed once per source and per
// sink): in causal attention node (l, a) reaches only b <= a, so pair (i, j) keeps positions
// j..i of each inner layer, and layer 0 keeps only the sink. Cost and measured times: docs/FOCUS.md.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/focus/attention_map.h"
#include "attnscope/focus/head_fusion.h"

namespace attnscope::focus {

// The [T, T] flow of a stack of head-fused [T, T] layers W_l, lowest first (check_stack errors):
// rows are the top layer's positions, columns the input tokens.
AttentionMap attention_flow(const std::vector<AttentionMap>& stack);

// One row of it, for output position `query` (ConfigError out of [0, T)): [1, T]. The common
// use ([CLS] or the last token), T max-flow problems instead of T².
AttentionMap attention_flow_row(const std::vector<AttentionMap>& stack, int64_t query);

// The same over the given layers of `trace` (indices, lowest first), heads fused by `fusion`
// (fused_layers errors).
AttentionMap attention_flow(const io::Trace& trace, const std::vector<int64_t>& layers,
                            HeadFusion fusion = HeadFusion::mean);
AttentionMap attention_flow_row(const io::Trace& trace, const std::vector<int64_t>& layers, int64_t query,
                                HeadFusion fusion = HeadFusion::mean);

}  // namespace attnscope::focus
