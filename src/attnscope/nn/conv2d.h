// Conv2d: square kernel, stride, zero padding. weight [Cout, Cin, K, K], bias [Cout] (PyTorch
// layout); U(-1/sqrt(Cin K K), +) like torch.nn.Conv2d.
#pragma once
#include "attnscope/nn/module.h"

namespace attnscope::nn {

class Conv2d : public Module {
 public:
  Conv2d(int64_t in_channels, int64_t out_channels, int kernel, Rng& rng, int stride = 1,
         int padding = 0, bool bias = true);
  std::string type_name() const override { return "Conv2d"; }
  // x [B, Cin, H, W] -> [B, Cout, (H + 2P - K)/S + 1, (W + 2P - K)/S + 1]
  Tensor forward(const Tensor& x) const;
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }

 private:
  int64_t cin_, cout_;
  int kernel_, stride_, padding_;
  Tensor weight_;  // [Cout, Cin, K, K]
  Tensor bias_;    // [Cout] or undefined
};

}  // namespace attnscope::nn
