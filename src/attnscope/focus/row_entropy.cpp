#include "attnscope/focus/row_entropy.h"

#include <cmath>

namespace attnscope::focus {

std::vector<float> row_entropy(const AttentionMap& m) {
  std::vector<float> h(static_cast<size_t>(m.rows), 0.0f);  // [Q]
  for (int64_t q = 0; q < m.rows; ++q) {
    double sum = 0;
    for (int64_t k = 0; k < m.cols; ++k) sum += std::max(0.0f, m.at(q, k));
    if (sum <= 0) continue;
    double e = 0;
    for (int64_t k = 0; k < m.cols; ++k) {
      const double p = std::max(0.0f, m.at(q, k)) / sum;
      if (p > 0) e -= p * std::log(p);
    }
    h[static_cast<size_t>(q)] = static_cast<float>(e);
  }
  return h;
}

std::vector<float> row_entropy_normalized(const AttentionMap& m, bool causal) {
  std::vector<float> h = row_entropy(m);
  for (int64_t q = 0; q < m.rows; ++q) {
    const int64_t n = causal ? std::min(q + 1, m.cols) : m.cols;
    h[static_cast<size_t>(q)] = n > 1 ? h[static_cast<size_t>(q)] / static_cast<float>(std::log(double(n))) : 0.0f;
  }
  return h;
}

}  // namespace attnscope::focus
