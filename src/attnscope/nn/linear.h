// Linear: y = x W^T + b, with weight [out, in] and bias [out] laid out as in PyTorch so that
// imported checkpoints load without transposes. Initialized like torch.nn.Linear:
// U(-1/sqrt(in), 1/sqrt(in)) for both weight and bias.
#pragma once
#include "attnscope/nn/module.h"

namespace attnscope::nn {

class Linear : public Module {
 public:
  Linear(int64_t in_features, int64_t out_features, Rng& rng, bool bias = true);
  std::string type_name() const override { return "Linear"; }

  // x [..., in] -> [..., out]
  Tensor forward(const Tensor& x) const;

  int64_t in_features() const { return in_; }
  int64_t out_features() const { return out_; }
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }  // undefined when built without bias

 private:
  int64_t in_, out_;
  Tensor weight_;  // [out, in]
  Tensor bias_;    // [out]
};

}  // namespace attnscope::nn
