// softmax and log_softmax over the last dim with an optional additive mask.
//   softmax:      y = exp(s - lse(s)),  s = x + mask;  dx = y * (dy - sum(dy * y))
//   log_softmax:  y = s - lse(s);                      dx = dy - exp(y) * sum(dy)
// A row whose scores are all -inf gives y = 0 (and dx = 0), never NaN. Rows run through the
// row kernels (kernels/rows.h): SIMD for f32, the scalar reference for f64.
#include <cmath>
#include <limits>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/autograd/ops/rows.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_softmax{"softmax"};
const OpDef kOp_log_softmax{"log_softmax"};
}  // namespace attnscope::autograd

namespace attnscope::ops {
namespace {

// s = x + mask as a contiguous [rows, n] buffer (the mask is a constant: not differentiated).
Tensor masked_scores(const Tensor& x, const Tensor& mask, const char* op) {
  if (!x.defined() || x.ndim() == 0)
    throw ShapeError(std::string(op) + ": expected at least 1-D input, got " + x.str());
  if (!mask.defined()) return x.contiguous();
  detail::check_same_dtype(x, mask, op);
  if (!(broadcast_shapes(x.shape(), mask.shape(), op) == x.shape()))
    throw ShapeError(std::string(op) + ": mask " + mask.str() + " does not broadcast to scores " +
                     x.str());
  autograd::NoGrad ng;
  return add(x, mask);
}

// Shared forward/backward of the two ops; `log` picks the variant.
Tensor softmax_family(const Tensor& x, const Tensor& mask, bool log) {
  const autograd::OpDef& op = log ? autograd::kOp_log_softmax : autograd::kOp_softmax;
  const Tensor s = masked_scores(x, mask, op.name.data());
  const int64_t n = x.shape().back(), rows = n ? x.numel() / n : 0;
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  dispatch_dtype(x.dtype(), [&]<class T>() {
    const auto& k = kernels::row_kernels_for<T>();
    const auto fn = log ? k.log_softmax : k.softmax;
    const T* ps = s.data<T>();
    T* py = y.data<T>();
    detail::for_rows(rows, n, [&](int64_t r) { fn(ps + r * n, py + r * n, n); });
  });
  autograd::record(op, {x}, y, [yd = y.detach(), rows, n, log](const Tensor& g) {
    Tensor gc = g.contiguous();
    Tensor dx = Tensor::empty(yd.shape(), yd.dtype());
    dispatch_dtype(yd.dtype(), [&]<class T>() {
      const auto& k = kernels::row_kernels_for<T>();
      const auto fn = log ? k.log_softmax_backward : k.softmax_backward;
      const T* py = yd.data<T>();
      const T* pg = gc.data<T>();
      T* pdx = dx.data<T>();
      detail::for_rows(rows, n, [&](int64_t r) { fn(py + r * n, pg + r * n, pdx + r * n, n); });
    });
    return std::vector<Tensor>{dx};
  });
  return y;
}

}  // namespace

Tensor softmax(const Tensor& x, const Tensor& mask) { return softmax_family(x, mask, false); }
Tensor log_softmax(const Tensor& x, const Tensor& mask) { return softmax_family(x, mask, true); }

}  // namespace attnscope::ops
