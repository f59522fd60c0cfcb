// Runs every gradcheck case (cases live in *_cases.cpp files next to this one) and checks that
// every op in the registry has at least one.
#include <gtest/gtest.h>

#include <set>

#include "attnscope/autograd/registry.h"
#include "gradcheck_cases.h"

namespace attnscope::testing {

std::vector<GradcheckCase>& gradcheck_cases() {
  static std::vector<GradcheckCase> cases;
  return cases;
}

namespace {

TEST(Gradcheck, EveryRegisteredOpHasACase) {
  std::set<std::string> covered;
  for (const auto& c : gradcheck_cases()) covered.insert(c.op);
  std::vector<std::string> missing;
  for (const auto* op : autograd::all_ops())
    if (!covered.count(std::string(op->name))) missing.push_back(std::string(op->name));
  EXPECT_TRUE(missing.empty()) << "ops without a gradcheck case: " << ::testing::PrintToString(missing);
  std::printf("gradcheck: %zu cases covering %zu registered ops\n", gradcheck_cases().size(),
              autograd::all_ops().size());
}

// One ctest entry per case: Gradcheck/Op.Matches/<case name>.
class Op : public ::testing::TestWithParam<GradcheckCase> {};

TEST_P(Op, Matches) {
  const GradcheckCase& c = GetParam();
  Rng rng(std::hash<std::string>{}(c.name) & 0xffff);
  auto res = autograd::gradcheck(c.fn, c.inputs(rng));
  EXPECT_TRUE(res.ok) << c.op << "/" << c.name << ": " << res.detail << " (max abs err "
                      << res.max_abs_err << ")";
  EXPECT_GT(res.checked, 0);
}

INSTANTIATE_TEST_SUITE_P(Gradcheck, Op, ::testing::ValuesIn(gradcheck_cases()),
                         [](const ::testing::TestParamInfo<GradcheckCase>& info) { return info.param.name; });

}  // namespace
}  // namespace attnscope::testing
