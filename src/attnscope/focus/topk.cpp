#include "attnscope/focus/topk.h"

#include <algorithm>
#include <numeric>

namespace attnscope::focus {

TopK topk(const AttentionMap& m, int64_t k) {
  TopK t;
  t.rows = m.rows;
  t.k = std::max<int64_t>(0, std::min(k, m.cols));
  t.index.assign(static_cast<size_t>(t.rows * t.k), -1);
  t.weight.assign(static_cast<size_t>(t.rows * t.k), 0.0f);
  std::vector<int32_t> order(static_cast<size_t>(m.cols));  // [N] scratch
  for (int64_t q = 0; q < m.rows; ++q) {
    std::iota(order.begin(), order.end(), 0);
    const float* row = m.w.data() + q * m.cols;
    std::partial_sort(order.begin(), order.begin() + t.k, order.end(),
                      [&](int32_t a, int32_t b) { return row[a] > row[b] || (row[a] == row[b] && a < b); });
    for (int64_t j = 0; j < t.k; ++j) {
      t.index[static_cast<size_t>(q * t.k + j)] = order[static_cast<size_t>(j)];
      t.weight[static_cast<size_t>(q * t.k + j)] = row[order[static_cast<size_t>(j)]];
    }
  }
  return t;
}

std::vector<int32_t> row_argmax(const AttentionMap& m) {
  std::vector<int32_t> out(static_cast<size_t>(m.rows), 0);  // [Q]
  for (int64_t q = 0; q < m.rows; ++q) {
    const float* row = m.w.data() + q * m.cols;
    out[static_cast<size_t>(q)] = static_cast<int32_t>(std::max_element(row, row + m.cols) - row);
  }
  return out;
}

}  // namespace attnscope::focus
