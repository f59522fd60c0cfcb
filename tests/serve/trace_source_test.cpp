#include "attnscope/serve/trace_source.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "attnscope/core/error.h"
#include "fixture_trace.h"

using namespace attnscope;
using serve::Aggregate;
using serve::TraceSource;

TEST(TraceSource, RejectsShapesThatDisagreeWithTokens) {
  auto t = test::make_trace(1, 2, 6);
  t.sequences[0].tokens.pop_back();
  try {
    TraceSource s(std::move(t));
    FAIL() << "expected ShapeError";
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("6 queries but sequence 'tokens' has 5 tokens"), std::string::npos)
        << e.what();
  }
}

TEST(TraceSource, RejectsTruncatedWeightsAndBadIndices) {
  auto t = test::make_trace(2, 2, 6);
  t.layers[1].weights.resize(10);
  EXPECT_THROW(TraceSource{t}, ShapeError);
  auto k = test::to_topk(test::make_trace(1, 2, 6), 3);
  k.layers[0].topk_index[4] = 6;
  EXPECT_THROW(TraceSource{k}, FormatError);
  auto u = test::make_trace(1, 1, 4);
  u.layers[0].key_seq = "nope";
  EXPECT_THROW(TraceSource{u}, FormatError);
  auto n = test::make_trace(1, 1, 4);
  n.layers[0].weights[3] = std::nanf("");
  EXPECT_THROW(TraceSource{n}, FormatError);  // io::validate_trace: the one rule for a layer
  EXPECT_THROW(TraceSource{io::Trace{}}, FormatError);
}

TEST(TraceSource, LevelZeroTileIsTheMatrix) {
  const auto t = test::make_trace(2, 3, 7);
  TraceSource s(t);
  EXPECT_EQ(s.max_level(1), 0);
  const auto b = s.tile(1, 2, 0, 0, 0, Aggregate::max);
  ASSERT_EQ(b.rows, 7);
  ASSERT_EQ(b.cols, 7);
  for (int64_t i = 0; i < 49; ++i) EXPECT_EQ(b.values[i], t.layers[1].weights[2 * 49 + i]);
}

TEST(TraceSource, CoarseLevelsKeepTheHotCellAndTheMass) {
  const int64_t T = 600;  // 3 levels: 600 -> 300 -> 150 cells
  const auto t = test::make_trace(1, 2, T);
  TraceSource s(t);
  ASSERT_EQ(s.max_level(0), 2);
  for (int head = 0; head < 2; ++head) {
    const auto b = s.tile(0, head, 2, 0, 0, Aggregate::max);
    ASSERT_EQ(b.rows, 150);
    ASSERT_EQ(b.factor, 4);
    const auto hot = std::max_element(b.values.begin(), b.values.end()) - b.values.begin();
    EXPECT_EQ(hot / b.cols, (T - 1) / 4);
    EXPECT_EQ(hot % b.cols, test::hot_key(0, head, T) / 4);
    // mean aggregate times the cell area sums back to the row count (rows sum to 1)
    const auto m = s.tile(0, head, 2, 0, 0, Aggregate::mean);
    double total = 0;
    for (float v : m.values) total += v * 16.0;
    EXPECT_NEAR(total, static_cast<double>(T), 1e-2);
  }
  // level 1 has 300x300 cells: two tiles per side, the second one 44 wide
  const auto edge = s.tile(0, 0, 1, 1, 1, Aggregate::max);
  EXPECT_EQ(edge.rows, 44);
  EXPECT_EQ(edge.cols, 44);
  EXPECT_THROW(s.tile(0, 0, 1, 2, 0, Aggregate::max), ConfigError);
  EXPECT_THROW(s.tile(0, 0, 3, 0, 0, Aggregate::max), ConfigError);
  EXPECT_THROW(s.tile(0, 2, 0, 0, 0, Aggregate::max), ConfigError);
}

TEST(TraceSource, HeadMeanAveragesHeads) {
  const auto t = test::make_trace(1, 3, 9);
  TraceSource s(t);
  const auto r = s.row(0, serve::kHeadMean, 8);
  for (int64_t k = 0; k < 9; ++k) {
    float expect = 0;
    for (int h = 0; h < 3; ++h) expect += t.layers[0].weights[(h * 9 + 8) * 9 + k] / 3.0f;
    EXPECT_NEAR(r[k], expect, 1e-6);
  }
}

TEST(TraceSource, TopkLayersAnswerLikeDenseOnTheirEntries) {
  const auto dense = test::make_trace(1, 2, 12);
  TraceSource d(dense), k(test::to_topk(dense, 12));
  for (int64_t head : {int64_t{0}, int64_t{1}, serve::kHeadMean}) {
    const auto a = d.tile(0, head, 0, 0, 0, Aggregate::max), b = k.tile(0, head, 0, 0, 0, Aggregate::max);
    for (size_t i = 0; i < a.values.size(); ++i) EXPECT_NEAR(a.values[i], b.values[i], 1e-6);
  }
  TraceSource k2(test::to_topk(dense, 2));
  const auto row = k2.row(0, 1, 11);
  EXPECT_EQ(std::count_if(row.begin(), row.end(), [](float v) { return v > 0; }), 2);
  EXPECT_EQ(std::max_element(row.begin(), row.end()) - row.begin(), test::hot_key(0, 1, 12));
}

TEST(TraceSource, TopEdgesAreSortedAndPadded) {
  const auto t = test::make_trace(1, 1, 10);
  TraceSource s(t);
  const auto e = s.top_edges(0, 0, 0, 10, 4);
  ASSERT_EQ(e.k, 4);
  EXPECT_EQ(e.index[9 * 4], test::hot_key(0, 0, 10));
  // a top-2 layer has two edges per row: the rest is padding
  TraceSource k2(test::to_topk(t, 2));
  const auto p = k2.top_edges(0, 0, 9, 10, 4);
  EXPECT_EQ(p.index[0], test::hot_key(0, 0, 10));
  EXPECT_GT(p.weight[1], 0.0f);
  EXPECT_EQ(p.index[2], -1);
  EXPECT_EQ(p.index[3], -1);
  for (int64_t q = 0; q < 10; ++q)
    for (int j = 1; j < 4; ++j) EXPECT_LE(e.weight[q * 4 + j], e.weight[q * 4 + j - 1]);
  EXPECT_THROW(s.top_edges(0, 0, 5, 5, 3), ConfigError);
  EXPECT_THROW(s.top_edges(0, 0, 0, 11, 3), ConfigError);
}

TEST(TraceSource, StatsLayersHaveNoMatrix) {
  auto t = test::make_trace(1, 1, 4);
  t.layers[0].keep = io::TraceKeep::stats;
  t.layers[0].weights.clear();
  t.layers[0].entropy.assign(4, 0.5f);
  TraceSource s(t);
  EXPECT_FALSE(s.has_matrix(0));
  EXPECT_THROW(s.row(0, 0, 0), ConfigError);
}

TEST(TraceSource, SparseTopkAggregationMatchesDenseAtCoarseLevels) {
  const auto dense = test::make_trace(1, 2, 300);
  TraceSource d(dense), k(test::to_topk(dense, 300));
  for (auto agg : {Aggregate::max, Aggregate::mean})
    for (int64_t head : {int64_t{1}, serve::kHeadMean}) {
      const auto a = d.tile(0, head, 1, 0, 0, agg), b = k.tile(0, head, 1, 0, 0, agg);
      ASSERT_EQ(a.values.size(), b.values.size());
      for (size_t i = 0; i < a.values.size(); ++i) ASSERT_NEAR(a.values[i], b.values[i], 1e-6) << i;
      const auto ta = d.thumbnail(0, 0, 37), tb = k.thumbnail(0, 0, 37);
      for (size_t i = 0; i < ta.values.size(); ++i) ASSERT_NEAR(ta.values[i], tb.values[i], 1e-6) << i;
    }
}
