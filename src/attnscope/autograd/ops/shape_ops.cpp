// Shape ops: reshape (view when contiguous), permute / transpose (strided views), contiguous.
// Backward of each is the inverse shape op on the gradient.
#include <numeric>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_reshape{"reshape"};
const OpDef kOp_permute{"permute"};
const OpDef kOp_contiguous{"contiguous"};
}  // namespace attnscope::autograd

namespace attnscope::ops {

Tensor reshape(const Tensor& x, const Shape& shape) {
  Shape target = shape;
  int infer = -1;
  int64_t known = 1;
  for (int i = 0; i < target.size(); ++i) {
    if (target[i] == -1) {
      if (infer >= 0) throw ShapeError("reshape: more than one -1 in " + shape.str());
      infer = i;
    } else if (target[i] < 0) {
      throw ShapeError("reshape: negative size in " + shape.str());
    } else {
      known *= target[i];
    }
  }
  if (infer >= 0) {
    if (known == 0 || x.numel() % known != 0)
      throw ShapeError("reshape: cannot infer -1 reshaping " + x.str() + " to " + shape.str());
    target[infer] = x.numel() / known;
  }
  if (target.numel() != x.numel())
    throw ShapeError("reshape: " + x.str() + " has " + std::to_string(x.numel()) +
                     " elements, target " + shape.str() + " has " + std::to_string(target.numel()));
  Tensor base = x.contiguous();
  Tensor out = base.as_strided(target, contiguous_strides(target), base.offset());
  autograd::record(autograd::kOp_reshape, {x}, out, [src = x.shape()](const Tensor& g) {
    return std::vector<Tensor>{reshape(g, src)};
  });
  return out;
}

Tensor permute(const Tensor& x, const std::vector<int>& order) {
  const int nd = x.ndim();
  if (static_cast<int>(order.size()) != nd)
    throw ShapeError("permute: " + std::to_string(order.size()) + " dims given for " + x.str());
  std::vector<int> inverse(nd, -1);
  Shape shape, strides;
  for (int i = 0; i < nd; ++i) {
    const int d = x.shape().axis(order[i], "permute");
    if (inverse[d] >= 0) throw ShapeError("permute: dimension repeated for " + x.str());
    inverse[d] = i;
    shape.push_back(x.shape()[d]);
    strides.push_back(x.strides()[d]);
  }
  Tensor out = x.as_strided(shape, strides, x.offset());
  autograd::record(autograd::kOp_permute, {x}, out, [inverse](const Tensor& g) {
    return std::vector<Tensor>{permute(g, inverse)};
  });
  return out;
}

Tensor transpose(const Tensor& x, int d0, int d1) {
  std::vector<int> order(x.ndim());
  std::iota(order.begin(), order.end(), 0);
  std::swap(order[x.shape().axis(d0, "transpose")], order[x.shape().axis(d1, "transpose")]);
  return permute(x, order);
}

Tensor contiguous(const Tensor& x) {
  Tensor out = x.is_contiguous() ? x.detach() : x.contiguous();
  autograd::record(autograd::kOp_contiguous, {x}, out,
                   [](const Tensor& g) { return std::vector<Tensor>{g}; });
  return out;
}

}  // namespace attnscope::ops
