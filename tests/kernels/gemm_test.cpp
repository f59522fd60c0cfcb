// kernels::gemm against a plain triple loop in double: every transpose combination, padded
// leading dimensions, beta = 0 over garbage (NaN) and beta != 0, and the vector shapes
// (M = 1, N = 1) that take the GEMV path.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "attnscope/core/rng.h"
#include "attnscope/kernels/gemm.h"

namespace attnscope::kernels {
namespace {

struct GemmShape {
  int64_t M, N, K;
};

template <class T>
void check(bool ta, bool tb, GemmShape c, T beta) {
  Rng rng(static_cast<uint64_t>(c.M * 131 + c.N * 17 + c.K + ta * 2 + tb));
  // Stored shapes with 3 spare columns, so the leading dimensions differ from the logical ones.
  const int64_t ar = ta ? c.K : c.M, ac = ta ? c.M : c.K, br = tb ? c.N : c.K, bc = tb ? c.K : c.N;
  const int64_t lda = ac + 3, ldb = bc + 3, ldc = c.N + 3;
  std::vector<T> A(ar * lda), B(br * ldb), C(c.M * ldc);
  for (auto& v : A) v = static_cast<T>(rng.normal(0.0, 1.0));
  for (auto& v : B) v = static_cast<T>(rng.normal(0.0, 1.0));
  for (auto& v : C) v = beta == T(0) ? std::numeric_limits<T>::quiet_NaN() : static_cast<T>(rng.normal(0.0, 1.0));
  const std::vector<T> C0 = C;
  const T alpha = T(0.75);
  gemm(ta, tb, c.M, c.N, c.K, alpha, A.data(), lda, B.data(), ldb, beta, C.data(), ldc);
  for (int64_t i = 0; i < c.M; ++i)
    for (int64_t j = 0; j < c.N; ++j) {
      double s = 0;
      for (int64_t k = 0; k < c.K; ++k)
        s += double(ta ? A[k * lda + i] : A[i * lda + k]) * double(tb ? B[j * ldb + k] : B[k * ldb + j]);
      const double want = alpha * s + (beta == T(0) ? 0.0 : double(beta) * C0[i * ldc + j]);
      ASSERT_NEAR(C[i * ldc + j], want, 1e-4 * (1 + std::abs(want)))
          << "ta=" << ta << " tb=" << tb << " M=" << c.M << " N=" << c.N << " K=" << c.K << " at " << i << "," << j;
    }
  // The padding columns of C are never written.
  for (int64_t i = 0; i < c.M; ++i)
    for (int64_t j = c.N; j < ldc; ++j) {
      const T got = C[i * ldc + j], was = C0[i * ldc + j];
      ASSERT_TRUE(got == was || (std::isnan(got) && std::isnan(was)));
    }
}

TEST(Gemm, MatchesTheTripleLoopForEveryShapeAndTranspose) {
  const GemmShape cases[] = {{1, 1, 1}, {1, 37, 19}, {23, 1, 19}, {1, 1, 64}, {5, 7, 3}, {64, 48, 80}, {129, 3, 257}};
  for (GemmShape c : cases)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        check<float>(ta, tb, c, 0.0f);
        check<float>(ta, tb, c, 0.5f);
        check<double>(ta, tb, c, 0.0);
        check<double>(ta, tb, c, -1.25);
      }
}

TEST(Gemm, EmptyInnerDimensionScalesC) {
  std::vector<float> C = {1, 2, 3, 4};
  gemm(false, false, 2, 2, 0, 1.0f, nullptr, 1, nullptr, 2, 2.0f, C.data(), 2);
  EXPECT_EQ(C, (std::vector<float>{2, 4, 6, 8}));
}

}  // namespace
}  // namespace attnscope::kernels
