// Binary elementwise ops with broadcasting: add, sub, mul, div. Backward reduces each input's
// gradient over the dims it was broadcast along (reduce_to).
#include <algorithm>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_add{"add"};
const OpDef kOp_sub{"sub"};
const OpDef kOp_mul{"mul"};
const OpDef kOp_div{"div"};
}  // namespace attnscope::autograd

namespace attnscope::ops {
namespace detail {
void check_same_dtype(const Tensor& a, const Tensor& b, const char* op) {
  if (!a.defined() || !b.defined()) throw ShapeError(std::string(op) + ": undefined tensor");
  if (a.dtype() != b.dtype())
    throw ShapeError(std::string(op) + ": dtypes differ: " + a.str() + " and " + b.str());
}
}  // namespace detail

using autograd::record;

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const int n = std::max(a.size(), b.size());
  Shape out;
  for (int i = 0; i < n; ++i) {
    const int ia = i - (n - a.size()), ib = i - (n - b.size());
    const int64_t da = ia < 0 ? 1 : a[ia], db = ib < 0 ? 1 : b[ib];
    if (da != db && da != 1 && db != 1)
      throw ShapeError(std::string(op) + ": shapes " + a.str() + " and " + b.str() +
                       " do not broadcast");
    out.push_back(da == 1 ? db : da);
  }
  return out;
}

namespace {

template <class Op>
Tensor binary_forward(const Tensor& a, const Tensor& b, const char* name, Op op) {
  detail::check_same_dtype(a, b, name);
  const Shape out_shape = broadcast_shapes(a.shape(), b.shape(), name);
  Tensor out = Tensor::empty(out_shape, a.dtype());
  dispatch_dtype(a.dtype(), [&]<class T>() {
    T* po = out.data<T>();
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    if (a.is_contiguous() && b.is_contiguous() && a.shape() == b.shape()) {
      parallel_for(0, out.numel(), 32768, [&](int64_t lo, int64_t hi) {
        for (int64_t i = lo; i < hi; ++i) po[i] = op(pa[i], pb[i]);
      });
      return;
    }
    detail::for_each_broadcast_rows(
        out_shape, detail::broadcast_strides(a, out_shape), detail::broadcast_strides(b, out_shape),
        [&](int64_t i, int64_t oa, int64_t ob, int64_t ia, int64_t ib, int64_t n) {
          detail::binary_row(po + i, pa + oa, pb + ob, ia, ib, n, op);
        });
  });
  return out;
}

}  // namespace

// out = a + b;  da = dout, db = dout (each reduced to its shape)
Tensor add(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(a, b, "add", [](auto x, auto y) { return x + y; });
  record(autograd::kOp_add, {a, b}, out, [sa = a.shape(), sb = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{reduce_to(g, sa), reduce_to(g, sb)};
  });
  return out;
}

// out = a - b;  da = dout, db = -dout
Tensor sub(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(a, b, "sub", [](auto x, auto y) { return x - y; });
  record(autograd::kOp_sub, {a, b}, out, [sa = a.shape(), sb = b.shape()](const Tensor& g) {
    return std::vector<Tensor>{reduce_to(g, sa), reduce_to(neg(g), sb)};
  });
  return out;
}

// out = a * b;  da = dout * b, db = dout * a
Tensor mul(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(a, b, "mul", [](auto x, auto y) { return x * y; });
  const bool ga = a.requires_grad(), gb = b.requires_grad();
  record(autograd::kOp_mul, {a, b}, out,
         [ad = a.detach(), bd = b.detach(), ga, gb](const Tensor& g) {
           return std::vector<Tensor>{ga ? reduce_to(mul(g, bd), ad.shape()) : Tensor(),
                                      gb ? reduce_to(mul(g, ad), bd.shape()) : Tensor()};
         });
  return out;
}

// out = a / b;  da = dout / b, db = -dout * a / b^2 = -dout * out / b
Tensor div(const Tensor& a, const Tensor& b) {
  Tensor out = binary_forward(a, b, "div", [](auto x, auto y) { return x / y; });
  const bool ga = a.requires_grad(), gb = b.requires_grad();
  record(autograd::kOp_div, {a, b}, out,
         [ad = a.detach(), bd = b.detach(), od = out.detach(), ga, gb](const Tensor& g) {
           return std::vector<Tensor>{
               ga ? reduce_to(div(g, bd), ad.shape()) : Tensor(),
               gb ? reduce_to(neg(div(mul(g, od), bd)), bd.shape()) : Tensor()};
         });
  return out;
}

}  // namespace attnscope::ops
