// KVCache: keys and values of the positions decoded so far, for incremental decoding. A step
// appends its new keys/values and attends over all of them; with the causal mask's bottom-right
// alignment (mask.h) the output equals a full recompute. Inference only (no autograd history).
// For cross-attention the cache is static: filled from the memory once, then reused.
#pragma once
#include <cstdint>

#include "attnscope/tensor/tensor.h"

namespace attnscope::attention {

class KVCache {
 public:
  // Number of cached positions (the position of the next query row).
  int64_t length() const { return k_.defined() ? k_.size(2) : 0; }
  bool empty() const { return length() == 0; }
  // Appends k, v [B, NKV, T, HS] along the position dim; returns the whole cache.
  // Throws ShapeError if B, NKV or HS change between calls.
  void append(const Tensor& k, const Tensor& v);
  const Tensor& keys() const { return k_; }    // [B, NKV, N, HS]
  const Tensor& values() const { return v_; }  // [B, NKV, N, HSv]
  void clear() { k_ = Tensor(); v_ = Tensor(); }

 private:
  Tensor k_, v_;
};

}  // namespace attnscope::attention
