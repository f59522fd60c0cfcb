// Top-k and argmax of attention rows: what a query attends to most, for edges, labels, sparse
// traces and alignment. One rule for trace rows (trace import's focus::keep_topk, the viewer's
// edges, the terminal view, alignment, and web/util/local_source.js in the page):
//   the k largest strictly positive weights, by decreasing weight, ties to the lower key index;
//   a zero, negative or NaN weight is never kept (zero attention is no edge); unfilled slots
//   hold index -1 and weight 0.
// row_topk allocates nothing, so a capture path can call it per row. (The recorder keeps the same
// rule in its own copy because attention/ sits below focus/; the fused kernel's capture ranks
// the visible keys, and may keep a weight that underflowed to 0.)
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/focus/attention_map.h"

namespace attnscope::focus {

// The rule above on w[0, n): writes index[0, k) and weight[0, k); returns how many were kept
// (<= min(k, n)). No allocation: a k-slot insertion list, O(n) plus O(k) per insertion.
int64_t row_topk(const float* w, int64_t n, int64_t k, int32_t* index, float* weight);

// The key of the largest positive weight (ties: lower index); -1 when no weight is positive.
int32_t row_argmax(const float* w, int64_t n);

struct TopK {
  int64_t rows = 0, k = 0;
  std::vector<int32_t> index;  // [Q, k] key indices, by decreasing weight; -1 pads
  std::vector<float> weight;   // [Q, k]
};

// row_topk of every row of m; k is clamped to [0, m.cols].
TopK topk(const AttentionMap& m, int64_t k);

// row_argmax of every row of m: [Q].
std::vector<int32_t> row_argmax(const AttentionMap& m);

}  // namespace attnscope::focus
