// Reductions beyond sum: mean over dims, max over one dim.
//   mean: y = sum_{dims} x / n;          dx = broadcast(dy) / n
//   max:  y = x[argmax] along dim;       dx = dy at the first argmax, 0 elsewhere
#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_mean{"mean"};
const OpDef kOp_max{"max"};
}  // namespace attnscope::autograd

namespace attnscope::ops {

Tensor mean(const Tensor& x, const std::vector<int>& dims, bool keepdim) {
  if (!x.defined()) throw ShapeError("mean: undefined tensor");
  const int nd = x.ndim();
  std::vector<bool> reduce(nd, dims.empty());
  for (int d : dims) reduce[x.shape().axis(d, "mean")] = true;
  Shape kept, out_shape;
  int64_t count = 1;
  for (int i = 0; i < nd; ++i) {
    kept.push_back(reduce[i] ? 1 : x.shape()[i]);
    if (reduce[i]) count *= x.shape()[i];
    if (!reduce[i] || keepdim) out_shape.push_back(reduce[i] ? 1 : x.shape()[i]);
  }
  if (count == 0) throw ShapeError("mean: reducing over an empty dimension of " + x.str());
  Tensor y;
  {
    autograd::NoGrad ng;
    y = scale(reduce_to(x.contiguous(), kept), 1.0 / static_cast<double>(count));
  }
  y = y.as_strided(out_shape, contiguous_strides(out_shape), y.offset());
  autograd::record(autograd::kOp_mean, {x}, y, [kept, full = x.shape(), count](const Tensor& g) {
    return std::vector<Tensor>{
        scale(detail::expand_to(reshape(g, kept), full), 1.0 / static_cast<double>(count))};
  });
  return y;
}

Tensor max(const Tensor& x, int dim, bool keepdim) {
  if (!x.defined() || x.ndim() == 0) throw ShapeError("max: expected at least 1-D input, got " + x.str());
  const int d = x.shape().axis(dim, "max");
  const int64_t n = x.shape()[d];
  if (n == 0) throw ShapeError("max: dimension " + std::to_string(dim) + " of " + x.str() + " is empty");
  // x viewed as [outer, n, inner].
  int64_t outer = 1, inner = 1;
  for (int i = 0; i < d; ++i) outer *= x.shape()[i];
  for (int i = d + 1; i < x.ndim(); ++i) inner *= x.shape()[i];
  Shape out_shape;
  for (int i = 0; i < x.ndim(); ++i)
    if (i != d) out_shape.push_back(x.shape()[i]);
    else if (keepdim) out_shape.push_back(1);
  Tensor y = Tensor::empty(out_shape, x.dtype());
  auto arg = std::make_shared<std::vector<int64_t>>(outer * inner);  // [outer, inner]
  const Tensor xc = x.contiguous();
  dispatch_dtype(x.dtype(), [&]<class T>() {
    const T* px = xc.data<T>();
    T* py = y.data<T>();
    parallel_for(0, outer, std::max<int64_t>(1, 16384 / (n * inner)), [&](int64_t o0, int64_t o1) {
      for (int64_t o = o0; o < o1; ++o)
        for (int64_t i = 0; i < inner; ++i) {
          const T* p = px + o * n * inner + i;
          int64_t best = 0;
          for (int64_t j = 1; j < n; ++j) {
            const T v = p[j * inner], b = p[best * inner];
            // Strictly greater keeps the first maximum; a NaN wins (and stays).
            if (v > b || (std::isnan(v) && !std::isnan(b))) best = j;
          }
          (*arg)[o * inner + i] = best;
          py[o * inner + i] = p[best * inner];
        }
    });
  });
  autograd::record(autograd::kOp_max, {x}, y,
                   [arg, full = x.shape(), outer, n, inner](const Tensor& g) {
                     Tensor gc = g.contiguous();
                     Tensor dx = Tensor::zeros(full, g.dtype());
                     dispatch_dtype(g.dtype(), [&]<class T>() {
                       const T* pg = gc.data<T>();
                       T* pd = dx.data<T>();
                       for (int64_t o = 0; o < outer; ++o)
                         for (int64_t i = 0; i < inner; ++i)
                           pd[(o * n + (*arg)[o * inner + i]) * inner + i] = pg[o * inner + i];
                     });
                     return std::vector<Tensor>{dx};
                   });
  return y;
}

}  // namespace attnscope::ops
