#include "attnscope/focus/trace_tables.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "../viz/fixtures.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/head_stats.h"
#include "attnscope/focus/row_stats.h"
#include "attnscope/focus/trace_keep.h"
#include "attnscope/focus/trace_row.h"

using namespace attnscope;

// Issue 16: no export of weights and statistics for notebooks.
TEST(TraceTables, WeightsInLongFormatListEveryKeptWeight) {
  const io::Trace t = fixture::self_trace(5, 2, 3);  // causal: 15 weights > 0 per head
  const focus::Table w = focus::trace_table(t, "weights");
  ASSERT_EQ(w.columns.size(), 7u);
  EXPECT_EQ(w.columns[6].name, "weight");
  EXPECT_EQ(w.rows(), 2u * 3u * 15u);
  // Row 7 of layer0/head0: query 3, key 1 (rows 0, 1 1, 2 2 2, 3 3 3 3 ...).
  EXPECT_EQ(w.columns[0].strings[7], "layer0");
  EXPECT_EQ(w.columns[2].numbers[7], 3);
  EXPECT_EQ(w.columns[3].numbers[7], 1);
  EXPECT_EQ(w.columns[4].strings[7], "on");
  EXPECT_EQ(w.columns[5].strings[7], "cat");
  EXPECT_FLOAT_EQ(w.columns[6].numbers[7], t.layers[0].weights[3 * 5 + 1]);

  const focus::Table mean = focus::trace_table(t, "weights", {.layer = 1, .head = focus::kHeadMean});
  EXPECT_EQ(mean.rows(), 15u);
  EXPECT_EQ(mean.columns[1].strings[0], "mean");
  EXPECT_FLOAT_EQ(mean.columns[6].numbers[14], focus::row(t.layers[1], focus::kHeadMean, 4)[4]);
  // Top-k: exactly the kept weights.
  io::Trace k = t;
  focus::keep_as(k, io::TraceKeep::topk, 2);
  EXPECT_EQ(focus::trace_table(k, "weights", {.layer = 0, .head = 1}).rows(), 1u + 2u * 4u);
}

TEST(TraceTables, RowAndHeadStatisticsAreTheFocusOnes) {
  const io::Trace t = fixture::self_trace(6, 2, 2);
  const focus::Table r = focus::trace_table(t, "rows", {.layer = 1, .head = 0});
  ASSERT_EQ(r.rows(), 6u);
  const focus::RowStats s = focus::row_stats(t.layers[1], 0);
  EXPECT_FLOAT_EQ(r.columns[4].numbers[3], s.entropy[3]);
  EXPECT_FLOAT_EQ(r.columns[5].numbers[3], s.max_weight[3]);
  EXPECT_EQ(r.columns[6].numbers[3], s.argmax[3]);

  const focus::Table h = focus::trace_table(t, "heads");
  ASSERT_EQ(h.rows(), 4u);
  focus::FocusSums sums;
  sums.add(t);
  const focus::HeadReport m = focus::head_report(sums.layers[1].heads[1]);
  EXPECT_DOUBLE_EQ(h.columns[5].numbers[3], m.entropy);
  EXPECT_EQ(h.columns[12].strings[3], m.role);
  EXPECT_THROW(focus::trace_table(t, "heads", focus::TableSelection{std::nullopt, focus::kHeadMean}), ConfigError);

  // A stats-only trace has row statistics but no weights.
  io::Trace st = t;
  focus::keep_as(st, io::TraceKeep::stats);
  EXPECT_EQ(focus::trace_table(st, "rows").rows(), 2u * 2u * 6u);
  EXPECT_THROW(focus::trace_table(st, "weights"), ConfigError);
  EXPECT_THROW(focus::trace_table(t, "bogus"), ConfigError);
  EXPECT_THROW(focus::trace_table(t, "rows", focus::TableSelection{2, std::nullopt}), ConfigError);
}

TEST(TraceTables, CsvQuotesAndJsonIsColumnOriented) {
  io::Trace t = fixture::self_trace(3, 1, 1);
  t.sequences[0].tokens = {"a,b", "say \"hi\"", " x"};
  const focus::Table w = focus::trace_table(t, "weights");
  const std::string csv = focus::to_csv(w);
  EXPECT_EQ(csv.substr(0, csv.find("\r\n")), "layer,head,query,key,query_token,key_token,weight");
  EXPECT_NE(csv.find("layer0,0,1,0,\"say \"\"hi\"\"\",\"a,b\","), std::string::npos) << csv;
  EXPECT_NE(csv.find(",\" x\","), std::string::npos) << csv;
  const nlohmann::ordered_json j = focus::to_json(w);
  EXPECT_EQ(j.begin().key(), "layer");  // columns in table order
  ASSERT_EQ(j["weight"].size(), 6u);
  EXPECT_EQ(j["query"][5], 2);
  EXPECT_EQ(j["key_token"][0], "a,b");
}
