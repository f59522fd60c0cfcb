#include "attnscope/focus/topk.h"

#include <algorithm>

namespace attnscope::focus {

int64_t row_topk(const float* w, int64_t n, int64_t k, int32_t* index, float* weight) {
  int64_t filled = 0;
  for (int64_t j = 0; j < n && k > 0; ++j) {
    const float p = w[j];
    if (!(p > 0.0f)) continue;                          // zero, negative, NaN: never kept
    if (filled == k && p <= weight[k - 1]) continue;  // ties keep the earlier (lower) index
    int64_t pos = filled < k ? filled++ : k - 1;
    for (; pos > 0 && weight[pos - 1] < p; --pos) {
      weight[pos] = weight[pos - 1];
      index[pos] = index[pos - 1];
    }
    weight[pos] = p;
    index[pos] = static_cast<int32_t>(j);
  }
  for (int64_t s = filled; s < k; ++s) {
    index[s] = -1;
    weight[s] = 0.0f;
  }
  return filled;
}

int32_t row_argmax(const float* w, int64_t n) {
  int32_t index = -1;
  float weight = 0.0f;
  row_topk(w, n, 1, &index, &weight);
  return index;
}

TopK topk(const AttentionMap& m, int64_t k) {
  TopK t;
  t.rows = m.rows;
  t.k = std::clamp<int64_t>(k, 0, m.cols);
  t.index.assign(static_cast<size_t>(t.rows * t.k), -1);
  t.weight.assign(static_cast<size_t>(t.rows * t.k), 0.0f);
  for (int64_t q = 0; q < m.rows; ++q)
    row_topk(m.w.data() + q * m.cols, m.cols, t.k, t.index.data() + q * t.k, t.weight.data() + q * t.k);
  return t;
}

std::vector<int32_t> row_argmax(const AttentionMap& m) {
  std::vector<int32_t> out(static_cast<size_t>(m.rows));  // [Q]
  for (int64_t q = 0; q < m.rows; ++q) out[static_cast<size_t>(q)] = row_argmax(m.w.data() + q * m.cols, m.cols);
  return out;
}

}  // namespace attnscope::focus
