// The gradcheck case table shared by the op tests: one entry per op (or more), each building
// f64 inputs and calling the op. gradcheck_ops_test.cpp runs every case and fails if an op in
// the registry has none.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "attnscope/autograd/gradcheck.h"
#include "attnscope/autograd/ops.h"

namespace attnscope::testing {

struct GradcheckCase {
  std::string op;    // registry name it covers
  std::string name;  // case label
  std::function<std::vector<Tensor>(Rng&)> inputs;  // f64, requires_grad set where checked
  std::function<Tensor(const std::vector<Tensor>&)> fn;
};

std::vector<GradcheckCase>& gradcheck_cases();

struct GradcheckCaseRegistrar {
  explicit GradcheckCaseRegistrar(std::vector<GradcheckCase> cases) {
    for (auto& c : cases) gradcheck_cases().push_back(std::move(c));
  }
};

// f64 tensor with values in [lo, hi], requiring grad.
inline Tensor param(Rng& rng, const Shape& shape, double lo = -1, double hi = 1) {
  Tensor t = Tensor::uniform(shape, rng, lo, hi, DType::f64);
  t.requires_grad_();
  return t;
}
// f64 constant (no grad).
inline Tensor constant(Rng& rng, const Shape& shape, double lo = -1, double hi = 1) {
  return Tensor::uniform(shape, rng, lo, hi, DType::f64);
}

}  // namespace attnscope::testing
