// reduce_to: sums a gradient of the broadcast shape back down to `shape` (the inverse of
// broadcasting), which is also how sum/mean reduce. Dims of equal status (kept / reduced) are
// merged so the work is a set of contiguous row operations:
//   last group kept (size K):     out[o, :] = sum_r g[o, r, :]      (vector adds of K)
//   last group reduced (size L):  out[o]    = sum_r sum_l g[o, r, l] (row sums of L, SIMD)
// Parallel over output rows o when there are enough of them, else over fixed blocks of r with
// per-block partials combined in block order: deterministic for a given thread count.
#include <algorithm>
#include <array>

#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/rows.h"
#include "attnscope/core/error.h"

namespace attnscope::ops {
namespace {

struct Group {
  int64_t size, stride;
  bool reduced;
};

// Offsets of every index of a set of groups (row-major over the groups).
std::vector<int64_t> group_offsets(const std::vector<Group>& gs) {
  std::vector<int64_t> offs{0};
  for (const Group& g : gs) {
    std::vector<int64_t> next;
    next.reserve(offs.size() * g.size);
    for (int64_t o : offs)
      for (int64_t i = 0; i < g.size; ++i) next.push_back(o + i * g.stride);
    offs.swap(next);
  }
  return offs;
}

template <class T>
void reduce_rows(const T* g, T* out, const std::vector<int64_t>& o_off,
                 const std::vector<int64_t>& r_off, int64_t K, int64_t L) {
  const int64_t O = static_cast<int64_t>(o_off.size()), R = static_cast<int64_t>(r_off.size());
  const auto& kern = kernels::row_kernels_for<T>();
  // acc[0..K) += sum over r in [r0, r1) of the row at o.
  auto accumulate = [&](int64_t o, int64_t r0, int64_t r1, T* acc) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* src = g + o_off[o] + r_off[r];
      if (L > 1) {
        acc[0] += kern.sum(src, L);
      } else {
        for (int64_t k = 0; k < K; ++k) acc[k] += src[k];
      }
    }
  };
  const int64_t row_elems = K * L;
  const int64_t work = O * R * row_elems;
  if (O >= 4 * num_threads() || work < 32768) {
    parallel_for(0, O, std::max<int64_t>(1, 32768 / std::max<int64_t>(R * row_elems, 1)),
                 [&](int64_t o0, int64_t o1) {
                   for (int64_t o = o0; o < o1; ++o) {
                     T* acc = out + o * K;
                     std::fill(acc, acc + K, T(0));
                     accumulate(o, 0, R, acc);
                   }
                 });
    return;
  }
  // Few output rows, many reduced rows: blocks over r into partials [blocks, O, K].
  const int64_t blocks = detail::row_blocks(R, std::max<int64_t>(1, 16384 / (O * row_elems)));
  std::vector<T> partial(static_cast<size_t>(blocks * O * K), T(0));
  detail::for_blocks(R, blocks, [&](int64_t b, int64_t r0, int64_t r1) {
    for (int64_t o = 0; o < O; ++o) accumulate(o, r0, r1, partial.data() + (b * O + o) * K);
  });
  parallel_for(0, O * K, 4096, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      T s = partial[i];
      for (int64_t b = 1; b < blocks; ++b) s += partial[b * O * K + i];
      out[i] = s;
    }
  });
}

}  // namespace

Tensor reduce_to(const Tensor& grad, const Shape& shape) {
  if (grad.shape() == shape) return grad;
  const Shape& gs = grad.shape();
  const int pad = gs.size() - shape.size();
  bool ok = pad >= 0;
  for (int j = 0; ok && j < shape.size(); ++j) ok = shape[j] == gs[j + pad] || shape[j] == 1;
  if (!ok)
    throw ShapeError("reduce_to: cannot reduce " + grad.str() + " to " + shape.str() +
                     " (not a broadcast of it)");
  Tensor out = Tensor::empty(shape, grad.dtype());
  if (grad.numel() == 0) {
    out.fill(0.0);
    return out;
  }
  // Merge dims into groups of equal status; size-1 dims vanish.
  const Tensor g = grad.contiguous();
  const Shape gst = contiguous_strides(gs);
  std::vector<Group> groups;
  for (int i = 0; i < gs.size(); ++i) {
    if (gs[i] == 1) continue;
    const bool red = i < pad || shape[i - pad] == 1;
    if (!groups.empty() && groups.back().reduced == red) {
      groups.back().size *= gs[i];
      groups.back().stride = gst[i];
    } else {
      groups.push_back({gs[i], gst[i], red});
    }
  }
  int64_t K = 1, L = 1;
  if (!groups.empty()) {
    (groups.back().reduced ? L : K) = groups.back().size;
    groups.pop_back();
  }
  std::vector<Group> kept, red;
  for (const Group& gr : groups) (gr.reduced ? red : kept).push_back(gr);
  const std::vector<int64_t> o_off = group_offsets(kept), r_off = group_offsets(red);
  dispatch_dtype(grad.dtype(), [&]<class T>() {
    reduce_rows<T>(g.data<T>(), out.data<T>(), o_off, r_off, K, L);
  });
  return out;
}

}  // namespace attnscope::ops
