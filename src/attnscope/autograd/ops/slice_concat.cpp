// slice (a strided view), concat and stack (copies into one contiguous output).
//   slice:  y = x[start:end:step] along dim;  dx = zeros with dy written into the same slice
//   concat: y = [x0 | x1 | ...] along dim;     dx_i = dy[offset_i : offset_i + size_i] along dim
//   stack:  concat of the inputs each given a new size-1 dim at `dim`
#include <algorithm>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_slice{"slice"};
const OpDef kOp_concat{"concat"};
const OpDef kOp_stack{"stack"};
}  // namespace attnscope::autograd

namespace attnscope::ops {
namespace {

// The view x[start : start + len * step : step] along dim d (no autograd).
Tensor slice_view(const Tensor& x, int d, int64_t start, int64_t len, int64_t step) {
  Shape shape = x.shape(), strides = x.strides();
  shape[d] = len;
  const int64_t offset = x.offset() + (len > 0 ? start * strides[d] : 0);
  strides[d] *= step;
  return x.as_strided(shape, strides, offset);
}

// Checks the inputs of concat/stack and returns the output shape; `d` is the concat dim of the
// (already unsqueezed, for stack) inputs.
Shape joined_shape(const std::vector<Tensor>& xs, int d, const char* op) {
  const Tensor& x0 = xs[0];
  Shape out = x0.shape();
  out[d] = 0;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Tensor& x = xs[i];
    if (!x.defined()) throw ShapeError(std::string(op) + ": input " + std::to_string(i) + " is undefined");
    if (x.dtype() != x0.dtype())
      throw ShapeError(std::string(op) + ": dtypes differ: " + x0.str() + " and " + x.str());
    bool ok = x.ndim() == x0.ndim();
    for (int k = 0; ok && k < x.ndim(); ++k) ok = k == d || x.shape()[k] == x0.shape()[k];
    if (!ok)
      throw ShapeError(std::string(op) + ": input " + std::to_string(i) + " has shape " +
                       x.shape().str() + ", input 0 has " + x0.shape().str() +
                       " (all dims but dim " + std::to_string(d) + " must match)");
    out[d] += x.shape()[d];
  }
  return out;
}

// Copies each x into its slab of out along d (no autograd).
void copy_slabs(const std::vector<Tensor>& xs, int d, Tensor& out) {
  int64_t off = 0;
  for (const Tensor& x : xs) {
    const int64_t len = x.shape()[d];
    if (len > 0) {
      Tensor dst = slice_view(out, d, off, len, 1);
      dst.copy_from(x);
    }
    off += len;
  }
}

// Gradients of concat: the slabs of g (views).
std::vector<Tensor> split_slabs(const Tensor& g, int d, const std::vector<int64_t>& lens) {
  std::vector<Tensor> out;
  int64_t off = 0;
  for (int64_t len : lens) {
    out.push_back(slice_view(g, d, off, len, 1));
    off += len;
  }
  return out;
}

}  // namespace

Tensor slice(const Tensor& x, int dim, int64_t start, int64_t end, int64_t step) {
  if (!x.defined() || x.ndim() == 0) throw ShapeError("slice: expected at least 1-D input, got " + x.str());
  const int d = x.shape().axis(dim, "slice");
  if (step < 1) throw ShapeError("slice: step must be >= 1, got " + std::to_string(step));
  const int64_t n = x.shape()[d];
  auto clamp = [n](int64_t i) { return std::clamp<int64_t>(i < 0 ? i + n : i, 0, n); };
  const int64_t s = clamp(start), e = clamp(end);
  const int64_t len = e > s ? (e - s + step - 1) / step : 0;
  Tensor y = slice_view(x, d, s, len, step);
  autograd::record(autograd::kOp_slice, {x}, y, [full = x.shape(), d, s, len, step](const Tensor& g) {
    Tensor dx = Tensor::zeros(full, g.dtype());
    if (len > 0) {
      Tensor view = slice_view(dx, d, s, len, step);
      view.copy_from(g);
    }
    return std::vector<Tensor>{dx};
  });
  return y;
}

Tensor concat(const std::vector<Tensor>& xs, int dim) {
  if (xs.empty()) throw ShapeError("concat: no inputs");
  if (!xs[0].defined() || xs[0].ndim() == 0)
    throw ShapeError("concat: expected at least 1-D inputs, got " + xs[0].str());
  const int d = xs[0].shape().axis(dim, "concat");
  Tensor y = Tensor::empty(joined_shape(xs, d, "concat"), xs[0].dtype());
  copy_slabs(xs, d, y);
  std::vector<int64_t> lens;
  for (const Tensor& x : xs) lens.push_back(x.shape()[d]);
  autograd::record(autograd::kOp_concat, xs, y,
                   [d, lens](const Tensor& g) { return split_slabs(g, d, lens); });
  return y;
}

Tensor stack(const std::vector<Tensor>& xs, int dim) {
  if (xs.empty()) throw ShapeError("stack: no inputs");
  if (!xs[0].defined()) throw ShapeError("stack: input 0 is undefined");
  const int nd = xs[0].ndim() + 1;
  const int d = dim < 0 ? dim + nd : dim;
  if (d < 0 || d >= nd)
    throw ShapeError("stack: dimension " + std::to_string(dim) + " out of range for inputs " +
                     xs[0].str());
  // Each input viewed with a size-1 dim at d.
  std::vector<Tensor> views;
  for (size_t i = 0; i < xs.size(); ++i) {
    const Tensor& x = xs[i];
    if (!x.defined() || !(x.shape() == xs[0].shape()))
      throw ShapeError("stack: input " + std::to_string(i) + " is " + x.str() + ", input 0 is " +
                       xs[0].str() + " (all shapes must be equal)");
    Shape shape, strides;
    for (int k = 0; k < nd; ++k) {
      const int src = k < d ? k : k - 1;
      shape.push_back(k == d ? 1 : x.shape()[src]);
      strides.push_back(k == d ? 0 : x.strides()[src]);
    }
    views.push_back(x.as_strided(shape, strides, x.offset()));
  }
  Tensor y = Tensor::empty(joined_shape(views, d, "stack"), xs[0].dtype());
  copy_slabs(views, d, y);
  autograd::record(autograd::kOp_stack, xs, y, [d, count = xs.size(), in = xs[0].shape()](const Tensor& g) {
    std::vector<Tensor> out;
    for (size_t i = 0; i < count; ++i) {
      Tensor s = slice_view(g, d, static_cast<int64_t>(i), 1, 1);
      Shape strides;
      for (int k = 0; k < s.ndim(); ++k)
        if (k != d) strides.push_back(s.strides()[k]);
      out.push_back(s.as_strided(in, strides, s.offset()));
    }
    return out;
  });
  return y;
}

}  // namespace attnscope::ops
