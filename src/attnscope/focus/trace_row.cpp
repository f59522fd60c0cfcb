#include "attnscope/focus/trace_row.h"

#include "attnscope/core/error.h"

namespace attnscope::focus {

void check_head(const io::TraceLayer& layer, int64_t head) {
  ATTNSCOPE_CHECK(layer.keep != io::TraceKeep::stats, ConfigError,
                  "layer '" + layer.name +
                      "' kept only row statistics; its rows need dense or top-k weights (capture dense or topk:K)");
  ATTNSCOPE_CHECK(head == kHeadMean || (head >= 0 && head < layer.heads), ConfigError,
                  "head " + std::to_string(head) + " out of range: layer '" + layer.name + "' has " +
                      std::to_string(layer.heads) + " heads (0.." + std::to_string(layer.heads - 1) + " or mean)");
}

void add_row(const io::TraceLayer& L, int64_t head, int64_t q, int64_t c0, int64_t c1, std::span<float> out) {
  const int64_t h0 = head == kHeadMean ? 0 : head;
  const int64_t h1 = head == kHeadMean ? L.heads : head + 1;
  const float scale = head == kHeadMean ? 1.0f / static_cast<float>(L.heads) : 1.0f;
  for (int64_t h = h0; h < h1; ++h) {
    const int64_t r = h * L.queries + q;
    if (L.keep == io::TraceKeep::dense) {
      const float* w = L.weights.data() + r * L.keys;  // [N] row of weights [NH, Q, N]
      for (int64_t c = c0; c < c1; ++c) out[static_cast<size_t>(c - c0)] += scale * w[c];
    } else {
      const int32_t* idx = L.topk_index.data() + r * L.k;  // [K] of topk_index [NH, Q, K]
      const float* w = L.topk_weight.data() + r * L.k;
      for (int64_t j = 0; j < L.k; ++j)
        if (idx[j] >= c0 && idx[j] < c1) out[static_cast<size_t>(idx[j] - c0)] += scale * w[j];
    }
  }
}

std::vector<float> row(const io::TraceLayer& layer, int64_t head, int64_t q) {
  check_head(layer, head);
  ATTNSCOPE_CHECK(q >= 0 && q < layer.queries, ConfigError,
                  "query " + std::to_string(q) + " out of range [0, " + std::to_string(layer.queries) + ")");
  std::vector<float> out(static_cast<size_t>(layer.keys), 0.0f);  // [N]
  add_row(layer, head, q, 0, layer.keys, out);
  return out;
}

}  // namespace attnscope::focus
