#include "attnscope/attention/diagonal_prior.h"

#include <gtest/gtest.h>

#include "attnscope/core/error.h"

using namespace attnscope;

TEST(DiagonalPrior, PeaksOnTheScaledDiagonalPerExample) {
  // Two sources of 4 and 2 keys (N = 4), ratio 1: query i prefers key i of the first, key i/2 of the second.
  const Tensor p = attention::diagonal_prior({4, 2}, 4, 4, 0, 0.1, 1.0);
  ASSERT_EQ(p.shape(), (Shape{2, 4, 4}));
  const auto v = p.to_vector();
  for (int64_t i = 0; i < 4; ++i) {
    EXPECT_FLOAT_EQ(v[i * 4 + i], 0.f);  // x_i == y_i
    for (int64_t j = 0; j < 4; ++j)
      if (j != i) {
        EXPECT_LT(v[i * 4 + j], v[i * 4 + i]);
      }
  }
  // Second example, query 2 (x = 2.5 / 2 = 1.25), key 1 (y = 0.75): -(0.5)^2 / (2 * 0.01) = -12.5.
  EXPECT_NEAR(v[16 + 2 * 4 + 1], -12.5, 1e-4);
  // The query offset shifts rows: row 0 at offset 1 equals row 1 at offset 0.
  const auto w = attention::diagonal_prior({4}, 1, 4, 1, 0.1, 1.0).to_vector();
  for (int64_t j = 0; j < 4; ++j) EXPECT_FLOAT_EQ(w[j], v[4 + j]);
  // A length ratio of 2 stretches the target: query 2 of 8 expected lands on key 1 of 4.
  const auto r = attention::diagonal_prior({4}, 8, 4, 0, 0.1, 2.0).to_vector();
  EXPECT_FLOAT_EQ(r[2 * 4 + 1], -(0.3125f - 0.375f) * (0.3125f - 0.375f) / 0.02f);
}

TEST(DiagonalPrior, RefusesBadArguments) {
  EXPECT_THROW(attention::diagonal_prior({3}, 2, 3, 0, 0.0, 1.0), ConfigError);
  EXPECT_THROW(attention::diagonal_prior({3}, 2, 3, 0, 0.2, -1.0), ConfigError);
  EXPECT_THROW(attention::diagonal_prior({4}, 2, 3, 0, 0.2, 1.0), ShapeError);
  EXPECT_THROW(attention::diagonal_prior({0}, 2, 3, 0, 0.2, 1.0), ShapeError);
}
