// sum over dims (all when none given).
//   forward:  y = sum_{dims} x
//   backward: dx = broadcast(dy) back to x's shape
#include <algorithm>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_sum{"sum"};
}

namespace attnscope::ops {

namespace detail {
Tensor expand_to(const Tensor& t, const Shape& full) {
  if (!(broadcast_shapes(t.shape(), full, "expand") == full))
    throw ShapeError("expand: " + t.str() + " does not broadcast to " + full.str());
  Tensor out = Tensor::empty(full, t.dtype());
  dispatch_dtype(t.dtype(), [&]<class T>() {
    const T* pt = t.data<T>();
    T* po = out.data<T>();
    Shape zero;
    for (int i = 0; i < full.size(); ++i) zero.push_back(0);
    detail::for_each_broadcast_rows(
        full, broadcast_strides(t, full), zero,
        [&](int64_t i, int64_t ot, int64_t, int64_t it, int64_t, int64_t n) {
          if (it == 0) std::fill(po + i, po + i + n, pt[ot]);
          else for (int64_t j = 0; j < n; ++j) po[i + j] = pt[ot + j * it];
        });
  });
  return out;
}
}  // namespace detail

Tensor sum(const Tensor& x, const std::vector<int>& dims, bool keepdim) {
  if (!x.defined()) throw ShapeError("sum: undefined tensor");
  const int nd = x.ndim();
  std::vector<bool> reduce(nd, dims.empty());
  for (int d : dims) reduce[x.shape().axis(d, "sum")] = true;
  Shape kept, out_shape;
  for (int i = 0; i < nd; ++i) {
    kept.push_back(reduce[i] ? 1 : x.shape()[i]);
    if (!reduce[i] || keepdim) out_shape.push_back(reduce[i] ? 1 : x.shape()[i]);
  }
  const Tensor xc = x.contiguous();
  Tensor y = reduce_to(xc, kept);  // summing over "broadcast" dims is exactly this reduction
  if (y.id() == xc.id()) y = y.clone();  // nothing reduced: never alias the input
  y = y.as_strided(out_shape, contiguous_strides(out_shape), y.offset());
  autograd::record(autograd::kOp_sum, {x}, y, [kept, full = x.shape()](const Tensor& g) {
    return std::vector<Tensor>{detail::expand_to(reshape(g, kept), full)};
  });
  return y;
}

}  // namespace attnscope::ops
