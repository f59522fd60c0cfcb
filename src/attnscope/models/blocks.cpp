// Building blocks: GEMM through kernels::gemm (OpenBLAS), LayerNorm and GELU through the SIMD
// row kernels, the rest row-parallel loops (RMSNorm keeps llama2.c's exact float order).
#include "attnscope/models/blocks.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/parallel.h"
#include "attnscope/kernels/gelu.h"
#include "attnscope/kernels/gemm.h"
#include "attnscope/kernels/rows.h"

namespace attnscope::models {

void linear_forward(const float* x, const float* w, const float* b, int64_t T, int64_t in, int64_t out, float* y) {
  kernels::gemm(false, true, T, out, in, 1.0f, x, in, w, in, 0.0f, y, out);
  if (b)
    parallel_for(0, T, 64, [&](int64_t lo, int64_t hi) {
      for (int64_t t = lo; t < hi; ++t)
        for (int64_t o = 0; o < out; ++o) y[t * out + o] += b[o];
    });
}

std::vector<ColumnBlock> kept_head_blocks(const uint8_t* skip, int64_t heads, int64_t hs) {
  std::vector<ColumnBlock> blocks;
  for (int64_t h = 0; h < heads; ++h) {
    if (skip && skip[h]) continue;
    if (!blocks.empty() && blocks.back().end == h * hs) blocks.back().end += hs;
    else blocks.push_back({h * hs, (h + 1) * hs});
  }
  return blocks;
}

void linear_forward_out_blocks(const float* x, const float* w, int64_t T, int64_t in, int64_t out,
                               std::span<const ColumnBlock> blocks, float* y) {
  for (const ColumnBlock& b : blocks)
    kernels::gemm(false, true, T, b.end - b.begin, in, 1.0f, x, in, w + b.begin * in, in, 0.0f, y + b.begin, out);
}

void linear_forward_in_blocks(const float* x, const float* w, int64_t T, int64_t in, int64_t out,
                              std::span<const ColumnBlock> blocks, float* y) {
  if (blocks.empty()) std::fill_n(y, T * out, 0.0f);
  for (size_t i = 0; i < blocks.size(); ++i) {
    const ColumnBlock& b = blocks[i];
    kernels::gemm(false, true, T, out, b.end - b.begin, 1.0f, x + b.begin, in, w + b.begin, in, i ? 1.0f : 0.0f, y, out);
  }
}

void rmsnorm_forward(const float* x, const float* w, int64_t T, int64_t C, float eps, float* y) {
  parallel_for(0, T, 16, [&](int64_t lo, int64_t hi) {
    for (int64_t t = lo; t < hi; ++t) {
      const float* xr = x + t * C;
      float ss = 0.0f;
      for (int64_t c = 0; c < C; ++c) ss += xr[c] * xr[c];
      ss /= static_cast<float>(C);
      ss += eps;
      ss = 1.0f / std::sqrt(ss);
      for (int64_t c = 0; c < C; ++c) y[t * C + c] = w[c] * (ss * xr[c]);
    }
  });
}

void layernorm_forward(const float* x, const float* w, const float* b, int64_t T, int64_t C, float eps, float* y) {
  const auto& k = kernels::row_kernels();
  parallel_for(0, T, 16, [&](int64_t lo, int64_t hi) {
    float mean, rstd;
    for (int64_t t = lo; t < hi; ++t) k.layer_norm(x + t * C, w, b, eps, y + t * C, &mean, &rstd, C);
  });
}

void gelu_tanh_inplace(float* x, int64_t n) {
  parallel_for(0, n, 1 << 14, [&](int64_t lo, int64_t hi) { kernels::gelu_tanh(x + lo, x + lo, hi - lo); });
}

void gelu_erf_inplace(float* x, int64_t n) {
  parallel_for(0, n, 1 << 14, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) x[i] = 0.5f * x[i] * (1.0f + std::erf(x[i] * 0.70710678118654752f));
  });
}

void swiglu_inplace(float* a, const float* b, int64_t n) {
  parallel_for(0, n, 1 << 14, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const float v = a[i];
      a[i] = v * (1.0f / (1.0f + std::exp(-v))) * b[i];
    }
  });
}

}  // namespace attnscope::models
