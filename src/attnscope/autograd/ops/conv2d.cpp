// conv2d (NCHW) by im2col + GEMM.
//   cols_b [CKK, HoWo], CKK = Cin*KH*KW:  cols_b[(c,kh,kw), (oh,ow)] = x[b, c, oh*s - p + kh, ow*s - p + kw]
//   forward:  y_b [Cout, HoWo] = W [Cout, CKK] @ cols_b + bias
//   backward: dW += dy_b @ cols_b^T,  dcols_b = W^T @ dy_b -> col2im (scatter-add) into dx_b,
//             dbias = sum over b, oh, ow of dy
// The work goes in units whose cols fit a fixed budget (kColsBudget), so memory does not grow with
// the batch or the image and the buffer stays warm in cache: small images are grouped several to a
// unit (one batched GEMM), a large one is cut into bands of output rows (the GEMMs read and write
// y and dy with row stride HoWo). A 64 px photo's conv2 has 4.7 MB of cols per image: with whole
// images per unit that buffer streamed through L3 each pass; bands of <= 1 MB stay in L2.
// Threads take whole images (conv2d_geom.h). 3x3 stride-1 kernels with enough channels go the
// Winograd way instead (conv2d_winograd.h): same results to rounding, 2.25-4x fewer products.
#include <algorithm>
#include <vector>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/conv2d_geom.h"
#include "attnscope/autograd/ops/conv2d_winograd.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/kernels/gemm.h"
#include "attnscope/kernels/rows.h"

namespace attnscope::autograd {
const OpDef kOp_conv2d{"conv2d"};
}

namespace attnscope::ops {
namespace {
using conv::ConvGeom;
using conv::for_image_shares;
using conv::image_shares;

constexpr int64_t kColsBudget = int64_t{1} << 20;  // bytes of cols per unit

// A unit of work: items b0 .. b0+nb, output rows oh0 .. oh1 of each (nb > 1 only with all rows).
struct Unit {
  int64_t b0, nb, oh0, oh1;
};

// The units of items [b_begin, b_end) in order, and the largest unit's cols size (elements).
struct Plan {
  std::vector<Unit> units;
  int64_t cols = 0;
};
Plan plan(const ConvGeom& g, size_t elem, int64_t b_begin, int64_t b_end) {
  const int64_t row = std::max<int64_t>(1, g.ckk() * g.Wo * static_cast<int64_t>(elem));  // one output row
  const int64_t rows = std::max<int64_t>(1, kColsBudget / row);
  const int64_t nb = b_end - b_begin;
  Plan p;
  if (rows >= g.Ho) {  // whole items, several to a unit
    const int64_t G = std::clamp<int64_t>(rows / g.Ho, 1, std::max<int64_t>(nb, 1));
    for (int64_t b0 = b_begin; b0 < b_end; b0 += G) p.units.push_back({b0, std::min(G, b_end - b0), 0, g.Ho});
    p.cols = std::min(G, nb) * g.ckk() * g.howo();
  } else {  // bands of rows of one item
    for (int64_t b = b_begin; b < b_end; ++b)
      for (int64_t oh0 = 0; oh0 < g.Ho; oh0 += rows) p.units.push_back({b, 1, oh0, std::min(g.Ho, oh0 + rows)});
    p.cols = g.ckk() * rows * g.Wo;
  }
  return p;
}

// The output columns ow whose input column ow*stride - pad + kw lies inside [0, W): [lo, hi).
struct ValidCols {
  int64_t lo, hi;
};
inline ValidCols valid_cols(const ConvGeom& g, int64_t kw) {
  const int64_t first = g.pad - kw;  // ow*stride >= first
  const int64_t lo = first <= 0 ? 0 : (first + g.stride - 1) / g.stride;
  const int64_t last = g.W - 1 + g.pad - kw;  // ow*stride <= last
  const int64_t hi = last < 0 ? 0 : std::min(g.Wo, last / g.stride + 1);
  return {std::min(lo, hi), hi};
}

// cols [nb, CKK, (oh1 - oh0) * Wo] for unit u of x [B, Cin, H, W]. The padding bounds are worked
// out once per (kw) so the inner loop is a plain copy (memcpy at stride 1): the per-element bounds
// test made im2col ~10% of a 64 px captioner step.
template <class T>
void im2col(const ConvGeom& g, const T* x, const Unit& u, T* cols) {
  const int64_t n = (u.oh1 - u.oh0) * g.Wo;
  parallel_for(0, u.nb * g.Cin, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t bc = lo; bc < hi; ++bc) {
      const int64_t b = bc / g.Cin, c = bc % g.Cin;
      const T* xp = x + ((u.b0 + b) * g.Cin + c) * g.H * g.W;
      for (int64_t kh = 0; kh < g.KH; ++kh)
        for (int64_t kw = 0; kw < g.KW; ++kw) {
          const ValidCols v = valid_cols(g, kw);
          T* row = cols + (b * g.ckk() + (c * g.KH + kh) * g.KW + kw) * n;
          for (int64_t oh = u.oh0; oh < u.oh1; ++oh) {
            const int64_t ih = oh * g.stride - g.pad + kh;
            T* out = row + (oh - u.oh0) * g.Wo;
            if (ih < 0 || ih >= g.H) {
              std::fill(out, out + g.Wo, T(0));
              continue;
            }
            std::fill(out, out + v.lo, T(0));
            const int64_t at = ih * g.W - g.pad + kw;  // x column of ow is at + ow * stride
            if (g.stride == 1)
              std::copy(xp + at + v.lo, xp + at + v.hi, out + v.lo);
            else
              for (int64_t ow = v.lo; ow < v.hi; ++ow) out[ow] = xp[at + ow * g.stride];
            std::fill(out + v.hi, out + g.Wo, T(0));
          }
        }
    }
  });
}

// dx [B, Cin, H, W] += col2im(dcols [nb, CKK, (oh1 - oh0) * Wo]) for unit u; units run in order.
// A plane is zeroed here, by the unit holding its first rows, rather than the whole dx up front.
template <class T>
void col2im(const ConvGeom& g, const T* dcols, const Unit& u, T* dx) {
  const int64_t n = (u.oh1 - u.oh0) * g.Wo;
  parallel_for(0, u.nb * g.Cin, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t bc = lo; bc < hi; ++bc) {
      const int64_t b = bc / g.Cin, c = bc % g.Cin;
      T* xp = dx + ((u.b0 + b) * g.Cin + c) * g.H * g.W;
      if (u.oh0 == 0) std::fill(xp, xp + g.H * g.W, T(0));
      for (int64_t kh = 0; kh < g.KH; ++kh)
        for (int64_t kw = 0; kw < g.KW; ++kw) {
          const ValidCols v = valid_cols(g, kw);
          const T* row = dcols + (b * g.ckk() + (c * g.KH + kh) * g.KW + kw) * n;
          for (int64_t oh = u.oh0; oh < u.oh1; ++oh) {
            const int64_t ih = oh * g.stride - g.pad + kh;
            if (ih < 0 || ih >= g.H) continue;
            const int64_t at = ih * g.W - g.pad + kw;
            const T* src = row + (oh - u.oh0) * g.Wo;
            if (g.stride == 1)
              for (int64_t ow = v.lo; ow < v.hi; ++ow) xp[at + ow] += src[ow];
            else
              for (int64_t ow = v.lo; ow < v.hi; ++ow) xp[at + ow * g.stride] += src[ow];
          }
        }
    }
  });
}

// y = conv(x, w) + bias by im2col + GEMM, the shares of the batch on their own threads.
template <class T>
void im2col_forward(const ConvGeom& g, const T* x, const T* w, const T* bias, T* y) {
  const int64_t CKK = g.ckk(), HW = g.howo();
  for_image_shares(g.B, image_shares(g.B), [&](int64_t b_begin, int64_t b_end, int64_t) {
    const Plan pl = plan(g, sizeof(T), b_begin, b_end);
    std::vector<T> cols(static_cast<size_t>(pl.cols));
    // y starts as the bias and the GEMMs add into it (beta 1): one pass over y instead of the
    // GEMM's own zeroing pass plus a bias pass.
    parallel_for(b_begin * g.Cout, b_end * g.Cout, 16, [&](int64_t lo, int64_t hi) {
      for (int64_t i = lo; i < hi; ++i) std::fill(y + i * HW, y + (i + 1) * HW, bias ? bias[i % g.Cout] : T(0));
    });
    for (const Unit& u : pl.units) {
      const int64_t n = (u.oh1 - u.oh0) * g.Wo;
      im2col(g, x, u, cols.data());
      kernels::gemm_batched<T>(false, false, u.nb, g.Cout, n, CKK, T(1), w, CKK, 0, cols.data(), n, CKK * n, T(1),
                               y + u.b0 * g.Cout * HW + u.oh0 * g.Wo, HW, g.Cout * HW);
    }
  });
}

// dx (=, nullptr: not wanted) and dw (+=, nullptr: not wanted) by im2col + GEMM.
template <class T>
void im2col_backward(const ConvGeom& g, const T* x, const T* w, const T* dy, T* dx, T* dw) {
  const int64_t CKK = g.ckk(), HW = g.howo(), shares = image_shares(g.B);
  // dW of shares after the first, each summed on its own and added in order.
  std::vector<std::vector<T>> dw_more(dw ? static_cast<size_t>(shares - 1) : 0);
  for_image_shares(g.B, shares, [&](int64_t b_begin, int64_t b_end, int64_t share) {
    const Plan pl = plan(g, sizeof(T), b_begin, b_end);
    std::vector<T> cols(static_cast<size_t>(pl.cols));
    T* dws = share == 0 ? dw : nullptr;
    if (dw && share > 0) {
      dw_more[share - 1].assign(static_cast<size_t>(g.Cout * CKK), T(0));
      dws = dw_more[share - 1].data();
    }
    for (const Unit& u : pl.units) {
      const int64_t n = (u.oh1 - u.oh0) * g.Wo;
      const T* dyu = dy + u.b0 * g.Cout * HW + u.oh0 * g.Wo;  // rows of stride HW
      if (dw) {
        // dW += dy_b [Cout, n] @ cols_b^T [n, CKK], units and items in order.
        im2col(g, x, u, cols.data());
        for (int64_t b = 0; b < u.nb; ++b)
          kernels::gemm(false, true, g.Cout, CKK, n, T(1), dyu + b * g.Cout * HW, HW, cols.data() + b * CKK * n, n,
                        T(1), dws, CKK);
      }
      if (dx) {
        // dcols_b = W^T [CKK, Cout] @ dy_b [Cout, n]
        kernels::gemm_batched<T>(true, false, u.nb, CKK, n, g.Cout, T(1), w, CKK, 0, dyu, HW, g.Cout * HW, T(0),
                                 cols.data(), n, CKK * n);
        col2im(g, cols.data(), u, dx);
      }
    }
  });
  for (const std::vector<T>& part : dw_more)
    for (size_t i = 0; i < part.size(); ++i) dw[i] += part[i];
}

}  // namespace

Tensor conv2d(const Tensor& x, const Tensor& w, const Tensor& bias, int stride, int padding) {
  detail::check_same_dtype(x, w, "conv2d");
  if (x.ndim() != 4 || w.ndim() != 4 || x.shape()[1] != w.shape()[1])
    throw ShapeError("conv2d: expected x [B, Cin, H, W] and w [Cout, Cin, KH, KW] with equal Cin, got " +
                     x.str() + " and " + w.str());
  if (stride < 1 || padding < 0)
    throw ShapeError("conv2d: stride must be >= 1 and padding >= 0, got stride " +
                     std::to_string(stride) + ", padding " + std::to_string(padding));
  ConvGeom g{x.shape()[0], x.shape()[1], x.shape()[2], x.shape()[3], w.shape()[0], w.shape()[2],
             w.shape()[3], 0, 0, stride, padding};
  if (g.KH < 1 || g.KW < 1 || g.H + 2 * g.pad < g.KH || g.W + 2 * g.pad < g.KW)
    throw ShapeError("conv2d: kernel " + w.str() + " larger than padded input " + x.str() +
                     " (padding " + std::to_string(padding) + ")");
  g.Ho = (g.H + 2 * g.pad - g.KH) / g.stride + 1;
  g.Wo = (g.W + 2 * g.pad - g.KW) / g.stride + 1;
  if (bias.defined()) {
    detail::check_same_dtype(x, bias, "conv2d");
    if (bias.ndim() != 1 || bias.shape()[0] != g.Cout)
      throw ShapeError("conv2d: bias must be [" + std::to_string(g.Cout) + "], got " + bias.str());
  }
  const Tensor xc = x.contiguous(), wc = w.contiguous(), bc = bias.defined() ? bias.contiguous() : Tensor();
  Tensor y = Tensor::empty(Shape{g.B, g.Cout, g.Ho, g.Wo}, x.dtype());
  dispatch_dtype(x.dtype(), [&]<class T>() {
    const T* pb = bc.defined() ? bc.data<T>() : nullptr;
    if (conv::winograd_applies(g))
      conv::winograd_forward(g, conv::winograd_tile(g), xc.data<T>(), wc.data<T>(), pb, y.data<T>());
    else
      im2col_forward(g, xc.data<T>(), wc.data<T>(), pb, y.data<T>());
  });
  const bool gx = x.requires_grad(), gw = w.requires_grad(), gb = bias.defined() && bias.requires_grad();
  autograd::record(autograd::kOp_conv2d, {x, w, bias}, y,
                   [g, xc = xc.detach(), wc = wc.detach(), gx, gw, gb](const Tensor& dy) {
                     const Tensor dyc = dy.contiguous();
                     Tensor dx, dw, db;
                     dispatch_dtype(dyc.dtype(), [&]<class T>() {
                       const int64_t HW = g.howo();
                       const T* pdy = dyc.data<T>();
                       if (gx) dx = Tensor::empty(xc.shape(), xc.dtype());  // zeroed plane by plane
                       if (gw) dw = Tensor::zeros(wc.shape(), wc.dtype());
                       T* pdx = gx ? dx.data<T>() : nullptr;
                       T* pdw = gw ? dw.data<T>() : nullptr;
                       if (conv::winograd_applies(g))
                         conv::winograd_backward(g, conv::winograd_tile(g), xc.data<T>(), wc.data<T>(), pdy, pdx, pdw);
                       else
                         im2col_backward(g, xc.data<T>(), wc.data<T>(), pdy, pdx, pdw);
                       if (gb) {
                         db = Tensor::empty(Shape{g.Cout}, dyc.dtype());
                         T* pb = db.data<T>();
                         const auto& k = kernels::row_kernels_for<T>();  // a vectorized plane sum
                         parallel_for(0, g.Cout, 1, [&](int64_t lo, int64_t hi) {
                           for (int64_t co = lo; co < hi; ++co) {
                             T s = 0;
                             for (int64_t b = 0; b < g.B; ++b) s += k.sum(pdy + (b * g.Cout + co) * HW, HW);
                             pb[co] = s;
                           }
                         });
                       }
                     });
                     return std::vector<Tensor>{dx, dw, db};
                   });
  return y;
}

}  // namespace attnscope::ops
