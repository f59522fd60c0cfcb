// Selection by a 0/1 mask (not differentiated):
//   masked_fill: y = mask ? value : x;  dx = mask ? 0 : dy
//   where:       y = cond ? a : b;      da = cond ? dy : 0,  db = cond ? 0 : dy (reduced to shape)
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_masked_fill{"masked_fill"};
const OpDef kOp_where{"where"};
}  // namespace attnscope::autograd

namespace attnscope::ops {
namespace {

// The mask in x's dtype (a mask may come as f32 for an f64 x, or vice versa).
Tensor as_dtype(const Tensor& m, DType d) { return m.dtype() == d ? m : m.to(d); }

// y = mask != 0 ? fill : x elementwise, mask broadcast to x's shape (mask_as_x: mask dtype = x's).
template <class T>
void fill_where(const Tensor& x, const Tensor& mask, T fill, bool invert, Tensor& y) {
  const T* px = x.data<T>();
  const T* pm = mask.data<T>();
  T* py = y.data<T>();
  detail::for_each_broadcast_rows(
      x.shape(), detail::broadcast_strides(x, x.shape()), detail::broadcast_strides(mask, x.shape()),
      [&](int64_t i, int64_t ox, int64_t om, int64_t ix, int64_t im, int64_t n) {
        for (int64_t j = 0; j < n; ++j)
          py[i + j] = ((pm[om + j * im] != T(0)) != invert) ? fill : px[ox + j * ix];
      });
}

}  // namespace

Tensor masked_fill(const Tensor& x, const Tensor& mask, double value) {
  if (!x.defined() || !mask.defined()) throw ShapeError("masked_fill: undefined tensor");
  if (!(broadcast_shapes(x.shape(), mask.shape(), "masked_fill") == x.shape()))
    throw ShapeError("masked_fill: mask " + mask.str() + " does not broadcast to " + x.str());
  const Tensor m = as_dtype(mask, x.dtype());
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  dispatch_dtype(x.dtype(), [&]<class T>() { fill_where<T>(x, m, static_cast<T>(value), false, y); });
  autograd::record(autograd::kOp_masked_fill, {x}, y, [m](const Tensor& g) {
    Tensor gc = g.contiguous();
    Tensor dx = Tensor::empty(gc.shape(), gc.dtype());
    dispatch_dtype(gc.dtype(), [&]<class T>() { fill_where<T>(gc, m, T(0), false, dx); });
    return std::vector<Tensor>{dx};
  });
  return y;
}

Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b) {
  if (!cond.defined()) throw ShapeError("where: undefined condition");
  detail::check_same_dtype(a, b, "where");
  const Shape out_shape =
      broadcast_shapes(broadcast_shapes(a.shape(), b.shape(), "where"), cond.shape(), "where");
  const Tensor c = detail::expand_to(as_dtype(cond, a.dtype()), out_shape);
  const Tensor bx = detail::expand_to(b, out_shape);
  Tensor y = Tensor::empty(out_shape, a.dtype());
  dispatch_dtype(a.dtype(), [&]<class T>() {
    // Start from b, then overwrite where cond with a (broadcast through the row iterator).
    const T* pa = a.data<T>();
    const T* pc = c.data<T>();
    const T* pb = bx.data<T>();
    T* py = y.data<T>();
    detail::for_each_broadcast_rows(
        out_shape, detail::broadcast_strides(a, out_shape), detail::broadcast_strides(c, out_shape),
        [&](int64_t i, int64_t oa, int64_t oc, int64_t ia, int64_t ic, int64_t n) {
          for (int64_t j = 0; j < n; ++j)
            py[i + j] = pc[oc + j * ic] != T(0) ? pa[oa + j * ia] : pb[i + j];
        });
  });
  const bool ga = a.requires_grad(), gb = b.requires_grad();
  autograd::record(autograd::kOp_where, {a, b}, y,
                   [c, sa = a.shape(), sb = b.shape(), ga, gb](const Tensor& g) {
                     Tensor gc = g.contiguous(), da, db;
                     dispatch_dtype(gc.dtype(), [&]<class T>() {
                       if (ga) {
                         Tensor t = Tensor::empty(gc.shape(), gc.dtype());
                         fill_where<T>(gc, c, T(0), true, t);  // keep dy where cond
                         da = reduce_to(t, sa);
                       }
                       if (gb) {
                         Tensor t = Tensor::empty(gc.shape(), gc.dtype());
                         fill_where<T>(gc, c, T(0), false, t);  // keep dy where !cond
                         db = reduce_to(t, sb);
                       }
                     });
                     return std::vector<Tensor>{da, db};
                   });
  return y;
}

}  // namespace attnscope::ops
