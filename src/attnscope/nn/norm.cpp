#include "attnscope/nn/norm.h"

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::nn {
namespace {
void check_dim(const char* who, int64_t dim, double eps) {
  if (dim <= 0 || !(eps > 0))
    throw ConfigError(std::string(who) + ": need dim > 0 and eps > 0, got dim=" +
                      std::to_string(dim) + " eps=" + std::to_string(eps));
}
void check_input(const char* who, const Tensor& x, int64_t dim) {
  if (x.ndim() < 1 || x.shape().back() != dim)
    throw ShapeError(std::string(who) + ": expected input [..., " + std::to_string(dim) +
                     "], got " + x.str());
}
}  // namespace

LayerNorm::LayerNorm(int64_t dim, double eps) : dim_(dim), eps_(eps) {
  check_dim("LayerNorm", dim, eps);
  weight_ = register_parameter("weight", Tensor::ones(Shape{dim}));
  bias_ = register_parameter("bias", Tensor::zeros(Shape{dim}));
}

Tensor LayerNorm::forward(const Tensor& x) const {
  check_input("LayerNorm", x, dim_);
  return ops::layer_norm(x, weight_, bias_, eps_);
}

RMSNorm::RMSNorm(int64_t dim, double eps) : dim_(dim), eps_(eps) {
  check_dim("RMSNorm", dim, eps);
  weight_ = register_parameter("weight", Tensor::ones(Shape{dim}));
}

Tensor RMSNorm::forward(const Tensor& x) const {
  check_input("RMSNorm", x, dim_);
  return ops::rms_norm(x, weight_, eps_);
}

}  // namespace attnscope::nn
