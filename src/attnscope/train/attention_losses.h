// The entropy regulariser on a model's attention, a loss term tasks add to their training loss
// (issue 14's attentional biases; supervision toward gold positions is attention/supervision.h).
// Built from autograd ops, so its gradient flows into whatever produced the attention.
#pragma once
#include <vector>

#include "attnscope/tensor/tensor.h"

namespace attnscope::train {

// Mean row entropy -sum_j a_tj log a_tj of att [B, T, S] over the queries with keep[b * T + t]
// true (all when keep is empty). Added with a weight λ > 0 it sharpens attention, with λ < 0 it
// spreads it. Without a kept row: 0 (still on the graph).
Tensor attention_entropy_loss(const Tensor& att, const std::vector<bool>& keep = {});

}  // namespace attnscope::train
