#include "attnscope/nn/conv2d.h"

#include <cmath>

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::nn {

Conv2d::Conv2d(int64_t in_channels, int64_t out_channels, int kernel, Rng& rng, int stride,
               int padding, bool bias)
    : cin_(in_channels), cout_(out_channels), kernel_(kernel), stride_(stride), padding_(padding) {
  if (in_channels <= 0 || out_channels <= 0 || kernel <= 0 || stride <= 0 || padding < 0)
    throw ConfigError("Conv2d: need positive channels, kernel, stride and padding >= 0, got Cin=" +
                      std::to_string(in_channels) + " Cout=" + std::to_string(out_channels) +
                      " K=" + std::to_string(kernel) + " S=" + std::to_string(stride) +
                      " P=" + std::to_string(padding));
  const double bound = 1.0 / std::sqrt(static_cast<double>(in_channels * kernel * kernel));
  weight_ = register_parameter(
      "weight", Tensor::uniform(Shape{cout_, cin_, kernel, kernel}, rng, -bound, bound));
  if (bias) bias_ = register_parameter("bias", Tensor::uniform(Shape{cout_}, rng, -bound, bound));
}

Tensor Conv2d::forward(const Tensor& x) const {
  if (x.ndim() != 4 || x.shape()[1] != cin_)
    throw ShapeError("Conv2d: expected input [B, " + std::to_string(cin_) + ", H, W], got " + x.str());
  return ops::conv2d(x, weight_, bias_, stride_, padding_);
}

}  // namespace attnscope::nn
