// The report of one trace (focus/trace_analysis.h): what `analyze TRACE` and Python's analyze
// share. The CLI's output is compared with Python's in tests/python/test_analyze.py.
#include <gtest/gtest.h>

#include "../viz/fixtures.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/trace_analysis.h"

using namespace attnscope;

TEST(TraceAnalysis, ReportHasHeadsAndSequencesOnlyWhenAsked) {
  const io::Trace t = fixture::self_trace(6, 2, 3);
  focus::FocusSums sums;
  const auto plain = focus::analyze_trace(t, "x.attn.safetensors", {}, &sums);
  EXPECT_EQ(plain["attnscope_report"], 1);
  EXPECT_EQ(plain["source"], "x.attn.safetensors");
  EXPECT_FALSE(plain.contains("sequences"));
  ASSERT_EQ(plain["layers"].size(), 2u);
  EXPECT_EQ(sums.sequences, 1);
  const auto both = focus::analyze_trace(t, "x", {.rollout = true, .flow = true, .query = 5});
  ASSERT_EQ(both["sequences"].size(), 1u);
  EXPECT_EQ(both["sequences"][0]["rollout"].size(), 6u);
  EXPECT_EQ(both["sequences"][0]["flow"].size(), 1u);  // the one asked row
  EXPECT_EQ(both["sequences"][0]["query"], 5);
}

TEST(TraceAnalysis, QueryOutOfRangeIsAConfigError) {
  const io::Trace t = fixture::self_trace(4, 1, 2);
  EXPECT_THROW(focus::analyze_trace(t, "x", {.flow = true, .query = 4}), ConfigError);
}
