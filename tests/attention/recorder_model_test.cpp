// The recorder end to end: a 2-layer model mixing three mechanisms (fused scaled-dot self-
// attention, sparsemax self-attention on the reference path, additive cross-attention decoded
// step by step) records every call with the right names and shapes in each keep mode; top-k
// keeps the same top-k as a dense record; the trace file round-trips through io/trace_io.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "attnscope/attention/multi_head.h"
#include "attnscope/attention/soft.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/io/trace_io.h"

namespace attnscope::attention {
namespace {

constexpr int64_t kB = 2, kT = 5, kC = 8, kSteps = 3;

struct TinyModel {
  Rng rng{77};
  MultiHeadAttention layer0{{.dim = kC, .num_heads = 2, .causal = true}, rng};
  MultiHeadAttention layer1{{.dim = kC, .num_heads = 2, .normalizer = Normalizer::sparsemax}, rng};
  SoftAttention cross{{.query_dim = kC, .key_dim = kC, .attn_dim = 6, .score = Score::additive}, rng};
  void attach(Recorder& rec) {
    layer0.set_recorder(&rec, "encoder.0.self");
    layer1.set_recorder(&rec, "encoder.1.self");
    cross.set_recorder(&rec, "decoder.cross");
  }
  void run(const Tensor& x, const Tensor& dec) {
    autograd::NoGrad ng;
    Tensor h = layer0.forward(x, {.key_lengths = {5, 3}}).context;
    h = layer1.forward(h, {.key_lengths = {5, 3}}).context;
    for (int64_t s = 0; s < kSteps; ++s)  // one decoder step at a time
      cross.forward(ops::contiguous(ops::slice(dec, 1, s, s + 1)), h, {}, {.key_lengths = {5, 3}, .query_offset = s});
  }
};

TEST(RecorderModel, EveryCallInEveryKeepMode) {
  Rng rng(1);
  Tensor x = Tensor::randn({kB, kT, kC}, rng), dec = Tensor::randn({kB, kSteps, kC}, rng);
  std::vector<io::Trace> traces;
  for (const char* mode : {"dense", "topk:2", "stats"}) {
    TinyModel m;
    Recorder rec(Keep::parse(mode));
    m.attach(rec);
    m.run(x, dec);
    ASSERT_EQ(rec.size(), 2u + kSteps) << mode;
    io::Trace tr = rec.to_trace(1);
    ASSERT_EQ(tr.layers.size(), 3u);
    const char* names[] = {"encoder.0.self", "encoder.1.self", "decoder.cross"};
    const char* mech[] = {"scaled_dot", "sparsemax", "additive"};
    const int64_t heads[] = {2, 2, 1}, queries[] = {kT, kT, kSteps};
    for (int l = 0; l < 3; ++l) {
      const io::TraceLayer& L = tr.layers[l];
      EXPECT_EQ(L.name, names[l]);
      EXPECT_EQ(L.mechanism, mech[l]);
      EXPECT_EQ(L.heads, heads[l]);
      EXPECT_EQ(L.queries, queries[l]);
      EXPECT_EQ(L.keys, kT);
      EXPECT_EQ(L.keep, Keep::parse(mode).mode);
      EXPECT_EQ(L.argmax.size(), static_cast<size_t>(heads[l] * queries[l]));
      if (L.keep == io::TraceKeep::dense) EXPECT_EQ(L.weights.size(), static_cast<size_t>(heads[l] * queries[l] * kT));
      else EXPECT_TRUE(L.weights.empty());
      if (L.keep == io::TraceKeep::topk) {
        EXPECT_EQ(L.topk_index.size(), static_cast<size_t>(heads[l] * queries[l] * 2));
      }
      // Batch item 1 has 3 valid keys: nothing recorded past them.
      for (int32_t a : L.argmax) EXPECT_LT(a, 3);
    }
    EXPECT_EQ(tr.meta.at("kind.encoder.1.self"), "sparse");
    EXPECT_NO_THROW(io::validate_trace(tr)) << mode;
    traces.push_back(std::move(tr));
  }
  // Top-k mode keeps the same top-k as the dense record; stats agree with dense.
  for (int l = 0; l < 3; ++l) {
    const io::TraceLayer &D = traces[0].layers[l], &K = traces[1].layers[l], &S = traces[2].layers[l];
    for (int64_t row = 0; row < D.heads * D.queries; ++row) {
      int32_t idx[2];
      float w[2];
      row_topk(D.weights.data() + row * D.keys, D.keys, 2, idx, w);
      for (int s = 0; s < 2; ++s) {
        EXPECT_EQ(K.topk_index[row * 2 + s], idx[s]) << D.name << " row " << row;
        EXPECT_NEAR(K.topk_weight[row * 2 + s], w[s], 1e-5);
      }
      EXPECT_EQ(S.argmax[row], D.argmax[row]);
      EXPECT_NEAR(S.entropy[row], D.entropy[row], 1e-4);
    }
  }
}

TEST(RecorderModel, OffByDefaultAndWritesTraceFiles) {
  Rng rng(2);
  Tensor x = Tensor::randn({kB, kT, kC}, rng), dec = Tensor::randn({kB, kSteps, kC}, rng);
  TinyModel m;
  EXPECT_EQ(m.layer0.recorder(), nullptr);
  m.run(x, dec);  // no recorder: nothing to check but that it runs
  Recorder rec(Keep::topk(3));
  rec.set_sequence({.name = "tokens", .tokens = {"the", "cat", "sat", "on", "mats"}});
  rec.set_sequence({.name = "target", .tokens = {"le", "chat", "s'est", "assis"}});
  m.attach(rec);
  m.run(x, dec);
  const std::string path = std::string(ATTNSCOPE_BINARY_DIR) + "/recorder_model_test.attn.safetensors";
  // The decoder recorded 3 of 4 target rows; the 4th is empty. Its key side is "source", which
  // no one named: synthesized as positions.
  rec.write(path, 0);
  io::Trace back = io::read_trace(path);
  ASSERT_EQ(back.layers.size(), 3u);
  EXPECT_EQ(back.layers[2].queries, 4);
  EXPECT_EQ(back.layers[2].argmax[3], -1);
  EXPECT_EQ(back.find_sequence("source")->tokens.size(), static_cast<size_t>(kT));
  EXPECT_EQ(back.layers[0].k, 3);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace attnscope::attention
