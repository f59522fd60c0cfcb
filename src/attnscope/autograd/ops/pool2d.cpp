// 2-D pooling over kernel x kernel windows with a stride, no padding (NCHW).
//   max: y = max over the window;  dx += dy at the window's first maximum (saved argmax)
//   avg: y = mean over the window; dx += dy / kernel^2 over the window
// Work splits over (b, c) planes: each plane's gradient is written by one thread only.
#include <algorithm>
#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"

namespace attnscope::autograd {
const OpDef kOp_max_pool2d{"max_pool2d"};
const OpDef kOp_avg_pool2d{"avg_pool2d"};
}  // namespace attnscope::autograd

namespace attnscope::ops {
namespace {

struct PoolGeom {
  int64_t planes, H, W, Ho, Wo, k, s;
};

PoolGeom pool_geometry(const Tensor& x, int kernel, int stride, const char* op) {
  if (!x.defined() || x.ndim() != 4)
    throw ShapeError(std::string(op) + ": expected x [B, C, H, W], got " + x.str());
  if (kernel < 1 || stride < 1)
    throw ShapeError(std::string(op) + ": kernel and stride must be >= 1, got kernel " +
                     std::to_string(kernel) + ", stride " + std::to_string(stride));
  const int64_t H = x.shape()[2], W = x.shape()[3];
  if (H < kernel || W < kernel)
    throw ShapeError(std::string(op) + ": kernel " + std::to_string(kernel) + " larger than input " + x.str());
  return {x.shape()[0] * x.shape()[1], H, W, (H - kernel) / stride + 1, (W - kernel) / stride + 1,
          kernel, stride};
}

template <class F>
void for_planes(const PoolGeom& g, F&& f) {
  parallel_for(0, g.planes, std::max<int64_t>(1, 16384 / (g.H * g.W)), [&](int64_t lo, int64_t hi) {
    for (int64_t p = lo; p < hi; ++p) f(p);
  });
}

}  // namespace

Tensor max_pool2d(const Tensor& x, int kernel, int stride) {
  const PoolGeom g = pool_geometry(x, kernel, stride, "max_pool2d");
  const Tensor xc = x.contiguous();
  Tensor y = Tensor::empty(Shape{x.shape()[0], x.shape()[1], g.Ho, g.Wo}, x.dtype());
  // Flat index of each output's first maximum within its plane.
  auto arg = std::make_shared<std::vector<int32_t>>(g.planes * g.Ho * g.Wo);
  dispatch_dtype(x.dtype(), [&]<class T>() {
    const T* px = xc.data<T>();
    T* py = y.data<T>();
    for_planes(g, [&](int64_t p) {
      const T* xp = px + p * g.H * g.W;
      for (int64_t oh = 0; oh < g.Ho; ++oh)
        for (int64_t ow = 0; ow < g.Wo; ++ow) {
          // Selects rather than branches: activations' order is random, so a branch per
          // comparison is mispredicted about half the time.
          int64_t best = oh * g.s * g.W + ow * g.s;
          T bv = xp[best];
          for (int64_t i = 0; i < g.k; ++i)
            for (int64_t j = 0; j < g.k; ++j) {
              const int64_t idx = (oh * g.s + i) * g.W + ow * g.s + j;
              const T v = xp[idx];
              const bool take = (v > bv) | ((v != v) & (bv == bv));  // a NaN wins over numbers
              best = take ? idx : best;
              bv = take ? v : bv;
            }
          const int64_t o = (p * g.Ho + oh) * g.Wo + ow;
          (*arg)[o] = static_cast<int32_t>(best);
          py[o] = bv;
        }
    });
  });
  autograd::record(autograd::kOp_max_pool2d, {x}, y, [g, arg, full = x.shape()](const Tensor& dy) {
    const Tensor gc = dy.contiguous();
    Tensor dx = Tensor::zeros(full, dy.dtype());
    dispatch_dtype(dy.dtype(), [&]<class T>() {
      const T* pg = gc.data<T>();
      T* pd = dx.data<T>();
      for_planes(g, [&](int64_t p) {
        T* dp = pd + p * g.H * g.W;
        for (int64_t o = p * g.Ho * g.Wo; o < (p + 1) * g.Ho * g.Wo; ++o) dp[(*arg)[o]] += pg[o];
      });
    });
    return std::vector<Tensor>{dx};
  });
  return y;
}

Tensor avg_pool2d(const Tensor& x, int kernel, int stride) {
  const PoolGeom g = pool_geometry(x, kernel, stride, "avg_pool2d");
  const Tensor xc = x.contiguous();
  Tensor y = Tensor::empty(Shape{x.shape()[0], x.shape()[1], g.Ho, g.Wo}, x.dtype());
  dispatch_dtype(x.dtype(), [&]<class T>() {
    const T* px = xc.data<T>();
    T* py = y.data<T>();
    const T inv = T(1) / static_cast<T>(g.k * g.k);
    for_planes(g, [&](int64_t p) {
      const T* xp = px + p * g.H * g.W;
      for (int64_t oh = 0; oh < g.Ho; ++oh)
        for (int64_t ow = 0; ow < g.Wo; ++ow) {
          T s = 0;
          for (int64_t i = 0; i < g.k; ++i)
            for (int64_t j = 0; j < g.k; ++j) s += xp[(oh * g.s + i) * g.W + ow * g.s + j];
          py[(p * g.Ho + oh) * g.Wo + ow] = s * inv;
        }
    });
  });
  autograd::record(autograd::kOp_avg_pool2d, {x}, y, [g, full = x.shape()](const Tensor& dy) {
    const Tensor gc = dy.contiguous();
    Tensor dx = Tensor::zeros(full, dy.dtype());
    dispatch_dtype(dy.dtype(), [&]<class T>() {
      const T* pg = gc.data<T>();
      T* pd = dx.data<T>();
      const T inv = T(1) / static_cast<T>(g.k * g.k);
      for_planes(g, [&](int64_t p) {
        T* dp = pd + p * g.H * g.W;
        for (int64_t oh = 0; oh < g.Ho; ++oh)
          for (int64_t ow = 0; ow < g.Wo; ++ow) {
            const T v = pg[(p * g.Ho + oh) * g.Wo + ow] * inv;
            for (int64_t i = 0; i < g.k; ++i)
              for (int64_t j = 0; j < g.k; ++j) dp[(oh * g.s + i) * g.W + ow * g.s + j] += v;
          }
      });
    });
    return std::vector<Tensor>{dx};
  });
  return y;
}

}  // namespace attnscope::ops
