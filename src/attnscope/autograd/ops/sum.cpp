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

namespace {
// Broadcasts g (shape `kept`, reduced dims as 1) to `full` by copying.
Tensor expand_to(const Tensor& g, const Shape& kept, const Shape& full) {
  Tensor gk = reshape(g, kept).contiguous();
  Tensor out = Tensor::empty(full, g.dtype());
  dispatch_dtype(g.dtype(), [&]<class T>() {
    const T* pg = gk.data<T>();
    T* po = out.data<T>();
    Shape zero;
    for (int i = 0; i < full.size(); ++i) zero.push_back(0);
    detail::for_each_broadcast2(full, detail::broadcast_strides(gk, full), zero,
                                [&](int64_t i, int64_t og, int64_t) { po[i] = pg[og]; });
  });
  return out;
}
}  // namespace

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
    return std::vector<Tensor>{expand_to(g, kept, full)};
  });
  return y;
}

}  // namespace attnscope::ops
