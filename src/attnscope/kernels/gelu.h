// tanh-approximated GELU (GPT-2's "gelu_new", our Transformers' feed-forward) over n floats,
// through the row table's SIMD tanh in blocks that stay in L1:
//   y  = 0.5 x (1 + tanh u),  u = sqrt(2/pi) (x + 0.044715 x^3)
//   dx = dy [0.5 (1 + tanh u) + 0.5 x (1 - tanh^2 u) sqrt(2/pi) (1 + 3 * 0.044715 x^2)]
// Single-threaded (callers split with parallel_for); y may alias x, dx may alias dy.
#pragma once
#include <cstdint>

namespace attnscope::kernels {

void gelu_tanh(const float* x, float* y, int64_t n) noexcept;
void gelu_tanh_backward(const float* x, const float* dy, float* dx, int64_t n) noexcept;

}  // namespace attnscope::kernels
