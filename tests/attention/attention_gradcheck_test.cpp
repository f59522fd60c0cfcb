// Runs every attention gradcheck case (cases live in *_cases.cpp next to this file, registered
// through tests/autograd/gradcheck_cases.h) and checks that every op in the attention layer's
// registry has one, except ops compared against a reference implementation instead (f32-only
// kernels cannot be checked by finite differences in f64).
#include <gtest/gtest.h>

#include <set>

#include "../autograd/gradcheck_cases.h"
#include "attnscope/attention/op_registry.h"

namespace attnscope::testing {

std::vector<GradcheckCase>& gradcheck_cases() {
  static std::vector<GradcheckCase> cases;
  return cases;
}

namespace {

// fused_attention: float32 kernel; its gradients are compared with the f64-checked reference
// path in dot_product_test.cpp (DotProduct.FusedMatchesReferenceForwardBackward).
const std::set<std::string> kComparedToReference = {"fused_attention"};

TEST(AttentionGradcheck, EveryAttentionOpHasACase) {
  std::set<std::string> covered(kComparedToReference);
  for (const auto& c : gradcheck_cases()) covered.insert(c.op);
  std::vector<std::string> missing;
  for (const auto* op : attention::all_attention_ops())
    if (!covered.count(std::string(op->name))) missing.push_back(std::string(op->name));
  EXPECT_TRUE(missing.empty()) << "attention ops without a gradcheck case: " << ::testing::PrintToString(missing);
}

class Mechanism : public ::testing::TestWithParam<GradcheckCase> {};

TEST_P(Mechanism, Gradcheck) {
  const GradcheckCase& c = GetParam();
  Rng rng(std::hash<std::string>{}(c.name) & 0xffff);
  auto res = autograd::gradcheck(c.fn, c.inputs(rng));
  EXPECT_TRUE(res.ok) << c.op << "/" << c.name << ": " << res.detail << " (max abs err " << res.max_abs_err << ")";
  EXPECT_GT(res.checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Attention, Mechanism, ::testing::ValuesIn(gradcheck_cases()),
                         [](const ::testing::TestParamInfo<GradcheckCase>& info) { return info.param.name; });

}  // namespace
}  // namespace attnscope::testing
