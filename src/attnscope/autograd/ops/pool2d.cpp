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

// The 2x2, stride 2 windows of one plane (the captioner's pooling), with the generic loop's
// result: the maximum, a NaN winning over numbers, and the flat index of its first occurrence.
// Written so that nothing branches on the data (max by selects, the index from equality tests in
// integer arithmetic): the generic loop spent ~40 cycles a window, mostly on mispredicted
// comparisons. A window holding a NaN (rare) branches to pick its first NaN, as the generic loop does.
template <class T>
void max_pool_2x2(const T* xp, const PoolGeom& g, T* y, int32_t* arg) {
  for (int64_t oh = 0; oh < g.Ho; ++oh) {
    const T* r0 = xp + 2 * oh * g.W;
    const T* r1 = r0 + g.W;
    for (int64_t ow = 0; ow < g.Wo; ++ow) {
      const T a = r0[2 * ow], b = r0[2 * ow + 1], c = r1[2 * ow], d = r1[2 * ow + 1];
      const int32_t base = static_cast<int32_t>(2 * oh * g.W + 2 * ow);
      T m = std::max(std::max(a, b), std::max(c, d));
      int32_t k;
      if ((a != a) | (b != b) | (c != c) | (d != d)) [[unlikely]] {
        k = a != a ? 0 : b != b ? 1 : c != c ? 2 : 3;
        m = k == 0 ? a : k == 1 ? b : k == 2 ? c : d;
      } else {
        const int32_t na = a != m, nb = b != m, nc = c != m;  // not the maximum
        k = na * (1 + nb * (1 + nc));                          // index of the first maximum, 0..3
      }
      y[oh * g.Wo + ow] = m;
      arg[oh * g.Wo + ow] = base + (k & 1) + (k >> 1) * static_cast<int32_t>(g.W);
    }
  }
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
    int32_t* pa = arg->data();
    for_planes(g, [&](int64_t p) {
      const T* xp = px + p * g.H * g.W;
      if (g.k == 2 && g.s == 2) return max_pool_2x2(xp, g, py + p * g.Ho * g.Wo, pa + p * g.Ho * g.Wo);
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
          pa[o] = static_cast<int32_t>(best);
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
