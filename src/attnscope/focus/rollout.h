// Attention rollout (Abnar & Zuidema 2020, "Quantifying Attention Flow in Transformers"): how
// much each output position draws on each input token through a stack of self-attention
// layers, counting the residual connection: with Â_l = rownorm(W_l + I) (focus/residual_attention.h),
// rollout = Â_L · … · Â_2 · Â_1 — rows are the top layer's positions, columns the input tokens,
// and every row sums to 1.
#pragma once
#include <vector>

#include "attnscope/focus/attention_map.h"
#include "attnscope/focus/head_fusion.h"

namespace attnscope::focus {

// The rollout of a stack of head-fused [T, T] layers W_l, lowest first (check_stack errors). [T, T].
AttentionMap attention_rollout(const std::vector<AttentionMap>& stack);

// The rollout through the given layers of `trace` (indices, lowest first), heads fused by
// `fusion` (fused_layers errors). [T, T].
AttentionMap attention_rollout(const io::Trace& trace, const std::vector<int64_t>& layers,
                               HeadFusion fusion = HeadFusion::mean);

}  // namespace attnscope::focus
