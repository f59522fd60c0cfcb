// Loss terms on a model's attention that tasks add to their training loss (issue 14's
// attentional biases): supervision toward gold positions and an entropy regulariser. Built from
// autograd ops, so their gradients flow into whatever produced the attention.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/tensor/tensor.h"

namespace attnscope::train {

// Per (example, query): the key indices the query should attend to; empty = no gold for it.
using GoldRows = std::vector<std::vector<std::vector<int>>>;  // [B][T] -> key indices

// Supervised attention (Liu et al. 2016, Mi et al. 2016; Liu et al. 2017 for image regions): the
// mean over queries with gold of the cross-entropy of the gold distribution (uniform over the gold
// keys) against the attention row: -sum_j g_tj log a_tj. att: [B, T, S] rows that sum to 1.
Tensor attention_supervision_loss(const Tensor& att, const GoldRows& gold);

// Mean row entropy -sum_j a_tj log a_tj over the queries with keep[b * T + t] true (all when
// keep is empty). Added with a weight λ > 0 it sharpens attention, with λ < 0 it spreads it.
Tensor attention_entropy_loss(const Tensor& att, const std::vector<bool>& keep = {});

}  // namespace attnscope::train
