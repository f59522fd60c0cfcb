#include "attnscope/focus/alignment.h"

#include <gtest/gtest.h>

namespace attnscope::focus {
namespace {

TEST(Alignment, AccuracyCountsArgmaxInGold) {
  // 3 targets x 4 sources.
  const float w[] = {0.7f, 0.1f, 0.1f, 0.1f,   // argmax 0
                     0.1f, 0.2f, 0.6f, 0.1f,   // argmax 2
                     0.25f, 0.25f, 0.2f, 0.3f};  // argmax 3
  auto c = alignment_accuracy(w, 3, 4, {{0}, {1}, {}});
  EXPECT_EQ(c.total, 2);
  EXPECT_EQ(c.correct, 1);
  EXPECT_DOUBLE_EQ(c.accuracy(), 0.5);
}

TEST(Alignment, AerOfPerfectAndDisjointAlignments) {
  Links s = {{0, 0}, {1, 1}}, p = {{2, 1}};
  EXPECT_DOUBLE_EQ(alignment_error_rate(s, s, p), 0.0);
  EXPECT_DOUBLE_EQ(alignment_error_rate({{3, 3}}, s, p), 1.0);
  // A = {(0,0), (2,1)}: |A∩S| = 1, |A∩P| = 2 -> 1 - 3/4.
  EXPECT_DOUBLE_EQ(alignment_error_rate({{0, 0}, {2, 1}}, s, p), 0.25);
}

}  // namespace
}  // namespace attnscope::focus
