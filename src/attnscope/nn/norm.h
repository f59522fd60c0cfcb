// Normalization layers over the last dim. LayerNorm (Ba et al. 2016): weight (gamma) ones,
// bias (beta) zeros, eps 1e-5 as in PyTorch. RMSNorm (Zhang & Sennrich 2019, as in LLaMA):
// weight ones, no bias, eps 1e-6.
#pragma once
#include "attnscope/nn/module.h"

namespace attnscope::nn {

class LayerNorm : public Module {
 public:
  explicit LayerNorm(int64_t dim, double eps = 1e-5);
  std::string type_name() const override { return "LayerNorm"; }
  Tensor forward(const Tensor& x) const;  // [..., C] -> [..., C]
  const Tensor& weight() const { return weight_; }
  const Tensor& bias() const { return bias_; }

 private:
  int64_t dim_;
  double eps_;
  Tensor weight_, bias_;  // [C], [C]
};

class RMSNorm : public Module {
 public:
  explicit RMSNorm(int64_t dim, double eps = 1e-6);
  std::string type_name() const override { return "RMSNorm"; }
  Tensor forward(const Tensor& x) const;  // [..., C] -> [..., C]
  const Tensor& weight() const { return weight_; }

 private:
  int64_t dim_;
  double eps_;
  Tensor weight_;  // [C]
};

}  // namespace attnscope::nn
