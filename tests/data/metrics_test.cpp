#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/data/bleu.h"
#include "attnscope/data/chrf.h"

namespace attnscope::data {
namespace {

TEST(Bleu, Tokenize13a) {
  EXPECT_EQ(tokenize_13a("Hello, world! It costs $3.50."), "Hello , world ! It costs $ 3.50 .");
  EXPECT_EQ(tokenize_13a("1990-2000 a-b"), "1990 - 2000 a-b");
}

TEST(Bleu, PerfectMatchIs100) {
  auto s = corpus_bleu({"the cat sat on the mat ."}, {"the cat sat on the mat ."});
  EXPECT_NEAR(s.score, 100.0, 1e-9);
}

TEST(Bleu, HandComputedExample) {
  // hyp: "the cat sat on mat" (5 tokens) vs ref "the cat sat on the mat" (6 tokens).
  // p1 = 5/5, p2 = 3/4, p3 = 2/3, p4 = 1/2; BP = exp(1 - 6/5).
  auto s = corpus_bleu({"the cat sat on mat"}, {"the cat sat on the mat"});
  const double expect = std::exp(1 - 6.0 / 5) * std::pow(1.0 * 0.75 * (2.0 / 3) * 0.5, 0.25) * 100;
  EXPECT_NEAR(s.score, expect, 1e-9);
  EXPECT_NEAR(s.precisions[1], 75.0, 1e-9);
}

TEST(Bleu, ExpSmoothingWhenAnOrderHasNoMatch) {
  // No 4-gram matches: p4 = 100 / (2 * total4).
  auto s = corpus_bleu({"a b c x e f"}, {"a b c d e f"});
  EXPECT_GT(s.score, 0);
  EXPECT_NEAR(s.precisions[3], 100.0 / (2 * 3), 1e-9);
}

TEST(Bleu, MismatchedCountsThrow) {
  EXPECT_THROW(corpus_bleu({"a"}, std::vector<std::string>{}), ShapeError);
  EXPECT_THROW(corpus_bleu({"a"}, std::vector<std::vector<std::string>>{{}}), ValueError);
}

// Several references: counts clipped to the most in any one reference, the closest length.
TEST(Bleu, SeveralReferencesHandComputed) {
  const std::vector<std::vector<std::string>> refs = {{"the cat sat on the mat", "there is a cat on the mat"}};
  const auto s = corpus_bleu({"the cat is on the mat"}, refs);
  EXPECT_NEAR(s.precisions[0], 100.0, 1e-9);       // "is" from the second reference
  EXPECT_NEAR(s.precisions[1], 60.0, 1e-9);        // the cat, on the, the mat of 5
  EXPECT_NEAR(s.precisions[2], 25.0, 1e-9);        // on the mat of 4
  EXPECT_NEAR(s.precisions[3], 100.0 / 6, 1e-9);   // none of 3: exp smoothing
  EXPECT_EQ(s.ref_len, 6);                          // 6 and 7 words: 6 is closest
  EXPECT_NEAR(s.score, std::exp((std::log(100.0) + std::log(60.0) + std::log(25.0) + std::log(100.0 / 6)) / 4), 1e-9);
  // One reference given as a set of one scores as the single-reference call.
  EXPECT_DOUBLE_EQ(corpus_bleu({"the cat is on the mat"}, std::vector<std::vector<std::string>>{{"the cat sat on the mat"}}).score,
                   corpus_bleu({"the cat is on the mat"}, {"the cat sat on the mat"}).score);
}

TEST(Chrf, MatchesSacrebleuDocumentedValues) {
  // Values from the sacreBLEU-based metric card (char_order 6, word_order 0, beta 2).
  EXPECT_NEAR(corpus_chrf({"The relationship between Obama and Netanyahu is not exactly friendly."},
                          {"The ties between Obama and Netanyahu are not particularly friendly."}),
              61.576379378113785, 1e-9);
  EXPECT_NEAR(corpus_chrf({"The relationship between cats and dogs is not exactly friendly.",
                           "a good bookshop is just a genteel black hole that knows how to read."},
                          {"The relationship between dogs and cats is not exactly friendly.",
                           "A good bookshop is just a genteel Black Hole that knows how to read."}),
              84.64214891738334, 1e-9);
}

}  // namespace
}  // namespace attnscope::data
