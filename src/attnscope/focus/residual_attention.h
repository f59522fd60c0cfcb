// Residual attention (Abnar & Zuidema 2020, section 3): a layer's output is its attention plus
// the residual connection, so the weights that mix tokens through layer l are
// Â_l = rownorm(W_l + I), W_l the head-fused [T, T] weights (focus/head_fusion.h). Rollout and
// flow both start from this stack of Â_l, lowest layer first.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/focus/attention_map.h"

namespace attnscope::focus {

// Checks one fused layer: square, T tokens (any T >= 1 when T == 0) — ShapeError — and finite
// non-negative weights — ValueError. `what` names it in the message.
void check_layer(const AttentionMap& w, int64_t T, const std::string& what);

// check_layer for every layer of a stack (non-empty: ConfigError), all of one length.
void check_stack(const std::vector<AttentionMap>& stack);

// Â = rownorm(W + I), in double: [T, T] row-major. Rows of W need not sum to 1 (top-k, max/min
// fusion); every row of Â does, and its diagonal is > 0.
std::vector<double> residual_attention(const AttentionMap& w);

}  // namespace attnscope::focus
