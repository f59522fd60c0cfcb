// Gradient check: compares autograd gradients with central finite differences in float64.
// The scalar checked is L = sum(f(inputs) * W) with a fixed random W, so every output element
// contributes with a different weight. Coordinates at a kink (one-sided differences disagree,
// e.g. ReLU at 0 or a sort boundary) are skipped and counted, like ggml's gradient mode.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "attnscope/tensor/tensor.h"

namespace attnscope::autograd {

struct GradcheckOptions {
  double eps = 1e-6;
  double atol = 1e-6;
  double rtol = 1e-5;
  uint64_t seed = 1234;
};

struct GradcheckResult {
  bool ok = true;
  double max_abs_err = 0, max_rel_err = 0;
  int64_t checked = 0, kinks = 0;
  std::string detail;  // first failing coordinate, for the test message
};

// inputs: float64 tensors; those with requires_grad() are checked.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                          std::vector<Tensor> inputs, const GradcheckOptions& opt = {});

}  // namespace attnscope::autograd
