// Sparsemax and 1.5-entmax: known values, exact zeros, agreement with an independent bisection
// oracle (solve sum_j max(z_j - tau, 0)^(1/(alpha-1)) = 1 for tau), masks and bad input.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "attnscope/attention/entmax.h"
#include "attnscope/attention/sparsemax.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {
namespace {

// p_j = max(z_j - tau, 0)^power with sum p = 1; z already scaled (entmax: x/2, power 2).
std::vector<double> bisection(const std::vector<double>& z, double power) {
  double lo = *std::max_element(z.begin(), z.end()) - 1, hi = lo + 1;
  for (int it = 0; it < 200; ++it) {
    const double tau = (lo + hi) / 2;
    double s = 0;
    for (double v : z) s += std::pow(std::max(v - tau, 0.0), power);
    (s > 1 ? lo : hi) = tau;
  }
  std::vector<double> p;
  for (double v : z) p.push_back(std::pow(std::max(v - lo, 0.0), power));
  return p;
}

TEST(Sparsemax, KnownValuesAndExactZeros) {
  Tensor p = sparsemax(Tensor::from(std::vector<double>{1, 0.5, -1}, Shape{1, 3}));
  EXPECT_DOUBLE_EQ(p.at({0, 0}), 0.75);
  EXPECT_DOUBLE_EQ(p.at({0, 1}), 0.25);
  EXPECT_EQ(p.at({0, 2}), 0.0);  // exactly zero, not tiny
  // Equal scores: uniform.
  Tensor u = sparsemax(Tensor::from(std::vector<double>{2, 2, 2, 2}, Shape{4}));
  for (int j = 0; j < 4; ++j) EXPECT_DOUBLE_EQ(u.at({j}), 0.25);
}

TEST(Sparsemax, MatchesBisectionOracle) {
  Rng rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    Tensor x = Tensor::uniform(Shape{9}, rng, -2, 2, DType::f64);
    const auto ref = bisection(x.to_vector_f64(), 1.0);
    Tensor p = sparsemax(x);
    double sum = 0;
    for (int j = 0; j < 9; ++j) {
      EXPECT_NEAR(p.at({j}), ref[j], 1e-9);
      if (ref[j] < 1e-12) {
        EXPECT_EQ(p.at({j}), 0.0);
      }
      sum += p.at({j});
    }
    EXPECT_NEAR(sum, 1.0, 1e-12);
  }
}

TEST(Entmax15, KnownValuesAndExactZeros) {
  // Two keys: entmax-1.5 of [t, 0] is one-hot once t >= 2 (tau = z_1 - 1 = t/2 - 1 >= 0).
  Tensor p = entmax15(Tensor::from(std::vector<double>{2, 0}, Shape{2}));
  EXPECT_DOUBLE_EQ(p.at({0}), 1.0);
  EXPECT_EQ(p.at({1}), 0.0);
  Tensor q = entmax15(Tensor::from(std::vector<double>{1, 0}, Shape{2}));
  // tau solves (0.5 - tau)^2 + tau^2 = 1: tau = (0.5 - sqrt(1.75)) / 2.
  const double tau = (0.5 - std::sqrt(1.75)) / 2;
  EXPECT_NEAR(q.at({0}), (0.5 - tau) * (0.5 - tau), 1e-12);
  EXPECT_NEAR(q.at({1}), tau * tau, 1e-12);
}

TEST(Entmax15, MatchesBisectionOracleAndIsSparse) {
  Rng rng(11);
  int zeros = 0;
  for (int trial = 0; trial < 20; ++trial) {
    Tensor x = Tensor::uniform(Shape{9}, rng, -4, 4, DType::f64);
    std::vector<double> z = x.to_vector_f64();
    for (double& v : z) v /= 2;
    const auto ref = bisection(z, 2.0);
    Tensor p = entmax15(x);
    for (int j = 0; j < 9; ++j) {
      EXPECT_NEAR(p.at({j}), ref[j], 1e-9);
      if (ref[j] == 0) { EXPECT_EQ(p.at({j}), 0.0); ++zeros; }
    }
  }
  EXPECT_GT(zeros, 0);  // scores spread over [-4, 4] leave some keys out
}

TEST(SparseNormalizers, MaskedKeysGetExactlyZeroAndFullyMaskedRowsZero) {
  const double inf = std::numeric_limits<double>::infinity();
  Tensor x = Tensor::from(std::vector<double>{5, 1, 1, 0.5, 0.2, 0.1}, Shape{2, 3});
  Tensor m = Tensor::from(std::vector<double>{-inf, 0, 0, -inf, -inf, -inf}, Shape{2, 3});
  for (Tensor p : {sparsemax(x, m), entmax15(x, m)}) {
    EXPECT_EQ(p.at({0, 0}), 0.0);  // the largest score, but masked
    EXPECT_NEAR(p.at({0, 1}) + p.at({0, 2}), 1.0, 1e-12);
    for (int j = 0; j < 3; ++j) EXPECT_EQ(p.at({1, j}), 0.0);
  }
}

TEST(SparseNormalizers, RejectNonFiniteAndBadMasks) {
  Tensor x = Tensor::from(std::vector<double>{1, NAN, 0}, Shape{1, 3});
  try {
    sparsemax(x);
    FAIL();
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("sparsemax"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("[1, 3]"), std::string::npos);
  }
  EXPECT_THROW(entmax15(Tensor::from(std::vector<double>{INFINITY, 0}, Shape{2})), ValueError);
  EXPECT_THROW(sparsemax(Tensor::zeros(Shape{2, 3}, DType::f64), Tensor::zeros(Shape{4}, DType::f64)), ShapeError);
}

}  // namespace
}  // namespace attnscope::attention
