#include "attnscope/focus/rollout.h"

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"

namespace attnscope::focus {

AttentionMap attention_rollout(const io::Trace& trace, const std::vector<int64_t>& layers) {
  ATTNSCOPE_CHECK(!layers.empty(), ConfigError, "attention rollout needs at least one layer");
  AttentionMap roll;  // [T, T], running product
  for (int64_t li : layers) {
    ATTNSCOPE_CHECK(li >= 0 && li < static_cast<int64_t>(trace.layers.size()), ConfigError,
                    "rollout: layer " + std::to_string(li) + " out of range");
    const io::TraceLayer& layer = trace.layers[static_cast<size_t>(li)];
    AttentionMap a = head_map(layer, kHeadMean);  // [T, T]
    ATTNSCOPE_CHECK(a.rows == a.cols && (roll.rows == 0 || a.rows == roll.rows), ShapeError,
                    "rollout: layer '" + layer.name + "' is " + std::to_string(a.rows) + "x" +
                        std::to_string(a.cols) + "; rollout needs square self-attention of one length");
    const int64_t T = a.rows;
    for (int64_t q = 0; q < T; ++q) {
      double sum = 0;
      for (int64_t k = 0; k < T; ++k) {
        a.at(q, k) = 0.5f * a.at(q, k) + (q == k ? 0.5f : 0.0f);
        sum += a.at(q, k);
      }
      for (int64_t k = 0; k < T; ++k) a.at(q, k) = static_cast<float>(a.at(q, k) / sum);
    }
    if (roll.rows == 0) {
      roll = std::move(a);
      continue;
    }
    AttentionMap next{T, T, std::vector<float>(static_cast<size_t>(T * T), 0.0f)};  // next = a @ roll
    for (int64_t q = 0; q < T; ++q)
      for (int64_t j = 0; j < T; ++j) {
        const float aqj = a.at(q, j);
        if (aqj == 0.0f) continue;
        for (int64_t k = 0; k < T; ++k) next.at(q, k) += aqj * roll.at(j, k);
      }
    roll = std::move(next);
  }
  return roll;
}

}  // namespace attnscope::focus
