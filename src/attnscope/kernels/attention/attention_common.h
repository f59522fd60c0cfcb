// Internal helpers shared by the reference and the fused attention paths (no intrinsics here).
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>

#include "attnscope/core/half.h"
#include "attnscope/kernels/attention/flash_attention.h"

namespace attnscope::kernels::detail {

// Keys visible to query row i form one interval [lo, hi): padding, causality and the sliding
// window each cut one end (see the header's mask rules). Empty when lo >= hi.
struct KeyRange {
  int64_t lo, hi;
};
inline KeyRange visible_keys(const AttentionParams& p, int64_t b, int64_t i) {
  const int64_t pos = i + (p.N - p.T);
  int64_t hi = p.key_lengths ? std::min<int64_t>(p.key_lengths[b], p.N) : p.N;
  int64_t lo = 0;
  if (p.causal) hi = std::min(hi, pos + 1);
  if (p.window > 0) lo = std::max<int64_t>(lo, pos - p.window + 1);
  return {lo, std::max(lo, hi)};
}

inline float resolved_scale(const AttentionParams& p) {
  return p.scale != 0 ? p.scale : 1.0f / std::sqrt(static_cast<float>(p.HS));
}

// Additive bias for (b, h, i, j) from ALiBi and the user matrix (0 when neither is set).
inline const float* bias_row(const AttentionParams& p, int64_t b, int64_t h, int64_t i) {
  return p.bias ? p.bias + b * p.bias_batch_stride + h * p.bias_head_stride + i * p.bias_row_stride
                : nullptr;
}

inline int64_t kv_head(const AttentionParams& p, int64_t h) { return h / (p.NH / p.NKV); }

// Element offsets of row 0 of (b, h) in each tensor.
inline int64_t q_offset(const AttentionParams& p, int64_t b, int64_t h) {
  return b * p.q_batch_stride + h * p.q_head_stride;
}
inline int64_t k_offset(const AttentionParams& p, int64_t b, int64_t hk) {
  return b * p.k_batch_stride + hk * p.k_head_stride;
}
inline int64_t v_offset(const AttentionParams& p, int64_t b, int64_t hk) {
  return b * p.v_batch_stride + hk * p.v_head_stride;
}
inline int64_t o_offset(const AttentionParams& p, int64_t b, int64_t h) {
  return b * p.o_batch_stride + h * p.o_head_stride;
}

// Loads `n` elements of q/k/v storage (f32 or bf16) starting at element `off` as floats.
inline void load_row(const void* base, StorageType t, int64_t off, int64_t n, float* out) {
  if (t == StorageType::f32) {
    const float* s = static_cast<const float*>(base) + off;
    std::copy(s, s + n, out);
  } else {
    const uint16_t* s = static_cast<const uint16_t*>(base) + off;
    for (int64_t c = 0; c < n; ++c) out[c] = bf16_to_f32(s[c]);
  }
}

// Per-ISA entry points (flash_attention_<isa>.cpp); validation happened before.
void flash_forward_scalar(const AttentionParams& p, const AttentionCapture& c);
void flash_forward_avx2(const AttentionParams& p, const AttentionCapture& c);
void flash_forward_avx512(const AttentionParams& p, const AttentionCapture& c);
void flash_backward_scalar(const AttentionBackwardParams& p);
void flash_backward_avx2(const AttentionBackwardParams& p);
void flash_backward_avx512(const AttentionBackwardParams& p);

}  // namespace attnscope::kernels::detail

namespace attnscope::kernels::detail {
// Per-thread scratch floats of each ISA's tiling (forward or backward).
size_t flash_workspace_floats_scalar(const AttentionParams& p, bool backward);
size_t flash_workspace_floats_avx2(const AttentionParams& p, bool backward);
size_t flash_workspace_floats_avx512(const AttentionParams& p, bool backward);
}  // namespace attnscope::kernels::detail
