// focus/derived_layers: rollout and flow appended as one-head layers equal the functions that
// compute them, served by the viewer's API like any layer, and refused with one line where they
// cannot be computed.
#include <gtest/gtest.h>

#include "../viz/fixtures.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/attention_flow.h"
#include "attnscope/focus/derived_layers.h"
#include "attnscope/focus/rollout.h"

using namespace attnscope;

TEST(DerivedLayers, RolloutAndFlowBecomeLayers) {
  io::Trace t = fixture::self_trace(7, 3, 2, 4);
  const size_t before = t.layers.size();
  const std::vector<int64_t> stack = {0, 1, 2};
  const focus::AttentionMap r = focus::attention_rollout(t, stack), f = focus::attention_flow(t, stack);
  focus::add_derived_layers(t, true, true);
  ASSERT_EQ(t.layers.size(), before + 2);
  const io::TraceLayer& R = t.layers[before];
  const io::TraceLayer& F = t.layers[before + 1];
  EXPECT_EQ(R.mechanism, "rollout");
  EXPECT_EQ(F.mechanism, "flow");
  EXPECT_EQ(R.name, "rollout:" + t.layers[0].query_seq);
  EXPECT_EQ(R.heads, 1);
  EXPECT_EQ(R.queries, 7);
  EXPECT_EQ(R.keys, 7);
  EXPECT_EQ(R.weights, r.w);
  EXPECT_EQ(F.weights, f.w);
  // Derived layers are not self-attention of the model: a second call does not roll them out.
  focus::add_derived_layers(t, true, false);
  EXPECT_EQ(t.layers.size(), before + 3);
  EXPECT_EQ(t.layers.back().weights, r.w);
}

TEST(DerivedLayers, BadInputIsOneLine) {
  io::Trace cross = fixture::cross_trace(4, 3);
  EXPECT_THROW(focus::add_derived_layers(cross, true, false), ConfigError);
  io::Trace none = fixture::cross_trace(4, 3);
  focus::add_derived_layers(none, false, false);  // nothing asked: nothing done
  EXPECT_EQ(none.layers.size(), cross.layers.size());
  io::Trace big = fixture::self_trace(focus::kMaxDerivedFlowTokens + 1, 1, 1, 3);
  try {
    focus::add_derived_layers(big, false, true);
    ADD_FAILURE();
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("--query"), std::string::npos) << e.what();
  }
}
