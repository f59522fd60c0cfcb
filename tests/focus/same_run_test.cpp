#include "attnscope/focus/same_run.h"

#include <gtest/gtest.h>

#include "../viz/fixtures.h"

using namespace attnscope;

// Issue 16: `animate A B` took traces of different models or texts as training snapshots.
TEST(SameRun, SnapshotsOfOneRunDifferOnlyInWeights) {
  io::Trace a = fixture::self_trace(6, 2, 2, 1), b = fixture::self_trace(6, 2, 2, 99);
  a.meta["source_text"] = b.meta["source_text"] = "the cat sat";
  EXPECT_EQ(focus::run_difference(a, b), "");
  // A translation's output may change while it learns: the recorded source text decides.
  b.sequences[0].tokens[5] = "dog";
  EXPECT_EQ(focus::run_difference(a, b), "");
}

TEST(SameRun, AnotherTextIsRefused) {
  io::Trace a = fixture::self_trace(6, 2, 2), b = fixture::self_trace(6, 2, 2);
  b.sequences[0].tokens[1] = "dog";
  EXPECT_NE(focus::run_difference(a, b).find("the text differs"), std::string::npos);
  a.meta["source_text"] = "the cat";
  b.meta["source_text"] = "the dog";
  EXPECT_EQ(focus::run_difference(a, b), "the text differs: 'the cat' vs 'the dog'");
}

TEST(SameRun, AnotherModelIsRefused) {
  const io::Trace a = fixture::self_trace(6, 2, 2);
  EXPECT_EQ(focus::run_difference(a, fixture::self_trace(6, 3, 2)), "the model differs: 2 vs 3 attention layers");
  EXPECT_NE(focus::run_difference(a, fixture::self_trace(6, 2, 4)).find("the model differs: layer 0"), std::string::npos);
  io::Trace b = a, c = a;
  b.meta["architecture"] = "llama";
  c.meta["architecture"] = "gpt2";
  EXPECT_EQ(focus::run_difference(b, c), "the model differs: 'llama' vs 'gpt2'");
}
