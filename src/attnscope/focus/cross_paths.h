// Rollout and attention flow through an encoder-decoder's cross-attention: how much one target
// position draws on each source token, counting the encoder's mixing. Abnar & Zuidema define both
// for one self-attention stack; a cross-attention row c (one target position's head-fused weights
// over the encoder's top positions, no residual: the decoder's residual stays on the target side)
// is one more layer on top with a single node:
//   cross_rollout = c · Â_L ⋯ Â_1                    (Â_l = rownorm(W_l + I), focus/residual_attention.h)
//   cross_flow[j] = max flow from a node with edges (→ (L, a), capacity c[a]) through the layered
//                   encoder graph to (0, j), divided by the sum over j
// With no encoder layers both are c itself, normalised to sum 1.
#pragma once
#include <vector>

#include "attnscope/focus/attention_map.h"

namespace attnscope::focus {

// row: size S (the encoder's length); encoder: head-fused [S, S] layers, lowest first (may be
// empty). ShapeError for other sizes, ValueError for negative or non-finite weights.
std::vector<double> cross_rollout(const std::vector<double>& row, const std::vector<AttentionMap>& encoder);
std::vector<double> cross_flow(const std::vector<double>& row, const std::vector<AttentionMap>& encoder);

}  // namespace attnscope::focus
