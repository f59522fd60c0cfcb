// Internal machinery shared by the elementwise ops: strided iteration with broadcasting.
#pragma once
#include <array>

#include "attnscope/core/parallel.h"
#include "attnscope/tensor/tensor.h"

namespace attnscope::ops::detail {

// Strides of `t` viewed with `out` shape under broadcasting (0 on broadcast dims).
inline Shape broadcast_strides(const Tensor& t, const Shape& out) {
  Shape st;
  const int pad = out.size() - t.ndim();
  for (int i = 0; i < out.size(); ++i) {
    const int j = i - pad;
    st.push_back(j < 0 || t.shape()[j] == 1 ? 0 : t.strides()[j]);
  }
  return st;
}

// Calls f(out_index, offset_a, offset_b) for every element of `out` shape, row-major.
// Work is split over outer rows when large (deterministic: each element computed once).
template <class F>
void for_each_broadcast2(const Shape& out, const Shape& sa, const Shape& sb, F&& f) {
  const int nd = out.size();
  const int64_t n = out.numel();
  if (n == 0) return;
  if (nd == 0) {
    f(int64_t{0}, int64_t{0}, int64_t{0});
    return;
  }
  const int64_t inner = out[nd - 1], ia = sa[nd - 1], ib = sb[nd - 1];
  const int64_t rows = n / inner;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1));
  parallel_for(0, rows, grain, [&](int64_t r0, int64_t r1) {
    // Offsets of row r0.
    std::array<int64_t, kMaxDims> idx{};
    int64_t oa = 0, ob = 0, rem = r0;
    for (int d = nd - 2; d >= 0; --d) {
      idx[d] = rem % out[d];
      rem /= out[d];
      oa += idx[d] * sa[d];
      ob += idx[d] * sb[d];
    }
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t base = r * inner;
      for (int64_t j = 0; j < inner; ++j) f(base + j, oa + j * ia, ob + j * ib);
      for (int d = nd - 2; d >= 0; --d) {
        oa += sa[d];
        ob += sb[d];
        if (++idx[d] < out[d]) break;
        oa -= sa[d] * out[d];
        ob -= sb[d] * out[d];
        idx[d] = 0;
      }
    }
  });
}

// Row form of for_each_broadcast2 for hot loops: dims that can be merged for both operands are
// merged first (e.g. [B, T, C] + [C] -> rows of C), then f(out_index, off_a, off_b, inc_a, inc_b, n)
// is called per row of n elements, where inc_* is the operand's stride along the row (0 or 1
// in the common cases, so f can branch once per row into a loop the compiler vectorizes).
template <class F>
void for_each_broadcast_rows(const Shape& out, const Shape& sa, const Shape& sb, F&& f) {
  if (out.numel() == 0) return;
  // Merge dim d into d+1 when both operands are "contiguous" across the boundary.
  Shape mo, ma, mb;
  for (int d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;
    if (!mo.empty()) {
      const int l = mo.size() - 1;
      if (ma[l] == sa[d] * out[d] && mb[l] == sb[d] * out[d]) {
        mo[l] *= out[d];
        ma[l] = sa[d];
        mb[l] = sb[d];
        continue;
      }
    }
    mo.push_back(out[d]);
    ma.push_back(sa[d]);
    mb.push_back(sb[d]);
  }
  if (mo.empty()) {
    mo.push_back(1);
    ma.push_back(0);
    mb.push_back(0);
  }
  const int nd = mo.size();
  const int64_t inner = mo[nd - 1], ia = ma[nd - 1], ib = mb[nd - 1];
  const int64_t rows = out.numel() / inner;
  parallel_for(0, rows, std::max<int64_t>(1, 16384 / inner), [&](int64_t r0, int64_t r1) {
    std::array<int64_t, kMaxDims> idx{};
    int64_t oa = 0, ob = 0, rem = r0;
    for (int d = nd - 2; d >= 0; --d) {
      idx[d] = rem % mo[d];
      rem /= mo[d];
      oa += idx[d] * ma[d];
      ob += idx[d] * mb[d];
    }
    for (int64_t r = r0; r < r1; ++r) {
      f(r * inner, oa, ob, ia, ib, inner);
      for (int d = nd - 2; d >= 0; --d) {
        oa += ma[d];
        ob += mb[d];
        if (++idx[d] < mo[d]) break;
        oa -= ma[d] * mo[d];
        ob -= mb[d] * mo[d];
        idx[d] = 0;
      }
    }
  });
}

// y[i] = op(a[i * ia], b[i * ib]) for i < n, with the common stride patterns as separate
// loops so they vectorize.
template <class T, class Op>
inline void binary_row(T* y, const T* a, const T* b, int64_t ia, int64_t ib, int64_t n, Op op) {
  if (ia == 1 && ib == 1) {
    for (int64_t i = 0; i < n; ++i) y[i] = op(a[i], b[i]);
  } else if (ia == 1 && ib == 0) {
    const T bv = b[0];
    for (int64_t i = 0; i < n; ++i) y[i] = op(a[i], bv);
  } else if (ia == 0 && ib == 1) {
    const T av = a[0];
    for (int64_t i = 0; i < n; ++i) y[i] = op(av, b[i]);
  } else {
    for (int64_t i = 0; i < n; ++i) y[i] = op(a[i * ia], b[i * ib]);
  }
}

// Materializes t broadcast to `full` (a contiguous copy).
Tensor expand_to(const Tensor& t, const Shape& full);

// Applies y = f(x) elementwise into a new contiguous tensor.
template <class T, class F>
Tensor map_unary(const Tensor& x, F&& f) {
  Tensor xc = x.contiguous();
  Tensor y = Tensor::empty(x.shape(), x.dtype());
  const T* px = xc.data<T>();
  T* py = y.data<T>();
  parallel_for(0, x.numel(), 32768, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) py[i] = f(px[i]);
  });
  return y;
}

// z = f(x, g) elementwise over two same-shape tensors (used by backward rules).
template <class T, class F>
Tensor map_binary_same(const Tensor& x, const Tensor& g, F&& f) {
  Tensor xc = x.contiguous(), gc = g.contiguous();
  Tensor z = Tensor::empty(x.shape(), x.dtype());
  const T* px = xc.data<T>();
  const T* pg = gc.data<T>();
  T* pz = z.data<T>();
  parallel_for(0, x.numel(), 32768, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) pz[i] = f(px[i], pg[i]);
  });
  return z;
}

void check_same_dtype(const Tensor& a, const Tensor& b, const char* op);

}  // namespace attnscope::ops::detail
