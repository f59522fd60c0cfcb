// 1.5-entmax (Peters, Niculae & Martins 2019): between softmax (alpha = 1) and sparsemax
// (alpha = 2); sparse like sparsemax but smoother. p = max(z/2 - tau, 0)^2 with tau chosen so
// that sum p = 1, found exactly by sorting (Algorithm 2 of the paper).
#pragma once
#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

// Over the last dim of x + mask (mask additive, broadcastable, not differentiated; -inf
// excludes a key). A fully excluded row gives zeros. NaN/+inf scores: ValueError.
//   forward:  z = x/2 sorted descending; for k = 1..n: mean_k, ss_k = sum_{j<=k}(z_j - mean_k)^2,
//             tau_k = mean_k - sqrt(max(0, (1 - ss_k) / k)); support k* = #{k : tau_k <= z_(k)};
//             p = max(z - tau_{k*}, 0)^2
//   backward: g = sqrt(p), u = g * dp;  dx = u - g * sum(u) / sum(g)
//             (the 1/2 of z = x/2 cancels the 2 of dp/dz = 2 sqrt(p))
Tensor entmax15(const Tensor& x, const Tensor& mask = {});

}  // namespace attnscope::attention
