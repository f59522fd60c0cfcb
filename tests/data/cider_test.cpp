// CIDEr-D against values computed by hand (docs of the arithmetic in each test).
#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/data/cider.h"

namespace attnscope::data {
namespace {

// Two images. idf = log 2 - log df: "a" is in both reference sets (idf 0), every other n-gram in
// one (idf log 2 = L). Image A: hyp "a red square" vs ref "a red circle":
//   n=1 hyp {a:0, red:L, square:L}, ref {a:0, red:L, circle:L}: L^2 / (sqrt2 L)^2 = 0.5
//   n=2 {a red:L, red square:L} vs {a red:L, red circle:L}: 0.5;  n=3 no match: 0;  n=4 none: 0
//   equal bigram counts: no penalty. 10 * (0.5 + 0.5) / 4 = 2.5
// Image B: hyp = ref "a blue square": n=1..3 give 1, n=4 none: 10 * 3 / 4 = 7.5. Corpus: 5.0.
TEST(CiderD, MatchesHandComputedScores) {
  const CiderScore s = corpus_cider_d({"a red square", "a blue square"}, {{"a red circle"}, {"A blue square"}});
  ASSERT_EQ(s.per_image.size(), 2u);
  EXPECT_NEAR(s.per_image[0], 2.5, 1e-9);
  EXPECT_NEAR(s.per_image[1], 7.5, 1e-9);
  EXPECT_NEAR(s.score, 5.0, 1e-9);
}

// A longer hypothesis: "a blue square blue" vs "a blue square" (image B above, image A's ref kept).
// Bigram counts 3 vs 2: penalty exp(-1/72). n=1: hyp {a:0, blue:2L, square:L}, norm sqrt5 L;
// ref {blue:L, square:L}, norm sqrt2 L; clipped dot min(2L,L)L + L^2 = 2L^2 -> 2/sqrt10.
// n=2: hyp {a blue:L, blue square:L, square blue:L}, ref {a blue, blue square}: 2L^2/(sqrt3 sqrt2 L^2).
// n=3: hyp {a blue square, blue square blue}, ref {a blue square}: 1/sqrt2.  n=4: ref has none: 0.
TEST(CiderD, ClipsCountsAndPenalisesLength) {
  const CiderScore s = corpus_cider_d({"a red circle", "a blue square blue"}, {{"a red circle"}, {"a blue square"}});
  const double expect = 10 * std::exp(-1.0 / 72) * (2 / std::sqrt(10.0) + 2 / std::sqrt(6.0) + 1 / std::sqrt(2.0)) / 4;
  EXPECT_NEAR(s.per_image[1], expect, 1e-9);
}

// Several references: the mean of the per-reference similarities.
TEST(CiderD, AveragesOverReferences) {
  const CiderScore one = corpus_cider_d({"a red square", "a blue square"}, {{"a red circle"}, {"a blue square"}});
  const CiderScore two = corpus_cider_d({"a red square", "a blue square"}, {{"a red circle", "a red circle"}, {"a blue square"}});
  EXPECT_NEAR(one.per_image[0], two.per_image[0], 1e-9);
  EXPECT_THROW(corpus_cider_d({"a"}, {}), ValueError);
  EXPECT_THROW(corpus_cider_d({"a"}, {{}}), ValueError);
}

}  // namespace
}  // namespace attnscope::data
