// Inverted dropout: y = x * keep / (1 - p), keep ~ Bernoulli(1 - p);  dx = dy * keep / (1 - p).
// The mask is drawn serially from the caller's Rng (one draw per element, row-major), so a seed
// gives the same mask for every thread count; applying it is parallel.
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_dropout{"dropout"};
}

namespace attnscope::ops {

Tensor dropout(const Tensor& x, double p, bool training, Rng& rng) {
  if (!x.defined()) throw ShapeError("dropout: undefined tensor");
  if (!(p >= 0.0 && p <= 1.0)) throw ValueError("dropout: p must be in [0, 1], got " + std::to_string(p));
  if (!training || p == 0.0) return x;
  // mask holds 0 or 1/(1-p) (all 0 when p == 1).
  Tensor mask = Tensor::empty(x.shape(), x.dtype());
  dispatch_dtype(x.dtype(), [&]<class T>() {
    T* pm = mask.data<T>();
    const T keep_scale = p < 1.0 ? static_cast<T>(1.0 / (1.0 - p)) : T(0);
    for (int64_t i = 0; i < mask.numel(); ++i) pm[i] = rng.uniform() >= p ? keep_scale : T(0);
  });
  Tensor y;
  {
    autograd::NoGrad ng;
    y = mul(x, mask);
  }
  autograd::record(autograd::kOp_dropout, {x}, y, [mask](const Tensor& g) {
    autograd::NoGrad ng;
    return std::vector<Tensor>{mul(g, mask)};
  });
  return y;
}

}  // namespace attnscope::ops
