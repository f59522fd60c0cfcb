#include "attnscope/focus/attention_distance.h"

#include <cstdlib>

namespace attnscope::focus {

std::vector<float> attention_distance(const AttentionMap& m) {
  std::vector<float> d(static_cast<size_t>(m.rows), 0.0f);  // [Q]
  for (int64_t q = 0; q < m.rows; ++q) {
    double num = 0, den = 0;
    for (int64_t k = 0; k < m.cols; ++k) {
      const double w = m.at(q, k);
      num += w * static_cast<double>(std::llabs(q - k));
      den += w;
    }
    d[static_cast<size_t>(q)] = den > 0 ? static_cast<float>(num / den) : 0.0f;
  }
  return d;
}

float mean_attention_distance(const AttentionMap& m) {
  if (m.rows == 0) return 0.0f;
  double s = 0;
  for (float v : attention_distance(m)) s += v;
  return static_cast<float>(s / static_cast<double>(m.rows));
}

}  // namespace attnscope::focus
