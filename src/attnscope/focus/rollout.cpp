#include "attnscope/focus/rollout.h"

#include <algorithm>

#include "attnscope/focus/residual_attention.h"

namespace attnscope::focus {

AttentionMap attention_rollout(const std::vector<AttentionMap>& stack) {
  check_stack(stack);
  const int64_t T = stack[0].rows;
  std::vector<double> roll = residual_attention(stack[0]);  // [T, T] running product Â_l…Â_1
  std::vector<double> next(static_cast<size_t>(T * T));    // [T, T]
  for (size_t l = 1; l < stack.size(); ++l) {
    const std::vector<double> a = residual_attention(stack[l]);  // [T, T]
    std::fill(next.begin(), next.end(), 0.0);
    for (int64_t q = 0; q < T; ++q)
      for (int64_t j = 0; j < T; ++j) {
        const double aqj = a[static_cast<size_t>(q * T + j)];
        if (aqj == 0.0) continue;  // causal layers: half the products are zero
        const double* r = roll.data() + j * T;
        double* out = next.data() + q * T;
        for (int64_t k = 0; k < T; ++k) out[k] += aqj * r[k];
      }
    roll.swap(next);
  }
  AttentionMap out{T, T, std::vector<float>(roll.begin(), roll.end())};
  return out;
}

AttentionMap attention_rollout(const io::Trace& trace, const std::vector<int64_t>& layers, HeadFusion fusion) {
  return attention_rollout(fused_layers(trace, layers, fusion));
}

}  // namespace attnscope::focus
