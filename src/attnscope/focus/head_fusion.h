// Head fusion: one [T, T] matrix per layer from a layer's heads, the input of rollout and flow
// (focus/rollout.h, focus/attention_flow.h). Abnar & Zuidema 2020 average the heads; later work
// (e.g. the "max"/"min" fusion of jacobgil's vit-explain) keeps the strongest or the weakest
// head's weight per (query, key) instead.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/focus/attention_map.h"
#include "attnscope/io/trace.h"

namespace attnscope::focus {

enum class HeadFusion { mean, max, min };

const char* fusion_name(HeadFusion fusion);  // "mean", "max", "min"

// The [Q, N] fused weights of a dense or top-k layer (top-k: missing weights are 0, so min
// fusion of a top-k layer is 0 wherever one head dropped the key). Errors as check_head.
AttentionMap fuse_heads(const io::TraceLayer& layer, HeadFusion fusion);

// The fused weights of the given layers of `trace` (indices, lowest first): the stack rollout and
// flow run over. ConfigError: no layer, index out of range, stats-only layer; ShapeError:
// cross-attention, a non-square layer, or layers of different lengths; ValueError: a weight
// that is NaN, infinite or negative.
std::vector<AttentionMap> fused_layers(const io::Trace& trace, const std::vector<int64_t>& layers,
                                       HeadFusion fusion);

}  // namespace attnscope::focus
