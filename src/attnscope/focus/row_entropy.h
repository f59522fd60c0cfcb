// Row entropy: how spread each query's attention is. H(q) = -sum_k w log w (nats), 0 for a
// one-hot row, log(N) for a uniform one. Normalized entropy divides by log(N) so rows of
// different lengths compare (causal rows attend to q+1 keys: pass the causal count).
#pragma once
#include <vector>

#include "attnscope/focus/attention_map.h"

namespace attnscope::focus {

// [Q] entropies in nats. Rows are renormalized first (top-k rows do not sum to 1).
std::vector<float> row_entropy(const AttentionMap& m);
// [Q] entropies divided by log(number of keys with non-zero weight allowed): uses m.cols, or
// q + 1 when causal (self-attention rows see only the prefix). A 1-key row has 0.
std::vector<float> row_entropy_normalized(const AttentionMap& m, bool causal);

}  // namespace attnscope::focus
