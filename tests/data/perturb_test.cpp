// data/perturb: seeded perturbations mark exactly what they inserted or damaged.
#include <gtest/gtest.h>

#include <algorithm>

#include "attnscope/core/error.h"
#include "attnscope/data/perturb.h"

namespace attnscope::data {
namespace {

const std::vector<std::string> kWords = {"the", "plot", "was", "not", "good", "at", "all", "."};

TEST(Perturb, DistractorsAndFillerInsertAndMarkTheirWords) {
  Rng rng(3);
  const Perturbed d = perturb(kWords, parse_perturbation("distractors:0.5"), rng);
  EXPECT_EQ(d.words.size(), kWords.size() + 4);
  EXPECT_EQ(std::count(d.touched.begin(), d.touched.end(), true), 4);
  std::vector<std::string> kept;  // the original words stay, in order
  for (size_t i = 0; i < d.words.size(); ++i)
    if (!d.touched[i]) kept.push_back(d.words[i]);
  EXPECT_EQ(kept, kWords);
  const Perturbed f = perturb(kWords, parse_perturbation("filler"), rng);  // level 0.2 -> 2 words, one run
  ASSERT_EQ(f.words.size(), kWords.size() + 2);
  const auto first = std::find(f.touched.begin(), f.touched.end(), true) - f.touched.begin();
  EXPECT_TRUE(f.touched[first + 1]);
}

TEST(Perturb, DistractorsComeFromTheTasksNeutralWords) {
  Rng rng(5);
  const std::vector<std::string> neutral = {"monday", "de"};
  const Perturbed d = perturb(kWords, parse_perturbation("distractors:1"), rng, neutral);
  for (size_t i = 0; i < d.words.size(); ++i)
    if (d.touched[i]) {
      EXPECT_TRUE(d.words[i] == "monday" || d.words[i] == "de") << d.words[i];
    }
}

TEST(Perturb, TyposDamageDropoutRemovesAndTheSeedRepeats) {
  Rng a(9), b(9);
  const Perturbed t1 = perturb(kWords, parse_perturbation("typos:1"), a);
  const Perturbed t2 = perturb(kWords, parse_perturbation("typos:1"), b);
  EXPECT_EQ(t1.words, t2.words);
  ASSERT_EQ(t1.words.size(), kWords.size());
  for (size_t i = 0; i < kWords.size(); ++i) {
    EXPECT_TRUE(t1.touched[i]);
    EXPECT_NE(t1.words[i], kWords[i]);
  }
  Rng c(1);
  const Perturbed all = perturb(kWords, parse_perturbation("dropout:1"), c);
  EXPECT_EQ(all.words.size(), 1u);  // never empty
  Rng d(1);
  EXPECT_LT(perturb(kWords, parse_perturbation("dropout:0.5"), d).words.size(), kWords.size());
}

TEST(Perturb, BadSpecsAreRefused) {
  for (const char* bad : {"bogus", "typos:0", "typos:1.5", "typos:x", "distractors:", "typos:0.2x"})
    EXPECT_THROW(parse_perturbation(bad), ConfigError) << bad;
  EXPECT_EQ(parse_perturbation("typos:0.3").str(), "typos:0.3");
}

}  // namespace
}  // namespace attnscope::data
