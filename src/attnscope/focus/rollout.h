// Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"):
// how much each output position draws on each input token through a stack of self-attention
// layers, accounting for residual connections: A_l = 0.5 * mean_h W_l + 0.5 * I (rows
// renormalized), rollout = A_L ... A_2 A_1.
#pragma once
#include <vector>

#include "attnscope/focus/attention_map.h"

namespace attnscope::focus {

// The rollout through the given layers of `trace` (indices, lowest first); all must be square
// self-attention over the same number of tokens (ShapeError otherwise). [T, T].
AttentionMap attention_rollout(const io::Trace& trace, const std::vector<int64_t>& layers);

}  // namespace attnscope::focus
