// Top-k keys per query: what a query attends to most, for labels, edges and sparse views.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/focus/attention_map.h"

namespace attnscope::focus {

struct TopK {
  int64_t rows = 0, k = 0;
  std::vector<int32_t> index;  // [Q, k] key indices, by decreasing weight; -1 pads rows with < k keys
  std::vector<float> weight;   // [Q, k]
};

// The k largest weights of each row (ties: lower key index first). k is clamped to m.cols.
TopK topk(const AttentionMap& m, int64_t k);

// argmax key per row [Q] (ties: lower key index).
std::vector<int32_t> row_argmax(const AttentionMap& m);

}  // namespace attnscope::focus
