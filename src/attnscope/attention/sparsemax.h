// Sparsemax (Martins & Astudillo 2016): the Euclidean projection of the scores onto the
// probability simplex, p = argmin_{p in simplex} ||p - z||^2 = max(z - tau, 0).
// Unlike softmax it gives exact zeros; keys outside the support get weight 0 and gradient 0.
#pragma once
#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

// Over the last dim of x + mask (mask additive, broadcastable, not differentiated; -inf
// excludes a key). A fully excluded row gives zeros. NaN/+inf scores: ValueError.
//   forward:  sort z descending; k = max{k : 1 + k z_(k) > sum_{j<=k} z_(j)};
//             tau = (sum_{j<=k} z_(j) - 1) / k;  p = max(z - tau, 0)
//   backward: dz_j = s_j (dp_j - mean_{i in S} dp_i),  S = {j : p_j > 0}
Tensor sparsemax(const Tensor& x, const Tensor& mask = {});

}  // namespace attnscope::attention
