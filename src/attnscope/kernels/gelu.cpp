#include "attnscope/kernels/gelu.h"

#include <algorithm>

#include "attnscope/kernels/rows.h"

namespace attnscope::kernels {

namespace {
constexpr int64_t kBlock = 1024;
constexpr float kSqrt2OverPi = 0.7978845608028654f;

// t[i] = tanh(u(x[i])) for one block.
void tanh_u(const float* x, float* t, int64_t m) noexcept {
  for (int64_t i = 0; i < m; ++i) t[i] = kSqrt2OverPi * (x[i] + 0.044715f * x[i] * x[i] * x[i]);
  row_kernels().tanh(t, t, m);
}
}  // namespace

void gelu_tanh(const float* x, float* y, int64_t n) noexcept {
  float t[kBlock];
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    const int64_t m = std::min(kBlock, n - i0);
    tanh_u(x + i0, t, m);
    for (int64_t i = 0; i < m; ++i) y[i0 + i] = 0.5f * x[i0 + i] * (1.0f + t[i]);
  }
}

void gelu_tanh_backward(const float* x, const float* dy, float* dx, int64_t n) noexcept {
  float t[kBlock];
  for (int64_t i0 = 0; i0 < n; i0 += kBlock) {
    const int64_t m = std::min(kBlock, n - i0);
    tanh_u(x + i0, t, m);
    for (int64_t i = 0; i < m; ++i) {
      const float v = x[i0 + i];
      const float d = 0.5f * (1.0f + t[i]) + 0.5f * v * (1.0f - t[i] * t[i]) * kSqrt2OverPi * (1.0f + 3.0f * 0.044715f * v * v);
      dx[i0 + i] = dy[i0 + i] * d;
    }
  }
}

}  // namespace attnscope::kernels
