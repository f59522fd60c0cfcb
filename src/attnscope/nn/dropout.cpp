#include "attnscope/nn/dropout.h"

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::nn {

Dropout::Dropout(double p, uint64_t seed) : p_(p), rng_(seed) {
  if (!(p >= 0.0 && p < 1.0))
    throw ConfigError("Dropout: p must be in [0, 1), got " + std::to_string(p));
  register_rng("rng", &rng_);
}

Tensor Dropout::forward(const Tensor& x) {
  if (!training() || p_ == 0.0) return x;
  return ops::dropout(x, p_, true, rng_);
}

}  // namespace attnscope::nn
