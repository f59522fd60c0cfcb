// focus::keep_topk / keep_stats / keep_as: dense layers reduced to what a trace keeps, by the
// one top-k rule (focus::row_topk).
#include "attnscope/focus/trace_keep.h"

#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/io/trace_import.h"

using namespace attnscope;
using io::TraceKeep;
using io::TraceLayer;

TEST(TraceKeep, TopkKeepsLargestDescendingWithStats) {
  TraceLayer l;
  l.name = "x";
  l.heads = 1, l.queries = 2, l.keys = 4;
  l.weights = {0.1f, 0.4f, 0.2f, 0.3f, /**/ 0.25f, 0.25f, 0.5f, 0.0f};
  const TraceLayer t = focus::keep_topk(l, 2);
  EXPECT_EQ(t.keep, TraceKeep::topk);
  EXPECT_TRUE(t.weights.empty());
  EXPECT_EQ(t.topk_index, (std::vector<int32_t>{1, 3, 2, 0}));  // tie 0.25/0.25 -> lower index
  EXPECT_EQ(t.topk_weight, (std::vector<float>{0.4f, 0.3f, 0.5f, 0.25f}));
  EXPECT_EQ(t.argmax, (std::vector<int32_t>{1, 2}));
  EXPECT_EQ(t.max_weight, (std::vector<float>{0.4f, 0.5f}));
  const double h0 = -(0.1 * std::log(0.1) + 0.4 * std::log(0.4) + 0.2 * std::log(0.2) + 0.3 * std::log(0.3));
  EXPECT_NEAR(t.entropy[0], h0, 1e-6);
  EXPECT_EQ(focus::keep_topk(l, 99).k, 4);  // clamped to keys
  EXPECT_EQ(focus::keep_as(l, TraceKeep::stats).keep, TraceKeep::stats);
  EXPECT_EQ(focus::keep_as(l, TraceKeep::dense).keep, TraceKeep::dense);
  EXPECT_THROW(focus::keep_as(l, TraceKeep::topk, 0), ConfigError);
}

// Zero weights (a causal mask) are never kept: the row pads with -1, as every top-k in attnscope.
TEST(TraceKeep, ZerosAreNotKept) {
  TraceLayer l;
  l.name = "causal";
  l.heads = 1, l.queries = 2, l.keys = 3;
  l.weights = {1.0f, 0.0f, 0.0f, /**/ 0.0f, 0.0f, 0.0f};
  const TraceLayer t = focus::keep_topk(l, 2);
  EXPECT_EQ(t.topk_index, (std::vector<int32_t>{0, -1, -1, -1}));
  EXPECT_EQ(t.topk_weight, (std::vector<float>{1.0f, 0.0f, 0.0f, 0.0f}));
  EXPECT_EQ(t.argmax, (std::vector<int32_t>{0, -1}));  // a fully masked row has no argmax
  EXPECT_EQ(t.max_weight, (std::vector<float>{1.0f, 0.0f}));
}

TEST(TraceKeep, WholeImportedTrace) {
  // [1 layer, 1 head, 3, 3] causal rows: the diagonal is largest.
  const std::vector<float> w = {1, 0, 0, 0.3f, 0.7f, 0, 0.1f, 0.2f, 0.7f};
  io::Trace t = io::trace_from_attention(std::vector<int64_t>{1, 1, 3, 3}, w, R"(["a", "b", "c"])");
  EXPECT_THROW(focus::keep_as(t, TraceKeep::topk, 0), ConfigError);
  focus::keep_as(t, TraceKeep::topk, 1);
  ASSERT_EQ(t.layers[0].keep, TraceKeep::topk);
  EXPECT_EQ(t.layers[0].topk_index, (std::vector<int32_t>{0, 1, 2}));
}

// A top-k layer recorded with k larger than its key count (topk:8 over a 5-token text) is cut
// to k = keys, losslessly, and the note says so; layers within bounds are untouched.
TEST(TraceKeep, ClampTopkCutsPaddingAndSaysSo) {
  io::Trace t;
  t.sequences = {{"tokens", {"a", "b"}}};
  TraceLayer l;
  l.name = "attn";
  l.query_seq = l.key_seq = "tokens";
  l.heads = 1, l.queries = 2, l.keys = 2;
  l.keep = TraceKeep::topk;
  l.k = 4;
  l.topk_index = {0, -1, -1, -1, /**/ 1, 0, -1, -1};
  l.topk_weight = {1.f, 0, 0, 0, /**/ 0.7f, 0.3f, 0, 0};
  t.layers = {l};
  const std::string note = focus::clamp_topk(t);
  EXPECT_NE(note.find("topk:4"), std::string::npos) << note;
  EXPECT_NE(note.find("kept 2"), std::string::npos) << note;
  EXPECT_EQ(t.layers[0].k, 2);
  EXPECT_EQ(t.layers[0].topk_index, (std::vector<int32_t>{0, -1, 1, 0}));
  EXPECT_EQ(t.layers[0].topk_weight, (std::vector<float>{1.f, 0, 0.7f, 0.3f}));
  EXPECT_EQ(focus::clamp_topk(t), "");  // nothing left to clamp
}
