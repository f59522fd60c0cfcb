// focus::FocusSums / head_report: measures and roles on heads built to have them, and exact
// merges (shards in any order give the single run's bits).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "attnscope/core/error.h"
#include "attnscope/focus/head_stats.h"
#include "attnscope/focus/layer_stacks.h"
#include "attnscope/io/trace.h"

namespace attnscope::focus {
namespace {

using io::Trace;
using io::TraceLayer;

// A causal self-attention layer over `tokens` whose head h puts weight `w(h, q, k)` (then rows are
// normalized over k <= q).
template <class W>
Trace causal_trace(const std::vector<std::string>& tokens, int64_t heads, W w) {
  Trace t;
  t.sequences.push_back({"tokens", tokens});
  TraceLayer L;
  L.name = "l0";
  L.query_seq = L.key_seq = "tokens";
  L.heads = heads;
  const int64_t T = static_cast<int64_t>(tokens.size());
  L.queries = L.keys = T;
  L.weights.assign(heads * T * T, 0.0f);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t q = 0; q < T; ++q) {
      double sum = 0;
      for (int64_t k = 0; k <= q; ++k) sum += w(h, q, k);
      for (int64_t k = 0; k <= q; ++k) L.weights[(h * T + q) * T + k] = static_cast<float>(w(h, q, k) / sum);
    }
  t.layers.push_back(L);
  return t;
}

std::vector<std::string> repeated(int n) {
  std::vector<std::string> v = {"<s>"};
  for (int r = 0; r < 2; ++r)
    for (int i = 0; i < n; ++i) v.push_back("t" + std::to_string(i));
  return v;
}

TEST(HeadStats, RolesOfHeadsBuiltToHaveThem) {
  const auto tokens = repeated(6);  // <s> t0..t5 t0..t5
  const int64_t n = 6;
  // head 0: previous token; 1: sink (first token); 2: uniform (broad); 3: induction (second half
  // attends to the token after the earlier copy; first half to itself); 4: duplicate token; 5: positional -2
  const Trace t = causal_trace(tokens, 6, [&](int64_t h, int64_t q, int64_t k) -> double {
    const double eps = 1e-3;
    switch (h) {
      case 0: return k == q - 1 ? 1.0 : eps;
      case 1: return k == 0 ? 1.0 : eps;
      case 2: return 1.0;
      case 3: return (q > n ? k == q - n + 1 : k == q) ? 1.0 : eps;
      case 4: return (q > n ? k == q - n : k == q) ? 1.0 : eps;
      default: return k == q - 2 ? 1.0 : (q < 2 && k == 0 ? 1.0 : eps);
    }
  });
  FocusSums s;
  s.add(t);
  ASSERT_EQ(s.layers.size(), 1u);
  const auto& H = s.layers[0].heads;
  EXPECT_EQ(head_report(H[0]).role, "previous-token");
  EXPECT_GT(head_report(H[0]).prev_mass, 0.95);
  EXPECT_EQ(head_report(H[1]).role, "sink");
  EXPECT_EQ(head_report(H[2]).role, "broad");
  EXPECT_NEAR(head_report(H[2]).entropy_norm, 1.0, 1e-6);  // uniform over the visible keys
  EXPECT_EQ(head_report(H[3]).role, "induction");
  EXPECT_GT(head_report(H[3]).induction_mass, 0.95);
  EXPECT_EQ(head_report(H[4]).role, "duplicate-token");
  const HeadReport p = head_report(H[5]);
  EXPECT_EQ(p.role, "positional-2");
  EXPECT_EQ(p.best_offset, 2);
  // Causal row 0 sees one key and is not measured.
  EXPECT_EQ(H[0].rows, static_cast<int64_t>(tokens.size()) - 1);
  // Mean distance of the previous-token head is ~1.
  EXPECT_NEAR(head_report(H[0]).distance, 1.0, 0.05);
}

TEST(HeadStats, ShardsMergeToTheSingleRunExactly) {
  std::vector<Trace> traces;
  for (int i = 0; i < 7; ++i)
    traces.push_back(causal_trace(repeated(3 + i), 2, [&](int64_t h, int64_t q, int64_t k) {
      return 1.0 + std::sin(0.7 * (q + 1) * (k + 2) + h + i);  // irregular positive weights
    }));
  FocusSums all, even, odd;
  for (size_t i = 0; i < traces.size(); ++i) {
    all.add(traces[i]);
    (i % 2 ? odd : even).add(traces[i]);
  }
  FocusSums merged;
  merged.merge(odd);  // the other order on purpose
  merged.merge(even);
  EXPECT_EQ(to_json(merged), to_json(all));
  // Through the report's JSON, as `analyze merge` reads partials.
  FocusSums from;
  from.merge(sums_from_json(to_json(even)));
  from.merge(sums_from_json(to_json(odd)));
  EXPECT_EQ(to_json(from).dump(), to_json(all).dump());
}

// Rare-token (Voita et al. 2019's rare-words head): with corpus counts, a head that attends to the
// rarest visible token is named so; the same weights without counts have no rare measure, and
// uniform attention has a lift of 1. Shards with counts merge exactly, and partials written
// before the measure still merge.
TEST(HeadStats, RareTokenHeadNeedsCountsAndBeatsChance) {
  // No token repeats (that would make the rare head an induction head too).
  const std::vector<std::string> tokens = {"<s>", "the", "cat", "sat", "zebra", "on", "a", "mat"};
  const TokenCounts counts = {{"<s>", 100}, {"the", 500}, {"cat", 20}, {"sat", 30}, {"zebra", 1}, {"on", 200}, {"a", 300}, {"mat", 15}};
  auto rarest = [&](int64_t q) {  // position of the rarest token among 0..q
    int64_t best = 0;
    for (int64_t k = 1; k <= q; ++k)
      if (counts.at(tokens[k]) < counts.at(tokens[best])) best = k;
    return best;
  };
  const Trace t = causal_trace(tokens, 2, [&](int64_t h, int64_t q, int64_t k) -> double {
    return h == 0 ? (k == rarest(q) ? 1.0 : 1e-3) : 1.0;  // head 0: rare; head 1: uniform
  });
  FocusSums with, without;
  with.add(t, &counts);
  without.add(t);
  const HeadReport rare = head_report(with.layers[0].heads[0]), flat = head_report(with.layers[0].heads[1]);
  EXPECT_EQ(rare.role, "rare-token");
  EXPECT_GT(rare.rare_mass, 0.95);
  EXPECT_GT(rare.rare_lift, 2.0);
  EXPECT_NEAR(flat.rare_lift, 1.0, 1e-9);
  EXPECT_NE(flat.role, "rare-token");
  EXPECT_FALSE(head_report(without.layers[0].heads[0]).has_rare);
  EXPECT_NE(head_report(without.layers[0].heads[0]).role, "rare-token");
  const nlohmann::json j = to_json(with), none = to_json(without);
  EXPECT_TRUE(j["layers"][0]["heads"][0].contains("rare_lift"));
  EXPECT_FALSE(none["layers"][0]["heads"][0].contains("rare_mass"));
  // Exact merges with counts; an old partial (no rare sums) reads as zero rare rows.
  FocusSums a, b, merged;
  a.add(t, &counts);
  b.add(t, &counts);
  merged.merge(sums_from_json(to_json(a)));
  merged.merge(sums_from_json(to_json(b)));
  FocusSums both;
  both.add(t, &counts);
  both.add(t, &counts);
  EXPECT_EQ(to_json(merged), to_json(both));
  nlohmann::json old = to_json(without);
  for (auto& h : old["sums"]["layers"][0]["heads"]) h.erase("rare_rows"), h.erase("rare_mass"), h.erase("rare_chance");
  EXPECT_EQ(sums_from_json(old).layers[0].heads[0].rare_rows, 0);
}

// A top-k layer is measured from its kept entries (O(K) a row, not O(N)) with the very sums of
// the same rows scattered into a dense layer, bit for bit (issue 17: 8,000 top-k rows over a
// 2^20-key grid took 5 s of scattering into zeros).
TEST(HeadStats, TopKRowsGiveTheDenseRowsSumsAndCostOnlyWhatIsKept) {
  Trace dense = causal_trace(repeated(6), 2, [](int64_t h, int64_t q, int64_t k) {
    return 1.0 + std::sin(0.9 * (q + 1) * (k + 3) + h);
  });
  Trace topk = dense;
  TraceLayer& D = dense.layers[0];
  TraceLayer& K = topk.layers[0];
  K.keep = io::TraceKeep::topk;
  K.k = 3;
  K.weights.clear();
  const int64_t T = D.keys;
  for (int64_t r = 0; r < D.heads * D.queries; ++r) {
    // Three kept entries in an order that is not the key order, -1 padding for short rows.
    std::vector<std::pair<float, int32_t>> row;
    for (int64_t k = 0; k < T; ++k) row.push_back({D.weights[r * T + k], static_cast<int32_t>(k)});
    std::stable_sort(row.begin(), row.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (int64_t k = 0; k < T; ++k) D.weights[r * T + k] = 0.0f;
    for (int j = 0; j < 3; ++j) {
      const bool kept = row[j].first > 0;
      K.topk_index.push_back(kept ? row[j].second : -1);
      K.topk_weight.push_back(kept ? row[j].first : 0.0f);
      if (kept) D.weights[r * T + row[j].second] = row[j].first;
    }
  }
  FocusSums a, b;
  a.add(dense);
  b.add(topk);
  EXPECT_EQ(to_json(a).dump(), to_json(b).dump());

  // 2,000 rows over 2^20 keys: scattered, 2,000 x 4 MB of zeros to write and scan.
  Trace wide;
  wide.sequences.push_back({"q", std::vector<std::string>(2000, "x")});
  wide.sequences.push_back({"image", {}, 1024, 1024});
  TraceLayer W;
  W.name = "cross";
  W.query_seq = "q";
  W.key_seq = "image";
  W.queries = 2000;
  W.keys = int64_t{1} << 20;
  W.keep = io::TraceKeep::topk;
  W.k = 2;
  for (int32_t q = 0; q < 2000; ++q) {
    W.topk_index.insert(W.topk_index.end(), {q * 500, q * 500 + 7});
    W.topk_weight.insert(W.topk_weight.end(), {0.75f, 0.25f});
  }
  wide.layers.push_back(W);
  // (Speed is bench work, not a timed test; this checks the wide rows are measured at all.)
  FocusSums c;
  c.add(wide);
  EXPECT_EQ(c.layers[0].heads[0].rows, 2000);
  EXPECT_NEAR(head_report(c.layers[0].heads[0]).max_weight, 0.75, 1e-6);
}

TEST(HeadStats, BadInputIsRefused) {
  Trace t = causal_trace(repeated(2), 1, [](int64_t, int64_t, int64_t) { return 1.0; });
  FocusSums s;
  s.add(t);
  Trace other = t;
  other.layers[0].name = "renamed";
  EXPECT_THROW(s.add(other), ConfigError);  // a corpus must keep one model's layers
  Trace nan = t;
  nan.layers[0].weights[5] = std::nanf("");
  FocusSums s2;
  EXPECT_THROW(s2.add(nan), ValueError);
  EXPECT_THROW(sums_from_json(nlohmann::json{{"layers", 1}}), ConfigError);
  Trace empty;
  EXPECT_THROW(s2.add(empty), ConfigError);
}

TEST(HeadStats, CrossAttentionGetsShapeMeasuresOnly) {
  Trace t;
  t.sequences = {{"source", {"a", "b", "c"}}, {"target", {"x", "y"}}};
  TraceLayer L;
  L.name = "cross";
  L.query_seq = "target";
  L.key_seq = "source";
  L.heads = 1;
  L.queries = 2;
  L.keys = 3;
  L.weights = {0.8f, 0.1f, 0.1f, 0.1f, 0.1f, 0.8f};
  t.layers.push_back(L);
  FocusSums s;
  s.add(t);
  const HeadReport r = head_report(s.layers[0].heads[0]);
  EXPECT_EQ(r.role, "focused");
  EXPECT_NEAR(r.max_weight, 0.8, 1e-6);
  EXPECT_FALSE(s.layers[0].heads[0].self);
  const nlohmann::json j = to_json(s);
  EXPECT_FALSE(j["layers"][0]["heads"][0].contains("prev_mass"));
  EXPECT_TRUE(self_attention_stacks(t).empty());
}

TEST(LayerStacks, OneStackPerSelfAttendedSequence) {
  Trace t;
  t.sequences = {{"source", {"a", "b"}}, {"target", {"x", "y", "z"}}};
  auto layer = [](std::string name, std::string q, std::string k, int64_t Q, int64_t K) {
    TraceLayer L;
    L.name = std::move(name);
    L.query_seq = std::move(q);
    L.key_seq = std::move(k);
    L.queries = Q;
    L.keys = K;
    L.weights.assign(Q * K, 1.0f / K);
    return L;
  };
  t.layers = {layer("enc0", "source", "source", 2, 2), layer("dec0", "target", "target", 3, 3),
              layer("cross0", "target", "source", 3, 2), layer("enc1", "source", "source", 2, 2)};
  const auto st = self_attention_stacks(t);
  ASSERT_EQ(st.size(), 2u);
  EXPECT_EQ(st[0].sequence, "source");
  EXPECT_EQ(st[0].layers, (std::vector<int64_t>{0, 3}));
  EXPECT_EQ(st[1].sequence, "target");
  EXPECT_EQ(st[1].layers, (std::vector<int64_t>{1}));
}

}  // namespace
}  // namespace attnscope::focus
