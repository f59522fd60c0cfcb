#include <gtest/gtest.h>

#include <cmath>

#include "../viz/fixtures.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/attention_distance.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/focus/rollout.h"
#include "attnscope/focus/row_entropy.h"
#include "attnscope/focus/selection.h"
#include "attnscope/focus/topk.h"
#include "attnscope/focus/trace_row.h"
#include "attnscope/io/trace_io.h"

using namespace attnscope;

TEST(AttentionMap, HeadMapSlicesAndHeadAverageAverages) {
  io::Trace t = fixture::self_trace(5, 1, 2);
  const auto& L = t.layers[0];
  auto h1 = focus::head_map(L, 1);
  ASSERT_EQ(h1.rows, 5);
  EXPECT_FLOAT_EQ(h1.at(3, 2), L.weights[(1 * 5 + 3) * 5 + 2]);
  auto avg = focus::head_map(L, focus::kHeadMean);
  EXPECT_FLOAT_EQ(avg.at(4, 1), 0.5f * (L.weights[(0 * 5 + 4) * 5 + 1] + L.weights[(1 * 5 + 4) * 5 + 1]));
  EXPECT_EQ(focus::row(L, focus::kHeadMean, 4), std::vector<float>(avg.w.begin() + 20, avg.w.begin() + 25));
  EXPECT_THROW(focus::head_map(L, 2), ConfigError);
  EXPECT_THROW(focus::head_map(L, -2), ConfigError);
  EXPECT_THROW(focus::row(L, 0, 5), ConfigError);
}

TEST(AttentionMap, TopkLayerExpandsWithZeros) {
  io::TraceLayer L;
  L.name = "sparse";
  L.keep = io::TraceKeep::topk;
  L.heads = 1; L.queries = 2; L.keys = 4; L.k = 2;
  L.topk_index = {3, 1, 0, -1};
  L.topk_weight = {0.7f, 0.3f, 1.0f, 0.0f};
  auto m = focus::head_map(L, 0);
  EXPECT_FLOAT_EQ(m.at(0, 3), 0.7f);
  EXPECT_FLOAT_EQ(m.at(0, 1), 0.3f);
  EXPECT_FLOAT_EQ(m.at(0, 0), 0.0f);
  EXPECT_FLOAT_EQ(m.at(1, 0), 1.0f);
  std::vector<float> part(2, 0.0f);  // keys [1, 3) of row 0
  focus::add_row(L, 0, 0, 1, 3, part);
  EXPECT_EQ(part, (std::vector<float>{0.3f, 0.0f}));
  L.keep = io::TraceKeep::stats;
  EXPECT_THROW(focus::head_map(L, 0), ConfigError);
}

// The one layer rule (io::validate_layer) that every view applies before drawing.
TEST(AttentionMap, ValidateLayerNamesShapeDisagreements) {
  io::Trace t = fixture::self_trace(6, 1, 1);
  EXPECT_NO_THROW(io::validate_layer(t, t.layers[0]));
  t.sequences[0].tokens.pop_back();  // 5 tokens for 6 queries
  try {
    io::validate_layer(t, t.layers[0]);
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("has 5 tokens"), std::string::npos) << e.what();
  }
  t = fixture::self_trace(6, 1, 1);
  t.layers[0].weights.pop_back();
  EXPECT_THROW(io::validate_layer(t, t.layers[0]), ShapeError);
  t = fixture::self_trace(6, 1, 1);
  t.layers[0].weights[3] = NAN;
  EXPECT_THROW(io::validate_layer(t, t.layers[0]), FormatError);
}

TEST(Selection, LayerAndHeadSpecs) {
  io::Trace t = fixture::self_trace(4, 3, 2);
  EXPECT_EQ(focus::resolve_layer(t, ""), 0);
  EXPECT_EQ(focus::resolve_layer(t, "2"), 2);
  EXPECT_EQ(focus::resolve_layer(t, "-1"), 2);
  EXPECT_EQ(focus::resolve_layer(t, "layer1"), 1);
  EXPECT_THROW(focus::resolve_layer(t, "3"), ConfigError);
  EXPECT_THROW(focus::resolve_layer(t, "nope"), ConfigError);
  EXPECT_EQ(focus::resolve_head(t.layers[0], "mean"), focus::kHeadMean);
  EXPECT_EQ(focus::resolve_head(t.layers[0], "1"), 1);
  EXPECT_THROW(focus::resolve_head(t.layers[0], "2"), ConfigError);
  EXPECT_THROW(focus::resolve_head(t.layers[0], "x"), ConfigError);
}

TEST(RowEntropy, OneHotIsZeroUniformIsLogN) {
  focus::AttentionMap m{2, 4, {1, 0, 0, 0, 0.25f, 0.25f, 0.25f, 0.25f}};
  auto h = focus::row_entropy(m);
  EXPECT_NEAR(h[0], 0.0, 1e-6);
  EXPECT_NEAR(h[1], std::log(4.0), 1e-6);
  auto hn = focus::row_entropy_normalized(m, false);
  EXPECT_NEAR(hn[1], 1.0, 1e-6);
}

TEST(TopK, OrderAndTies) {
  focus::AttentionMap m{1, 5, {0.1f, 0.4f, 0.1f, 0.4f, 0.0f}};
  auto t = focus::topk(m, 3);
  EXPECT_EQ(t.index, (std::vector<int32_t>{1, 3, 0}));
  EXPECT_EQ(focus::row_argmax(m)[0], 1);
  EXPECT_EQ(focus::topk(m, 9).k, 5);
}

// The documented rule: positive weights only, descending, ties to the lower key, -1 / 0 pads.
TEST(TopK, ZerosNegativesAndNaNAreNeverKept) {
  const std::vector<float> w = {0.0f, 0.2f, -0.5f, NAN, 0.2f, 0.0f, 0.6f};
  std::vector<int32_t> idx(5);
  std::vector<float> wt(5);
  EXPECT_EQ(focus::row_topk(w.data(), 7, 5, idx.data(), wt.data()), 3);
  EXPECT_EQ(idx, (std::vector<int32_t>{6, 1, 4, -1, -1}));
  EXPECT_EQ(wt, (std::vector<float>{0.6f, 0.2f, 0.2f, 0.0f, 0.0f}));
  // k smaller than the positives: a later equal weight does not displace an earlier one.
  EXPECT_EQ(focus::row_topk(w.data(), 7, 2, idx.data(), wt.data()), 2);
  EXPECT_EQ(idx[1], 1);
  EXPECT_EQ(focus::row_argmax(w.data(), 7), 6);
  const std::vector<float> zeros(4, 0.0f);
  EXPECT_EQ(focus::row_argmax(zeros.data(), 4), -1);
  EXPECT_EQ(focus::row_topk(zeros.data(), 4, 0, idx.data(), wt.data()), 0);
}

// Ascending, descending and shuffled inputs give the same answer as a full sort.
TEST(TopK, InsertionListMatchesFullSort) {
  std::vector<float> w(37);
  for (size_t i = 0; i < w.size(); ++i) w[i] = static_cast<float>((i * 7) % 11) * 0.1f;  // ties and zeros
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<int32_t> order;
    for (int32_t j = 0; j < 37; ++j)
      if (w[j] > 0) order.push_back(j);
    std::stable_sort(order.begin(), order.end(), [&](int32_t a, int32_t b) { return w[a] > w[b]; });
    for (int64_t k : {1, 4, 9, 40}) {
      std::vector<int32_t> idx(k);
      std::vector<float> wt(k);
      const int64_t kept = focus::row_topk(w.data(), 37, k, idx.data(), wt.data());
      ASSERT_EQ(kept, std::min<int64_t>(k, static_cast<int64_t>(order.size())));
      for (int64_t j = 0; j < kept; ++j) EXPECT_EQ(idx[j], order[j]) << "k=" << k << " j=" << j;
    }
    std::reverse(w.begin(), w.end());
  }
}

TEST(AttentionDistance, PreviousTokenHeadHasDistanceOne) {
  const int64_t T = 6;
  focus::AttentionMap m{T, T, std::vector<float>(T * T, 0.0f)};
  m.at(0, 0) = 1;
  for (int64_t q = 1; q < T; ++q) m.at(q, q - 1) = 1;
  EXPECT_NEAR(focus::mean_attention_distance(m), 5.0 / 6.0, 1e-6);
}

TEST(Rollout, IdentityAttentionRollsOutToIdentityAndRowsSumToOne) {
  io::Trace t = fixture::self_trace(5, 3, 2);
  auto r = focus::attention_rollout(t, {0, 1, 2});
  for (int64_t q = 0; q < 5; ++q) {
    double s = 0;
    for (int64_t k = 0; k < 5; ++k) s += r.at(q, k);
    EXPECT_NEAR(s, 1.0, 1e-5);
    for (int64_t k = q + 1; k < 5; ++k) EXPECT_FLOAT_EQ(r.at(q, k), 0.0f);  // causal stays causal
  }
  // One layer of pure self-attention: rollout = rownorm(I + I) = I.
  io::Trace id = fixture::self_trace(3, 1, 1);
  for (int64_t q = 0; q < 3; ++q)
    for (int64_t k = 0; k < 3; ++k) id.layers[0].weights[q * 3 + k] = q == k ? 1.0f : 0.0f;
  auto r1 = focus::attention_rollout(id, {0});
  EXPECT_FLOAT_EQ(r1.at(2, 2), 1.0f);
  io::Trace bad = fixture::cross_trace(4, 3);
  EXPECT_THROW(focus::attention_rollout(bad, {0}), ShapeError);
}
