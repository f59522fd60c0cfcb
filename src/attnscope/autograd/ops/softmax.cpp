// softmax over the last dim with an optional additive mask.
//   forward:  y = exp(s - max s) / sum exp(s - max s),  s = x + mask
//   backward: dx = y * (dy - sum(dy * y))
// A row whose scores are all -inf gives y = 0 (and dx = 0), never NaN.
#include <cmath>
#include <limits>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_softmax{"softmax"};
}

namespace attnscope::ops {
namespace {

template <class T>
void softmax_rows(const T* x, T* y, int64_t rows, int64_t n) {
  parallel_for(0, rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const T* xr = x + r * n;
      T* yr = y + r * n;
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < n; ++j) m = std::max(m, xr[j]);
      if (m == -std::numeric_limits<T>::infinity()) {  // fully masked row
        for (int64_t j = 0; j < n; ++j) yr[j] = 0;
        continue;
      }
      T s = 0;
      for (int64_t j = 0; j < n; ++j) s += (yr[j] = std::exp(xr[j] - m));
      const T inv = T(1) / s;
      for (int64_t j = 0; j < n; ++j) yr[j] *= inv;
    }
  });
}

template <class T>
void softmax_backward_rows(const T* y, const T* dy, T* dx, int64_t rows, int64_t n) {
  parallel_for(0, rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const T* yr = y + r * n;
      const T* gr = dy + r * n;
      T dot = 0;
      for (int64_t j = 0; j < n; ++j) dot += yr[j] * gr[j];
      for (int64_t j = 0; j < n; ++j) dx[r * n + j] = yr[j] * (gr[j] - dot);
    }
  });
}

}  // namespace

Tensor softmax(const Tensor& x, const Tensor& mask) {
  if (!x.defined() || x.ndim() == 0) throw ShapeError("softmax: expected at least 1-D input, got " + x.str());
  Tensor s;
  if (mask.defined()) {
    detail::check_same_dtype(x, mask, "softmax");
    if (!(broadcast_shapes(x.shape(), mask.shape(), "softmax (mask)") == x.shape()))
      throw ShapeError("softmax: mask " + mask.str() + " does not broadcast to scores " + x.str());
    autograd::NoGrad ng;  // the mask is a constant; x's gradient is unaffected by adding it
    s = add(x, mask);
  } else {
    s = x.contiguous();
  }
  const int64_t n = x.shape().back(), rows = n ? x.numel() / n : 0;
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  dispatch_dtype(x.dtype(), [&]<class T>() { softmax_rows<T>(s.data<T>(), y.data<T>(), rows, n); });
  autograd::record(autograd::kOp_softmax, {x}, y, [yd = y.detach(), rows, n](const Tensor& g) {
    Tensor gc = g.contiguous();
    Tensor dx = Tensor::empty(yd.shape(), yd.dtype());
    dispatch_dtype(yd.dtype(), [&]<class T>() {
      softmax_backward_rows<T>(yd.data<T>(), gc.data<T>(), dx.data<T>(), rows, n);
    });
    return std::vector<Tensor>{dx};
  });
  return y;
}

}  // namespace attnscope::ops
