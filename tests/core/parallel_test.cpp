#include "attnscope/core/parallel.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "attnscope/core/rng.h"

namespace attnscope {
namespace {

// Two threads whatever ATTNSCOPE_THREADS says (the test run uses one per program).
class ParallelFor : public ::testing::Test {
 protected:
  void SetUp() override { set_num_threads(2); }
  void TearDown() override { set_num_threads(0); }
};

TEST_F(ParallelFor, CoversRangeExactlyOnce) {
  std::vector<int> hits(1001, 0);
  parallel_for(0, 1001, 7, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) hits[i]++;
  });
  for (int h : hits) EXPECT_EQ(h, 1);
}

TEST_F(ParallelFor, RethrowsOnCaller) {
  EXPECT_THROW(parallel_for(0, 100, 1,
                            [&](int64_t lo, int64_t) {
                              if (lo > 0) throw std::runtime_error("boom");
                            }),
               std::runtime_error);
}

TEST_F(ParallelFor, NestedRunsSerially) {
  std::atomic<int> total{0};
  parallel_for(0, 4, 1, [&](int64_t lo, int64_t hi) {
    parallel_for(0, 10, 1, [&](int64_t a, int64_t b) { total += static_cast<int>((b - a) * (hi - lo)); });
  });
  EXPECT_EQ(total.load(), 40);
}

TEST_F(ParallelFor, UsesTheRequestedThreads) {
  std::vector<int> seen(2, 0);
  parallel_for(0, 2, 1, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) seen[i] = in_parallel_region();
  });
  EXPECT_EQ(num_threads(), 2);
  EXPECT_EQ(seen, (std::vector<int>{1, 1}));
}

TEST(Rng, SameSeedSameBits) {
  Rng a(42), b(42), c(43);
  for (int i = 0; i < 100; ++i) {
    const uint64_t x = a.next_u64();
    EXPECT_EQ(x, b.next_u64());
    EXPECT_NE(x, c.next_u64());
  }
}

TEST(Rng, NormalHasUnitMoments) {
  Rng r(7);
  double s = 0, s2 = 0;
  const int n = 200000;
  for (int i = 0; i < n; ++i) {
    const double x = r.normal();
    s += x;
    s2 += x * x;
  }
  EXPECT_NEAR(s / n, 0.0, 0.01);
  EXPECT_NEAR(s2 / n, 1.0, 0.02);
}

}  // namespace
}  // namespace attnscope
