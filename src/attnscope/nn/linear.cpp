#include "attnscope/nn/linear.h"

#include <cmath>

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::nn {

Linear::Linear(int64_t in_features, int64_t out_features, Rng& rng, bool bias)
    : in_(in_features), out_(out_features) {
  if (in_features <= 0 || out_features <= 0)
    throw ConfigError("Linear: features must be positive, got in=" + std::to_string(in_features) +
                      " out=" + std::to_string(out_features));
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_features));
  weight_ = register_parameter("weight", Tensor::uniform(Shape{out_, in_}, rng, -bound, bound));
  if (bias) bias_ = register_parameter("bias", Tensor::uniform(Shape{out_}, rng, -bound, bound));
}

Tensor Linear::forward(const Tensor& x) const {
  if (x.ndim() < 1 || x.shape().back() != in_)
    throw ShapeError("Linear: expected input [..., " + std::to_string(in_) + "], got " + x.str());
  // The transposed weight is a strided view; matmul hands it to BLAS as a transpose flag.
  Tensor y = ops::matmul(x.ndim() == 1 ? ops::reshape(x, Shape{1, in_}) : x,
                         ops::transpose(weight_, 0, 1));  // [..., out]
  if (bias_.defined()) y = ops::add(y, bias_);
  return x.ndim() == 1 ? ops::reshape(y, Shape{out_}) : y;
}

}  // namespace attnscope::nn
