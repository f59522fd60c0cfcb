// Kendall's tau-b against known values (scipy.stats.kendalltau's documented example), ties,
// constant inputs and mismatched lengths.
#include "attnscope/focus/rank_correlation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/core/error.h"

namespace attnscope::focus {
namespace {

TEST(KendallTau, KnownValues) {
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(kendall_tau({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // scipy: kendalltau([12, 2, 1, 12, 2], [1, 4, 7, 1, 0]) -> -0.47140452079103173 (tau-b, ties).
  EXPECT_NEAR(kendall_tau({12, 2, 1, 12, 2}, {1, 4, 7, 1, 0}), -0.47140452079103173, 1e-12);
  // One swapped pair of 4: (5 - 1) / 6.
  EXPECT_NEAR(kendall_tau({1, 2, 3, 4}, {1, 3, 2, 4}), 4.0 / 6.0, 1e-12);
}

TEST(KendallTau, UndefinedAndBadInput) {
  EXPECT_TRUE(std::isnan(kendall_tau({1, 1, 1}, {1, 2, 3})));
  EXPECT_TRUE(std::isnan(kendall_tau({1}, {2})));
  EXPECT_TRUE(std::isnan(kendall_tau({}, {})));
  EXPECT_THROW(kendall_tau({1, 2}, {1}), ValueError);
}

TEST(SpearmanRho, KnownValuesWithTies) {
  EXPECT_DOUBLE_EQ(spearman_rho({1, 2, 3, 4}, {10, 20, 30, 40}), 1.0);
  EXPECT_DOUBLE_EQ(spearman_rho({1, 2, 3, 4}, {4, 3, 2, 1}), -1.0);
  // Mean ranks for ties: ranks (4.5, 2.5, 1, 4.5, 2.5) and (2.5, 4, 5, 2.5, 1) -> -5 / sqrt(9 * 9.5)
  // (scipy.stats.spearmanr gives the same).
  EXPECT_NEAR(spearman_rho({12, 2, 1, 12, 2}, {1, 4, 7, 1, 0}), -5.0 / std::sqrt(85.5), 1e-12);
  EXPECT_TRUE(std::isnan(spearman_rho({2, 2, 2}, {1, 2, 3})));
  EXPECT_THROW(spearman_rho({1, 2}, {1}), ValueError);
}

}  // namespace
}  // namespace attnscope::focus
