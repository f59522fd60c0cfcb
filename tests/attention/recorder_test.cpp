// Recorder unit tests: keep modes, row statistics, top-k order, merging of decoding steps,
// extras, and bad input. The end-to-end recording of a model is in recorder_model_test.cpp.
#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/attention/recorder.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {
namespace {

TEST(Recorder, KeepParse) {
  EXPECT_EQ(Keep::parse("dense").mode, io::TraceKeep::dense);
  EXPECT_EQ(Keep::parse("stats").mode, io::TraceKeep::stats);
  Keep k = Keep::parse("topk:5");
  EXPECT_EQ(k.mode, io::TraceKeep::topk);
  EXPECT_EQ(k.k, 5);
  EXPECT_EQ(k.str(), "topk:5");
  EXPECT_THROW(Keep::parse("topk:0"), ConfigError);
  EXPECT_THROW(Keep::parse("topk:x"), ConfigError);
  EXPECT_THROW(Keep::parse("all"), ConfigError);
  // Additions after the mode: the neuron view's vectors and next-token candidates.
  Keep a = Keep::parse("topk:3,qk,next:5");
  EXPECT_EQ(a.mode, io::TraceKeep::topk);
  EXPECT_EQ(a.k, 3);
  EXPECT_TRUE(a.qk);
  EXPECT_EQ(a.next, 5);
  EXPECT_EQ(a.str(), "topk:3,qk,next:5");
  EXPECT_EQ(Keep::parse(a.str()).str(), a.str());
  Keep b = Keep::parse("qk");
  EXPECT_EQ(b.mode, io::TraceKeep::dense);
  EXPECT_TRUE(b.qk);
  EXPECT_EQ(b.next, 0);
  EXPECT_FALSE(Keep::parse("dense").qk);
  for (const char* s : {"dense,", ",qk", "qk,dense", "dense,stats", "dense,qk,qk", "next:0", "next:", "dense,next:2,next:3", "dense,kq"})
    EXPECT_THROW(Keep::parse(s), ConfigError) << s;
}

TEST(Recorder, RowStatsAndTopk) {
  const float w[5] = {0.1f, 0.4f, 0.f, 0.4f, 0.1f};
  float h, m;
  int32_t am;
  row_stats(w, 5, &h, &m, &am);
  EXPECT_NEAR(h, -(2 * 0.1 * std::log(0.1) + 2 * 0.4 * std::log(0.4)), 1e-6);
  EXPECT_FLOAT_EQ(m, 0.4f);
  EXPECT_EQ(am, 1);
  int32_t idx[6];
  float tw[6];
  row_topk(w, 5, 6, idx, tw);
  EXPECT_EQ(idx[0], 1); EXPECT_EQ(idx[1], 3); EXPECT_EQ(idx[2], 0); EXPECT_EQ(idx[3], 4);
  EXPECT_EQ(idx[4], -1); EXPECT_EQ(idx[5], -1);  // the zero weight and padding are not kept
  EXPECT_FLOAT_EQ(tw[4], 0.f);
  row_topk(w, 5, 1, idx, tw);
  EXPECT_EQ(idx[0], 1);
}

TEST(Recorder, OffByPauseAndModes) {
  Tensor w = Tensor::from({0.5f, 0.5f, 0.f, 1.f, 0.f, 0.f}, Shape{2, 3});
  Recorder dense;
  dense.set_paused(true);
  dense.record({.name = "a", .mechanism = "scaled_dot"}, w);
  EXPECT_EQ(dense.size(), 0u);
  dense.set_paused(false);
  dense.record({.name = "a", .mechanism = "scaled_dot"}, w);
  ASSERT_EQ(dense.size(), 1u);
  EXPECT_EQ(dense.records()[0].dense.size(), 6u);
  Recorder stats(Keep::stats());
  stats.record({.name = "a", .mechanism = "scaled_dot"}, w);
  EXPECT_TRUE(stats.records()[0].dense.empty());
  EXPECT_EQ(stats.records()[0].argmax[1], 0);
  io::Trace tr = stats.to_trace();
  ASSERT_EQ(tr.layers.size(), 1u);
  EXPECT_EQ(tr.layers[0].keep, io::TraceKeep::stats);
  EXPECT_TRUE(tr.layers[0].weights.empty());
  EXPECT_FLOAT_EQ(tr.layers[0].max_weight[0], 0.5f);
}

TEST(Recorder, StepsMergeIntoOneLayer) {
  // Three decoding steps of a causal head: step s has one query row over s + 1 keys.
  Recorder rec;
  for (int s = 0; s < 3; ++s) {
    std::vector<float> row(s + 1, 1.f / (s + 1));
    Extras ex;
    ex["beta"] = Extra::of(Tensor::from(std::vector<float>{0.25f * s}, Shape{1, 1}), true, 0);
    rec.record({.name = "dec", .mechanism = "scaled_dot", .query_offset = s},
               Tensor::from(row, Shape{1, 1, 1, s + 1}), ex);
  }
  io::Trace tr = rec.to_trace();
  ASSERT_EQ(tr.layers.size(), 1u);
  const auto& L = tr.layers[0];
  EXPECT_EQ(L.queries, 3);
  EXPECT_EQ(L.keys, 3);
  EXPECT_FLOAT_EQ(L.weights[0 * 3 + 0], 1.f);
  EXPECT_FLOAT_EQ(L.weights[0 * 3 + 1], 0.f);
  EXPECT_FLOAT_EQ(L.weights[2 * 3 + 2], 1.f / 3);
  ASSERT_EQ(L.extras.at("beta").shape, (std::vector<int64_t>{3}));
  EXPECT_FLOAT_EQ(L.extras.at("beta").values[2], 0.5f);
}

TEST(Recorder, RejectsBadWeights) {
  Recorder rec;
  Tensor nan = Tensor::from({0.5f, NAN}, Shape{1, 2});
  try {
    rec.record({.name = "layer0", .mechanism = "additive"}, nan);
    FAIL() << "expected ValueError";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("layer0"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("non-finite"), std::string::npos);
  }
  EXPECT_THROW(rec.record({.name = "x"}, Tensor::zeros(Shape{5})), ShapeError);
  rec.record({.name = "x"}, Tensor::full(Shape{1, 2, 3, 4}, 0.25));
  EXPECT_THROW(rec.to_trace(2), ConfigError);
}

TEST(Recorder, OpenFinishCaptureSeam) {
  Recorder rec(Keep::topk(2));
  Record& r = rec.open({.name = "k"}, 1, 1, 1, 3);
  ASSERT_EQ(r.topk_index.size(), 2u);
  r.topk_index = {2, 0};
  r.topk_weight = {0.7f, 0.2f};
  rec.finish(r);
  EXPECT_EQ(r.argmax[0], 2);
  EXPECT_FLOAT_EQ(r.max_weight[0], 0.7f);
}

}  // namespace
}  // namespace attnscope::attention
