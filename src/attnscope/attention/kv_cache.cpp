#include "attnscope/attention/kv_cache.h"

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {

void KVCache::append(const Tensor& k, const Tensor& v) {
  if (k.ndim() != 4 || v.ndim() != 4 || k.size(0) != v.size(0) || k.size(1) != v.size(1) || k.size(2) != v.size(2))
    throw ShapeError("kv_cache: expected k [B, NKV, T, HS], v [B, NKV, T, HSv], got k " + k.str() + ", v " + v.str());
  autograd::NoGrad ng;
  if (!k_.defined()) {
    k_ = k.detach().contiguous();
    v_ = v.detach().contiguous();
    return;
  }
  if (k.size(0) != k_.size(0) || k.size(1) != k_.size(1) || k.size(3) != k_.size(3) || v.size(3) != v_.size(3))
    throw ShapeError("kv_cache: new keys " + k.str() + " do not extend the cache " + k_.str());
  // Amortized growth would avoid the copy per step; decoding here is short (captions, demos).
  k_ = ops::concat({k_, k.detach()}, 2);
  v_ = ops::concat({v_, v.detach()}, 2);
}

}  // namespace attnscope::attention
