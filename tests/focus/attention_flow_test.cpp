// Rollout and attention flow (focus/rollout.h, focus/attention_flow.h) against an independent
// reference (tests/focus/flow_reference.py: numpy rollout, networkx max flow on the full layered
// graph) on small random cases, plus properties that hold without Python.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

#include "../viz/fixtures.h"
#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/focus/attention_flow.h"
#include "attnscope/focus/head_fusion.h"
#include "attnscope/focus/max_flow.h"
#include "attnscope/focus/residual_attention.h"
#include "attnscope/focus/rollout.h"

using namespace attnscope;

namespace {

std::vector<int64_t> all_layers(const io::Trace& t) {
  std::vector<int64_t> l;
  for (size_t i = 0; i < t.layers.size(); ++i) l.push_back(static_cast<int64_t>(i));
  return l;
}

focus::AttentionMap square(int64_t T, std::vector<float> w) { return {T, T, std::move(w)}; }

focus::AttentionMap identity(int64_t T) {
  focus::AttentionMap m{T, T, std::vector<float>(static_cast<size_t>(T * T), 0.0f)};
  for (int64_t i = 0; i < T; ++i) m.at(i, i) = 1.0f;
  return m;
}

struct Reference {
  std::vector<double> rollout, flow;  // [T, T] each
};

// Runs flow_reference.py on the dense weights of `t` (every layer, every head).
Reference run_reference(const io::Trace& t, focus::HeadFusion fusion) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("attnscope_flow_ref_" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) + "_" +
                    ::testing::UnitTest::GetInstance()->current_test_info()->name());
  std::filesystem::create_directories(dir);
  const auto in = dir / "in.txt", out = dir / "out.txt";
  {
    std::ofstream f(in);
    const auto& L0 = t.layers[0];
    f << t.layers.size() << " " << L0.heads << " " << L0.keys << " " << focus::fusion_name(fusion) << "\n";
    f.precision(9);  // exact round trip of float
    for (const auto& L : t.layers)
      for (float v : L.weights) f << v << " ";
  }
  const std::string cmd = "/usr/bin/python3 " ATTNSCOPE_SOURCE_DIR "/tests/focus/flow_reference.py " + in.string() +
                          " " + out.string();
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  Reference r;
  std::ifstream f(out);
  std::string name, line;
  while (f >> name && std::getline(f >> std::ws, line)) {
    std::istringstream s(line);
    auto& dst = name == "rollout" ? r.rollout : r.flow;
    for (double v; s >> v;) dst.push_back(v);
  }
  std::filesystem::remove_all(dir);
  return r;
}

bool have_networkx() {
  return std::system("/usr/bin/python3 -c 'import networkx, numpy' >/dev/null 2>&1") == 0;
}

void expect_near(const focus::AttentionMap& m, const std::vector<double>& ref, double tol, const std::string& what) {
  ASSERT_EQ(static_cast<size_t>(m.rows * m.cols), ref.size()) << what;
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c)
      EXPECT_NEAR(m.at(r, c), ref[static_cast<size_t>(r * m.cols + c)], tol) << what << " (" << r << ", " << c << ")";
}

}  // namespace

TEST(AttentionFlow, MatchesNetworkxReferenceOnRandomCases) {
  if (!have_networkx())
    GTEST_SKIP() << "/usr/bin/python3 with networkx and numpy not found (apt-get install python3-networkx): "
                    "reference comparison skipped";
  struct Case {
    int64_t T, layers, heads;
    uint64_t seed;
    bool causal;
    focus::HeadFusion fusion;
    double sharpness;
  };
  const Case cases[] = {{5, 3, 2, 1, true, focus::HeadFusion::mean, 2.0},
                        {6, 2, 3, 2, false, focus::HeadFusion::max, 2.0},
                        {4, 4, 2, 3, true, focus::HeadFusion::min, 1.0},
                        {7, 3, 4, 4, false, focus::HeadFusion::mean, 3.0},
                        {8, 5, 2, 5, true, focus::HeadFusion::max, 4.0},
                        {1, 2, 1, 6, true, focus::HeadFusion::mean, 1.0}};
  for (const Case& c : cases) {
    const io::Trace t = fixture::self_trace(c.T, c.layers, c.heads, c.seed, c.causal, c.sharpness);
    const std::string what = "T=" + std::to_string(c.T) + " L=" + std::to_string(c.layers) + " " +
                             focus::fusion_name(c.fusion) + (c.causal ? " causal" : " bidirectional");
    const Reference ref = run_reference(t, c.fusion);
    expect_near(focus::attention_rollout(t, all_layers(t), c.fusion), ref.rollout, 1e-6, "rollout " + what);
    expect_near(focus::attention_flow(t, all_layers(t), c.fusion), ref.flow, 1e-6, "flow " + what);
    for (int64_t q = 0; q < c.T; ++q) {
      const auto row = focus::attention_flow_row(t, all_layers(t), q, c.fusion);
      ASSERT_EQ(row.rows, 1);
      expect_near(row, std::vector<double>(ref.flow.begin() + q * c.T, ref.flow.begin() + (q + 1) * c.T), 1e-6,
                  "flow row " + std::to_string(q) + " " + what);
    }
  }
}

TEST(AttentionFlow, HandComputedTwoLayerCaseDiffersFromRollout) {
  // Both layers: token 0 attends to itself, token 1 to token 0. Â = rownorm(W + I) = [[1, 0], [.5, .5]].
  const auto w = square(2, {1, 0, 1, 0});
  const std::vector<focus::AttentionMap> stack{w, w};
  // From (2, 1): to (0, 0) via (1, 0) carries .5 and via (1, 1) carries min(.5, .5) = .5, total 1;
  // to (0, 1) only via (1, 1): .5. Row [1, .5] normalized: [2/3, 1/3].
  const auto f = focus::attention_flow(stack);
  EXPECT_NEAR(f.at(1, 0), 2.0 / 3.0, 1e-7);
  EXPECT_NEAR(f.at(1, 1), 1.0 / 3.0, 1e-7);
  EXPECT_NEAR(f.at(0, 0), 1.0, 1e-7);
  EXPECT_EQ(f.at(0, 1), 0.0f);
  // Rollout sums path products instead: .5 * [1, 0] + .5 * [.5, .5] = [.75, .25].
  const auto r = focus::attention_rollout(stack);
  EXPECT_NEAR(r.at(1, 0), 0.75, 1e-7);
  EXPECT_NEAR(r.at(1, 1), 0.25, 1e-7);
}

TEST(AttentionFlow, RowsSumToOneAndCausalFlowNeverLooksAhead) {
  const io::Trace t = fixture::self_trace(24, 5, 3, 11, /*causal=*/true);
  const auto f = focus::attention_flow(t, all_layers(t));
  const auto r = focus::attention_rollout(t, all_layers(t));
  for (int64_t i = 0; i < 24; ++i) {
    double sf = 0, sr = 0;
    for (int64_t j = 0; j < 24; ++j) {
      sf += f.at(i, j);
      sr += r.at(i, j);
      if (j > i) {
        EXPECT_EQ(f.at(i, j), 0.0f) << i << " " << j;
        EXPECT_EQ(r.at(i, j), 0.0f) << i << " " << j;
      } else {
        EXPECT_GT(f.at(i, j), 0.0f) << i << " " << j;  // every earlier token reaches i
      }
    }
    EXPECT_NEAR(sf, 1.0, 1e-6) << "flow row " << i;
    EXPECT_NEAR(sr, 1.0, 1e-6) << "rollout row " << i;
  }
}

TEST(AttentionFlow, IdentityAttentionFlowsStraightDown) {
  const std::vector<focus::AttentionMap> stack(4, identity(6));
  const auto f = focus::attention_flow(stack);
  const auto r = focus::attention_rollout(stack);
  for (int64_t i = 0; i < 6; ++i)
    for (int64_t j = 0; j < 6; ++j) {
      EXPECT_EQ(f.at(i, j), i == j ? 1.0f : 0.0f) << i << " " << j;
      EXPECT_EQ(r.at(i, j), i == j ? 1.0f : 0.0f) << i << " " << j;
    }
}

TEST(AttentionFlow, OneLayerFlowIsTheResidualAttention) {
  // One layer: the only path i -> j is the edge itself, so flow = Â, whose rows already sum to 1.
  for (bool causal : {true, false}) {
    const io::Trace t = fixture::self_trace(9, 1, 3, 21, causal);
    const auto stack = focus::fused_layers(t, {0}, focus::HeadFusion::max);
    const std::vector<double> a = focus::residual_attention(stack[0]);
    const auto f = focus::attention_flow(stack);
    const auto r = focus::attention_rollout(stack);
    for (int64_t i = 0; i < 9; ++i)
      for (int64_t j = 0; j < 9; ++j) {
        EXPECT_NEAR(f.at(i, j), a[static_cast<size_t>(i * 9 + j)], 1e-6) << i << " " << j;
        EXPECT_NEAR(r.at(i, j), a[static_cast<size_t>(i * 9 + j)], 1e-6) << i << " " << j;
      }
  }
}

TEST(AttentionFlow, RowMatchesFullMatrixAndThreadCountDoesNotMatter) {
  const io::Trace t = fixture::self_trace(40, 6, 4, 5, /*causal=*/false);
  const auto stack = focus::fused_layers(t, all_layers(t), focus::HeadFusion::mean);
  const int before = num_threads();
  set_num_threads(1);
  const auto one = focus::attention_flow(stack);
  set_num_threads(2);
  const auto two = focus::attention_flow(stack);
  set_num_threads(before);
  EXPECT_EQ(one.w, two.w);  // bit-identical: each pair is solved the same way on any thread
  for (int64_t q : {0, 17, 39}) {
    const auto row = focus::attention_flow_row(stack, q);
    ASSERT_EQ(row.cols, 40);
    for (int64_t j = 0; j < 40; ++j) EXPECT_EQ(row.at(0, j), one.at(q, j)) << q << " " << j;
  }
}

TEST(HeadFusion, MaxAndMinTakeTheExtremeHeadPerWeight) {
  const io::Trace t = fixture::self_trace(5, 1, 3, 9);
  const auto& L = t.layers[0];
  const auto mx = focus::fuse_heads(L, focus::HeadFusion::max);
  const auto mn = focus::fuse_heads(L, focus::HeadFusion::min);
  for (int64_t q = 0; q < 5; ++q)
    for (int64_t k = 0; k < 5; ++k) {
      const float a = L.weights[(0 * 5 + q) * 5 + k], b = L.weights[(1 * 5 + q) * 5 + k],
                  c = L.weights[(2 * 5 + q) * 5 + k];
      EXPECT_EQ(mx.at(q, k), std::max({a, b, c}));
      EXPECT_EQ(mn.at(q, k), std::min({a, b, c}));
    }
  EXPECT_STREQ(focus::fusion_name(focus::HeadFusion::min), "min");
}

TEST(AttentionFlow, BadInputIsOneClearError) {
  const io::Trace cross = fixture::cross_trace(4, 3);
  EXPECT_THROW(focus::attention_flow(cross, {0}), ShapeError);
  EXPECT_THROW(focus::attention_rollout(cross, {0}), ShapeError);
  io::Trace mixed = fixture::self_trace(4, 1, 2);
  mixed.layers.push_back(fixture::self_layer("longer", 2, 5, 3));
  EXPECT_THROW(focus::attention_flow_row(mixed, {0, 1}, 0), ShapeError);
  EXPECT_THROW(focus::attention_flow(std::vector<focus::AttentionMap>{{2, 3, std::vector<float>(6, 0.1f)}}),
               ShapeError);
  io::Trace nan = fixture::self_trace(4, 2, 2);
  nan.layers[1].weights[5] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_THROW(focus::attention_flow(nan, {0, 1}, focus::HeadFusion::max), ValueError);
  EXPECT_THROW(focus::attention_rollout(nan, {0, 1}), ValueError);
  EXPECT_THROW(focus::attention_flow(std::vector<focus::AttentionMap>{square(2, {1, -0.5f, 0, 1})}), ValueError);
  EXPECT_THROW(focus::attention_flow(nan, {}), ConfigError);
  EXPECT_THROW(focus::attention_flow(nan, {2}), ConfigError);
  EXPECT_THROW(focus::attention_flow_row(nan, {0}, 4), ConfigError);
  EXPECT_THROW(focus::attention_flow(std::vector<focus::AttentionMap>{}), ConfigError);
  try {
    focus::attention_flow(cross, {0});
  } catch (const ShapeError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("cross-attention"), std::string::npos) << msg;
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
  }
}

TEST(MaxFlow, SolvesTheTextbookNetworkAndIsReusable) {
  // CLRS figure 26.1: maximum flow 23.
  focus::MaxFlow mf;
  for (int round = 0; round < 2; ++round) {
    mf.clear(6);
    const int e[][3] = {{0, 1, 16}, {0, 2, 13}, {1, 3, 12}, {2, 1, 4}, {2, 4, 14},
                        {3, 2, 9},  {3, 5, 20}, {4, 3, 7},  {4, 5, 4}};
    for (const auto& x : e) mf.add_edge(x[0], x[1], x[2] / 10.0);
    EXPECT_NEAR(mf.solve(0, 5), 2.3, 1e-12);
  }
  mf.clear(3);
  mf.add_edge(0, 1, 0.5);
  EXPECT_EQ(mf.solve(0, 2), 0.0);  // no path
}
