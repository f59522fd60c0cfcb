// Rollout and attention flow as trace layers: for every self-attention stack of a trace, a
// one-head dense layer "rollout:<sequence>" / "flow:<sequence>" (mechanism "rollout" / "flow";
// rows the top layer's positions, columns the input tokens), so every view that shows a layer —
// the viewer's matrix, head and model views, exports — shows them as extra matrices.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/focus/head_fusion.h"
#include "attnscope/io/trace.h"

namespace attnscope::focus {

// Longest sequence whose full flow matrix derived_layers computes (flow costs ~L N^4 / 24 edge
// visits in causal attention: ~30 s at 256 tokens on 2 cores).
inline constexpr int64_t kMaxDerivedFlowTokens = 256;

// Appends the layers to trace.layers. ConfigError when the trace has no self-attention stack, or
// flow is asked of a longer sequence than kMaxDerivedFlowTokens; errors of rollout / flow.
void add_derived_layers(io::Trace& trace, bool rollout, bool flow, HeadFusion fusion = HeadFusion::mean);

}  // namespace attnscope::focus
