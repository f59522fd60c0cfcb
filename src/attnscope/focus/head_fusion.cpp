#include "attnscope/focus/head_fusion.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/focus/residual_attention.h"

namespace attnscope::focus {

const char* fusion_name(HeadFusion fusion) {
  switch (fusion) {
    case HeadFusion::mean: return "mean";
    case HeadFusion::max: return "max";
    case HeadFusion::min: return "min";
  }
  return "?";
}

AttentionMap fuse_heads(const io::TraceLayer& layer, HeadFusion fusion) {
  if (fusion == HeadFusion::mean) return head_map(layer, kHeadMean);
  check_head(layer, 0);
  AttentionMap m{layer.queries, layer.keys, {}};
  std::vector<float> h(static_cast<size_t>(layer.keys));  // [N] one head's row
  m.w.assign(static_cast<size_t>(m.rows * m.cols), 0.0f);
  for (int64_t q = 0; q < m.rows; ++q) {
    float* out = m.w.data() + q * m.cols;  // [N]
    for (int64_t head = 0; head < layer.heads; ++head) {
      std::fill(h.begin(), h.end(), 0.0f);
      add_row(layer, head, q, 0, layer.keys, h);
      for (int64_t k = 0; k < m.cols; ++k) {
        const float v = h[static_cast<size_t>(k)];
        out[k] = head == 0 ? v : (fusion == HeadFusion::max ? std::max(out[k], v) : std::min(out[k], v));
      }
    }
  }
  return m;
}

std::vector<AttentionMap> fused_layers(const io::Trace& trace, const std::vector<int64_t>& layers,
                                       HeadFusion fusion) {
  ATTNSCOPE_CHECK(!layers.empty(), ConfigError, "rollout/flow need at least one layer");
  std::vector<AttentionMap> out;
  for (int64_t li : layers) {
    ATTNSCOPE_CHECK(li >= 0 && li < static_cast<int64_t>(trace.layers.size()), ConfigError,
                    "layer " + std::to_string(li) + " out of range: the trace has " +
                        std::to_string(trace.layers.size()) + " layers");
    const io::TraceLayer& L = trace.layers[static_cast<size_t>(li)];
    ATTNSCOPE_CHECK(L.query_seq == L.key_seq, ShapeError,
                    "layer '" + L.name + "' is cross-attention (" + L.query_seq + " -> " + L.key_seq +
                        "); rollout and flow need self-attention");
    const std::vector<float>& w = L.keep == io::TraceKeep::topk ? L.topk_weight : L.weights;
    // Max/min fusion would hide a NaN, so the raw weights are checked, not the fused ones.
    for (size_t i = 0; i < w.size(); ++i)
      ATTNSCOPE_CHECK(std::isfinite(w[i]) && w[i] >= 0.0f, ValueError,
                      "layer '" + L.name + "' has weight " + std::to_string(w[i]) + " at flat index " +
                          std::to_string(i) + "; rollout and flow need finite non-negative weights");
    out.push_back(fuse_heads(L, fusion));
    check_layer(out.back(), out.front().rows, "layer '" + L.name + "'");
  }
  return out;
}

}  // namespace attnscope::focus
