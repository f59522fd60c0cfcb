// Supervised attention: a loss pulling attention rows toward gold positions — gold alignments in
// translation (Liu et al. 2016, Mi et al. 2016), an object's box cells in captioning (the
// "attention correctness" supervision of Liu et al. 2017). For every supervised row the gold
// distribution g is uniform over its gold positions and the loss is the cross-entropy
// -sum_j g_j log a_j, averaged over the supervised rows.
#pragma once
#include <vector>

#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

// Per example, per query position: the gold key positions (empty: that row is not supervised).
using AttentionGold = std::vector<std::vector<std::vector<int>>>;

// att [B, T, S] (rows summing to 1); gold[b][t] indexes keys. Examples or rows beyond att's
// extent and indices outside [0, S) are ignored. Without a supervised row: 0 (still on the graph).
Tensor attention_supervision_loss(const Tensor& att, const AttentionGold& gold);

}  // namespace attnscope::attention
