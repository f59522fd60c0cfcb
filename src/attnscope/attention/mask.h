// AttentionMask: which keys each query may see, kept as structure rather than as an N x N
// tensor, so the fused kernel derives it from indices (kernels/attention/flash_attention.h) and
// the reference path builds the additive tensor only when it runs.
//   Query row i of T sits at key position p(i) = i + (N - T) (bottom-right alignment: T new
//   queries after N - T cached keys; T == N is plain self-attention). Key j is visible iff
//     j < key_lengths[b]   (padding: variable lengths in a batch)
//     j <= p(i)            (causal)
//     j >  p(i) - window   (fixed sliding window, window > 0)
//   plus an optional additive tensor (-inf excludes, finite values bias the scores).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

struct AttentionMask {
  bool causal = false;
  int64_t window = 0;
  std::vector<int32_t> key_lengths;  // [B] or empty (all N keys valid)
  Tensor additive;                   // broadcastable to [B, NH, T, N], or undefined

  bool has_structure() const { return causal || window > 0 || !key_lengths.empty(); }
  bool empty() const { return !has_structure() && !additive.defined(); }

  // Throws ShapeError naming `op` when key_lengths or the additive tensor do not fit
  // [B, NH, T, N], or window < 0.
  void validate(const char* op, int64_t B, int64_t NH, int64_t T, int64_t N) const;
  // The additive form [B, 1, T, N] (0 or -inf) of the structure plus `additive`
  // (broadcast to [B, NH, T, N] if it has heads); undefined when the mask is empty.
  Tensor to_additive(int64_t B, int64_t T, int64_t N, DType dtype) const;
  // True when key j is visible to row i of batch b (structure only).
  bool visible(int64_t b, int64_t i, int64_t j, int64_t T, int64_t N) const;
};

// The additive form of a boolean "keep" tensor (1 keep, 0 exclude) of any shape: 0 / -inf.
Tensor keep_to_additive(const Tensor& keep);

}  // namespace attnscope::attention
