// Gathers along one dim: index_select and embedding (index_select of rows with an id shape).
//   forward:  y[o, i, :] = x[o, index[i], :]        (x viewed as [outer, n, inner])
//   backward: dx[o, index[i], :] += dy[o, i, :]     (repeated indices accumulate)
// The backward splits work so that no two threads write one element: over `outer` when there
// is enough of it, else over column ranges of `inner` — each element's sum keeps the index
// order, so the result does not depend on the thread count.
#include <algorithm>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"

namespace attnscope::autograd {
const OpDef kOp_index_select{"index_select"};
const OpDef kOp_embedding{"embedding"};
}  // namespace attnscope::autograd

namespace attnscope::ops {
namespace {

struct GatherGeom {
  int64_t outer = 1, n = 0, inner = 1;
};

GatherGeom geometry(const Shape& s, int d) {
  GatherGeom g;
  for (int i = 0; i < d; ++i) g.outer *= s[i];
  g.n = s[d];
  for (int i = d + 1; i < s.size(); ++i) g.inner *= s[i];
  return g;
}

void check_indices(const std::vector<int64_t>& index, int64_t n, const char* op, const char* what,
                   const Tensor& x, int dim) {
  for (size_t i = 0; i < index.size(); ++i)
    if (index[i] < 0 || index[i] >= n)
      throw ValueError(std::string(op) + ": " + what + " " + std::to_string(index[i]) +
                       " at position " + std::to_string(i) + " is out of range [0, " +
                       std::to_string(n) + ") for dim " + std::to_string(dim) + " of " + x.str());
}

// y [outer, m, inner] = x [outer, n, inner] at index (m = index.size()).
Tensor gather(const Tensor& x, const GatherGeom& g, const std::vector<int64_t>& index,
              const Shape& out_shape) {
  const Tensor xc = x.contiguous();
  Tensor y = Tensor::empty(out_shape, x.dtype());
  const int64_t m = static_cast<int64_t>(index.size());
  dispatch_dtype(x.dtype(), [&]<class T>() {
    const T* px = xc.data<T>();
    T* py = y.data<T>();
    parallel_for(0, g.outer * m, std::max<int64_t>(1, 16384 / std::max<int64_t>(g.inner, 1)),
                 [&](int64_t r0, int64_t r1) {
                   for (int64_t r = r0; r < r1; ++r) {
                     const int64_t o = r / m, i = r % m;
                     std::copy_n(px + (o * g.n + index[i]) * g.inner, g.inner, py + r * g.inner);
                   }
                 });
  });
  return y;
}

// dx [outer, n, inner] = scatter-add of dy [outer, m, inner] at index.
Tensor scatter_add(const Tensor& dy, const GatherGeom& g, const std::vector<int64_t>& index,
                   const Shape& x_shape) {
  const Tensor gc = dy.contiguous();
  Tensor dx = Tensor::zeros(x_shape, dy.dtype());
  const int64_t m = static_cast<int64_t>(index.size());
  dispatch_dtype(dy.dtype(), [&]<class T>() {
    const T* pg = gc.data<T>();
    T* pd = dx.data<T>();
    auto run = [&](int64_t o, int64_t c0, int64_t c1) {
      for (int64_t i = 0; i < m; ++i) {
        const T* src = pg + (o * m + i) * g.inner;
        T* dst = pd + (o * g.n + index[i]) * g.inner;
        for (int64_t c = c0; c < c1; ++c) dst[c] += src[c];
      }
    };
    if (g.outer >= num_threads()) {
      parallel_for(0, g.outer, 1, [&](int64_t o0, int64_t o1) {
        for (int64_t o = o0; o < o1; ++o) run(o, 0, g.inner);
      });
    } else {
      for (int64_t o = 0; o < g.outer; ++o)
        parallel_for(0, g.inner, std::max<int64_t>(16, 65536 / std::max<int64_t>(m, 1)),
                     [&](int64_t c0, int64_t c1) { run(o, c0, c1); });
    }
  });
  return dx;
}

}  // namespace

Tensor index_select(const Tensor& x, int dim, const std::vector<int64_t>& index) {
  if (!x.defined() || x.ndim() == 0)
    throw ShapeError("index_select: expected at least 1-D input, got " + x.str());
  const int d = x.shape().axis(dim, "index_select");
  const GatherGeom g = geometry(x.shape(), d);
  check_indices(index, g.n, "index_select", "index", x, dim);
  Shape out_shape = x.shape();
  out_shape[d] = static_cast<int64_t>(index.size());
  Tensor y = gather(x, g, index, out_shape);
  autograd::record(autograd::kOp_index_select, {x}, y,
                   [g, index, full = x.shape()](const Tensor& dy) {
                     return std::vector<Tensor>{scatter_add(dy, g, index, full)};
                   });
  return y;
}

Tensor embedding(const Tensor& weight, const std::vector<int64_t>& ids, const Shape& ids_shape) {
  if (!weight.defined() || weight.ndim() != 2)
    throw ShapeError("embedding: expected weight [V, C], got " + weight.str());
  if (ids_shape.numel() != static_cast<int64_t>(ids.size()))
    throw ShapeError("embedding: " + std::to_string(ids.size()) + " ids for ids shape " +
                     ids_shape.str());
  if (ids_shape.size() >= kMaxDims)
    throw ShapeError("embedding: ids shape " + ids_shape.str() + " leaves no room for C");
  const GatherGeom g = geometry(weight.shape(), 0);
  check_indices(ids, g.n, "embedding", "id", weight, 0);
  Shape out_shape = ids_shape;
  out_shape.push_back(weight.shape()[1]);
  Tensor y = gather(weight, g, ids, out_shape);
  autograd::record(autograd::kOp_embedding, {weight}, y,
                   [g, ids, full = weight.shape()](const Tensor& dy) {
                     return std::vector<Tensor>{scatter_add(dy, g, ids, full)};
                   });
  return y;
}

}  // namespace attnscope::ops
