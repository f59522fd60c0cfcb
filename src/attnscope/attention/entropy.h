// Entropy of distributions along the last dim, H(p) = -sum_j p_j log p_j (nats), with
// 0 log 0 = 0 so sparse and hard weights are fine. Used for the entropy bonus of REINFORCE-trained
// hard attention (Xu et al. 2015) and available as a regularizer for any mechanism.
#pragma once
#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

// p [..., N] (non-negative) -> [...]
//   backward: dp_j = -dH (log p_j + 1) for p_j > 0, 0 where p_j = 0 (the one-sided limit is -inf;
//   a zero weight cannot move below 0, so its gradient is not used by a simplex-valued p).
Tensor entropy(const Tensor& p);

}  // namespace attnscope::attention
