// AttentionResult: what every attention module returns (seam 2 in docs/ARCHITECTURE.md).
#pragma once
#include <map>
#include <string>

#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

struct AttentionResult {
  Tensor context;  // the attended values; shape documented by each module
  // The weights, [B, NH, T, N] for multi-head mechanisms or [B, T, N] for single-query-head ones
  // (sparse kinds hold exact zeros, hard kinds one-hot rows). Undefined when the fused kernel ran
  // and no one asked for them.
  Tensor weights;
  // Mechanism extras (differentiable where meaningful): "beta" (sentinel gate), "span"
  // (adaptive span), "sample" (hard choice), "log_prob" (REINFORCE), "centre" (local-p), ...
  std::map<std::string, Tensor> extras;
};

}  // namespace attnscope::attention
