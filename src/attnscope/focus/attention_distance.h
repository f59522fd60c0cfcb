// Mean attention distance (Vig & Belinkov 2019; Dosovitskiy et al. 2021 for images): for
// self-attention, the weight-averaged |q - k| per query, averaged over queries. Small = local
// heads (previous-token heads), large = global heads.
#pragma once
#include <vector>

#include "attnscope/focus/attention_map.h"

namespace attnscope::focus {

// [Q] per-query expected distance sum_k w[q,k] |q - k| / sum_k w[q,k] (in token positions).
std::vector<float> attention_distance(const AttentionMap& m);
// The mean of attention_distance over queries.
float mean_attention_distance(const AttentionMap& m);

}  // namespace attnscope::focus
