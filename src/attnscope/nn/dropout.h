// Dropout (Srivastava et al. 2014), inverted: kept values are scaled by 1/(1-p) in training,
// identity in eval mode. Owns its random stream, registered as "<name>.rng" so checkpoints
// save it and a resumed run draws the same masks.
#pragma once
#include "attnscope/nn/module.h"

namespace attnscope::nn {

class Dropout : public Module {
 public:
  explicit Dropout(double p, uint64_t seed = 0);
  std::string type_name() const override { return "Dropout"; }
  Tensor forward(const Tensor& x);
  double p() const { return p_; }

 private:
  double p_;
  Rng rng_;
};

}  // namespace attnscope::nn
