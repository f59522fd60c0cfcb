// entropy forward and backward (see entropy.h).
#include "attnscope/attention/entropy.h"

#include <cmath>

#include "attnscope/attention/op_registry.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {
const autograd::OpDef kOp_entropy{"entropy"};

Tensor entropy(const Tensor& p) {
  if (!p.defined() || p.ndim() == 0) throw ShapeError("entropy: expected at least 1-D weights, got " + p.str());
  const Tensor pc = p.detach().contiguous();
  const int64_t n = p.shape().back(), rows = n ? p.numel() / n : 0;
  Shape out_shape;
  for (int d = 0; d + 1 < p.ndim(); ++d) out_shape.push_back(p.shape()[d]);
  Tensor h = Tensor::empty(out_shape, p.dtype());
  dispatch_dtype(p.dtype(), [&]<class T>() {
    const T* pp = pc.data<T>();
    T* hp = h.data<T>();
    for (int64_t r = 0; r < rows; ++r) {
      T s = 0;
      for (int64_t j = 0; j < n; ++j) {
        const T v = pp[r * n + j];
        if (v < 0 || !std::isfinite(v)) throw ValueError("entropy: weights " + p.str() + " hold a negative or non-finite value");
        if (v > 0) s -= v * std::log(v);
      }
      hp[r] = s;
    }
  });
  autograd::record(kOp_entropy, {p}, h, [pc, rows, n](const Tensor& g) {
    const Tensor gc = g.contiguous();
    Tensor dp = Tensor::empty(pc.shape(), pc.dtype());
    dispatch_dtype(pc.dtype(), [&]<class T>() {
      const T* pp = pc.data<T>();
      const T* gp = gc.data<T>();
      T* dpp = dp.data<T>();
      for (int64_t r = 0; r < rows; ++r)
        for (int64_t j = 0; j < n; ++j) {
          const T v = pp[r * n + j];
          dpp[r * n + j] = v > 0 ? -gp[r] * (std::log(v) + T(1)) : T(0);
        }
    });
    return std::vector<Tensor>{dp};
  });
  return h;
}

}  // namespace attnscope::attention
