// fused_attention: the fused FlashAttention-2 style CPU kernel (kernels/attention/
// flash_attention.h) wrapped as a differentiable op. Forward calls kernels::attention_forward
// (the fused kernel; the reference path for a few queries) saving lse; backward calls
// flash_attention_backward, which recomputes the probabilities tile by tile: the T x N matrix is never stored unless a recorder asks for it (capture).
// float32 only (the kernel computes in f32); dot_product_attention picks this path by default and
// falls back to the reference GEMM + softmax + GEMM path for f64, sparse normalizers or a bias
// that needs a gradient.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/kernels/attention/flash_attention.h"
#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

struct FusedAttentionConfig {
  float scale = 0;                   // 0: 1 / sqrt(HS)
  bool causal = false;
  int64_t window = 0;
  std::vector<int32_t> key_lengths;  // [B] or empty
  std::vector<float> alibi_slopes;   // [NH] or empty
  Tensor bias;                       // constant f32 additive bias broadcastable to [B, NH, T, N]
};

// q [B, NH, T, HS], k, v [B, NKV, N, HS] (f32) -> o [B, NH, T, HS].
// capture: where the kernel writes what it tells about the weights (recorder buffers).
// lse_out, when non-null, receives lse [B, NH, T].
//   backward: dq, dk, dv from the kernel (no gradient for bias: it is a constant here).
Tensor fused_attention(const Tensor& q, const Tensor& k, const Tensor& v, const FusedAttentionConfig& cfg,
                       const kernels::AttentionCapture& capture = {}, Tensor* lse_out = nullptr);

}  // namespace attnscope::attention
