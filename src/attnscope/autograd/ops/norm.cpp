// Normalization over the last dim C, rows = numel / C (row kernels in kernels/rows.h).
//   layer_norm: y = (x - mean) rstd gamma + beta,  rstd = 1/sqrt(var + eps)
//     dx = rstd (dxhat - mean(dxhat) - xhat mean(dxhat xhat)), dxhat = dy gamma
//     dgamma = sum_rows dy xhat, dbeta = sum_rows dy
//   rms_norm:   y = x rstd gamma,  rstd = 1/sqrt(mean(x^2) + eps)
//     dx = rstd (dxhat - xhat mean(dxhat xhat)), dgamma = sum_rows dy xhat
// Saved: x, mean [rows], rstd [rows]. dgamma/dbeta are summed per fixed block of rows, then the
// blocks in order: deterministic for a given thread count.
#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/autograd/ops/rows.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_layer_norm{"layer_norm"};
const OpDef kOp_rms_norm{"rms_norm"};
}  // namespace attnscope::autograd

namespace attnscope::ops {
namespace {

// gamma/beta checked against C, or a constant of `fill` when undefined.
Tensor param_or(const Tensor& p, const Tensor& x, double fill, const char* op, const char* name) {
  const int64_t C = x.shape().back();
  if (!p.defined()) return Tensor::full(Shape{C}, fill, x.dtype());
  if (p.ndim() != 1 || p.shape()[0] != C)
    throw ShapeError(std::string(op) + ": " + name + " must be [" + std::to_string(C) + "] for input " +
                     x.str() + ", got " + p.str());
  detail::check_same_dtype(x, p, op);
  return p.contiguous();
}

void check_input(const Tensor& x, double eps, const char* op) {
  if (!x.defined() || x.ndim() == 0 || x.shape().back() == 0)
    throw ShapeError(std::string(op) + ": expected input [..., C] with C > 0, got " + x.str());
  if (!(eps > 0)) throw ValueError(std::string(op) + ": eps must be > 0, got " + std::to_string(eps));
}

// Sums partials [blocks, C] into out [C] in block order.
template <class T>
void sum_blocks(const std::vector<T>& partial, int64_t blocks, int64_t C, T* out) {
  for (int64_t c = 0; c < C; ++c) {
    T s = partial[c];
    for (int64_t b = 1; b < blocks; ++b) s += partial[b * C + c];
    out[c] = s;
  }
}

}  // namespace

Tensor layer_norm(const Tensor& x, const Tensor& gamma, const Tensor& beta, double eps) {
  check_input(x, eps, "layer_norm");
  const Tensor g = param_or(gamma, x, 1.0, "layer_norm", "gamma");
  const Tensor b = param_or(beta, x, 0.0, "layer_norm", "beta");
  const int64_t C = x.shape().back(), rows = x.numel() / C;
  const Tensor xc = x.contiguous();
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  Tensor mean = Tensor::empty(Shape{rows}, x.dtype()), rstd = Tensor::empty(Shape{rows}, x.dtype());
  dispatch_dtype(x.dtype(), [&]<class T>() {
    const auto& k = kernels::row_kernels_for<T>();
    const T *px = xc.data<T>(), *pg = g.data<T>(), *pb = b.data<T>();
    T *py = y.data<T>(), *pm = mean.data<T>(), *pr = rstd.data<T>();
    detail::for_rows(rows, C, [&](int64_t r) {
      k.layer_norm(px + r * C, pg, pb, static_cast<T>(eps), py + r * C, pm + r, pr + r, C);
    });
  });
  const bool gg = gamma.defined() && gamma.requires_grad(), gb = beta.defined() && beta.requires_grad();
  autograd::record(autograd::kOp_layer_norm, {x, gamma, beta}, y,
                   [xc = xc.detach(), g = g.detach(), mean, rstd, rows, C, gg, gb](const Tensor& dy) {
                     const Tensor dyc = dy.contiguous();
                     Tensor dx = Tensor::empty(xc.shape(), xc.dtype());
                     Tensor dgamma = Tensor::empty(Shape{C}, xc.dtype());
                     Tensor dbeta = Tensor::empty(Shape{C}, xc.dtype());
                     dispatch_dtype(xc.dtype(), [&]<class T>() {
                       const auto& k = kernels::row_kernels_for<T>();
                       const T *px = xc.data<T>(), *pg = g.data<T>(), *pd = dyc.data<T>();
                       const T *pm = mean.data<T>(), *pr = rstd.data<T>();
                       T* pdx = dx.data<T>();
                       const int64_t blocks = detail::row_blocks(rows, 8);
                       std::vector<T> pdg(blocks * C, T(0)), pdb(blocks * C, T(0));
                       detail::for_blocks(rows, blocks, [&](int64_t blk, int64_t r0, int64_t r1) {
                         for (int64_t r = r0; r < r1; ++r)
                           k.layer_norm_backward(px + r * C, pg, pm[r], pr[r], pd + r * C,
                                                 pdx + r * C, pdg.data() + blk * C,
                                                 pdb.data() + blk * C, C);
                       });
                       sum_blocks(pdg, blocks, C, dgamma.data<T>());
                       sum_blocks(pdb, blocks, C, dbeta.data<T>());
                     });
                     return std::vector<Tensor>{dx, gg ? dgamma : Tensor(), gb ? dbeta : Tensor()};
                   });
  return y;
}

Tensor rms_norm(const Tensor& x, const Tensor& gamma, double eps) {
  check_input(x, eps, "rms_norm");
  const Tensor g = param_or(gamma, x, 1.0, "rms_norm", "gamma");
  const int64_t C = x.shape().back(), rows = x.numel() / C;
  const Tensor xc = x.contiguous();
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  Tensor rstd = Tensor::empty(Shape{rows}, x.dtype());
  dispatch_dtype(x.dtype(), [&]<class T>() {
    const auto& k = kernels::row_kernels_for<T>();
    const T *px = xc.data<T>(), *pg = g.data<T>();
    T *py = y.data<T>(), *pr = rstd.data<T>();
    detail::for_rows(rows, C, [&](int64_t r) {
      k.rms_norm(px + r * C, pg, static_cast<T>(eps), py + r * C, pr + r, C);
    });
  });
  const bool gg = gamma.defined() && gamma.requires_grad();
  autograd::record(autograd::kOp_rms_norm, {x, gamma}, y,
                   [xc = xc.detach(), g = g.detach(), rstd, rows, C, gg](const Tensor& dy) {
                     const Tensor dyc = dy.contiguous();
                     Tensor dx = Tensor::empty(xc.shape(), xc.dtype());
                     Tensor dgamma = Tensor::empty(Shape{C}, xc.dtype());
                     dispatch_dtype(xc.dtype(), [&]<class T>() {
                       const auto& k = kernels::row_kernels_for<T>();
                       const T *px = xc.data<T>(), *pg = g.data<T>(), *pd = dyc.data<T>();
                       const T* pr = rstd.data<T>();
                       T* pdx = dx.data<T>();
                       const int64_t blocks = detail::row_blocks(rows, 8);
                       std::vector<T> pdg(blocks * C, T(0));
                       detail::for_blocks(rows, blocks, [&](int64_t blk, int64_t r0, int64_t r1) {
                         for (int64_t r = r0; r < r1; ++r)
                           k.rms_norm_backward(px + r * C, pg, pr[r], pd + r * C, pdx + r * C,
                                               pdg.data() + blk * C, C);
                       });
                       sum_blocks(pdg, blocks, C, dgamma.data<T>());
                     });
                     return std::vector<Tensor>{dx, gg ? dgamma : Tensor()};
                   });
  return y;
}

}  // namespace attnscope::ops
