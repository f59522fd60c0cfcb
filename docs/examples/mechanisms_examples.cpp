// The code snippets of docs/MECHANISMS.md, compiled and run as tests (test_docs_mechanisms).
// Each snippet sits between "// [example:NAME]" and "// [/example]"; DocsMatch checks that
// docs/MECHANISMS.md quotes every snippet verbatim, so the document cannot drift from code that
// compiles.
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "attnscope/attention/alibi.h"
#include "attnscope/attention/entmax.h"
#include "attnscope/attention/hard.h"
#include "attnscope/attention/local.h"
#include "attnscope/attention/multi_head.h"
#include "attnscope/attention/rope.h"
#include "attnscope/attention/sentinel.h"
#include "attnscope/attention/soft.h"
#include "attnscope/attention/sparsemax.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"

using namespace attnscope;
using namespace attnscope::attention;

namespace {

TEST(MechanismExamples, Recorder) {
  Rng rng(0);
  Tensor x = Tensor::randn({1, 6, 32}, rng);
  // [example:recorder]
  MultiHeadAttention attn({.dim = 32, .num_heads = 4, .causal = true}, rng);
  Recorder rec(Keep::parse("topk:3"));          // or "dense", "stats"
  attn.set_recorder(&rec, "decoder.0.self");    // off (nullptr) by default: zero cost
  attn.forward(x);
  io::Trace trace = rec.to_trace(/*batch=*/0);  // one layer, 4 heads x 6 queries, top-3 per row
  // rec.write("run.attn.safetensors");         // the trace file every viewer reads
  // [/example]
  EXPECT_EQ(trace.layers.at(0).k, 3);
}

TEST(MechanismExamples, SoftAttention) {
  Rng rng(0);
  Tensor decoder = Tensor::randn({2, 4, 16}, rng), encoder = Tensor::randn({2, 7, 16}, rng);
  // [example:soft]
  SoftAttention bahdanau({.query_dim = 16, .key_dim = 16, .attn_dim = 32, .score = Score::additive}, rng);
  SoftAttention luong({.query_dim = 16, .key_dim = 16, .score = Score::general}, rng);
  AttentionResult r = bahdanau.forward(decoder, encoder, {}, {.key_lengths = {7, 5}});
  // r.context [2, 4, 16], r.weights [2, 4, 7]; padded keys of item 1 get exactly 0
  AttentionResult l = luong.forward(decoder, encoder);
  // [/example]
  EXPECT_EQ(r.weights.at({1, 0, 6}), 0.0);
  EXPECT_EQ(l.context.shape(), (Shape{2, 4, 16}));
}

TEST(MechanismExamples, MultiHead) {
  Rng rng(0);
  Tensor x = Tensor::randn({2, 8, 64}, rng);
  // [example:multi_head]
  MultiHeadAttention self_attn({.dim = 64, .num_heads = 8, .num_kv_heads = 2,  // grouped-query
                                .causal = true, .rope = true}, rng);
  Tensor y = self_attn.forward(x, {.key_lengths = {8, 5}}).context;  // [2, 8, 64], fused kernel
  // Incremental decoding: one position at a time, equal to the full recompute.
  KVCache cache;
  for (int64_t t = 0; t < 8; ++t) {
    Tensor step = ops::contiguous(ops::slice(x, 1, t, t + 1));
    Tensor out = self_attn.forward(step, {.cache = &cache}).context;  // [2, 1, 64]
  }
  // [/example]
  EXPECT_EQ(y.shape(), (Shape{2, 8, 64}));
  EXPECT_EQ(cache.length(), 8);
}

TEST(MechanismExamples, Hard) {
  Rng rng(0);
  Tensor q = Tensor::randn({4, 1, 8}, rng), keys = Tensor::randn({4, 6, 8}, rng);
  std::vector<double> reward = {1, 0, 1, 1};
  // [example:hard]
  HardAttention hard({.score = {.query_dim = 8, .key_dim = 8, .score = Score::general},
                      .mode = HardMode::sample}, rng);   // or gumbel, argmax, topk (.k)
  ReinforceBaseline baseline(0.9);
  AttentionResult r = hard.forward(q, keys);             // one-hot weights, r.extras["sample"]
  Tensor loss = reinforce_loss(r.extras["log_prob"], reward, baseline.value(),
                               r.extras["entropy"], /*entropy_bonus=*/0.01);
  autograd::backward(loss);
  baseline.update(0.75);                                 // mean reward of this batch
  hard.eval();                                           // inference: deterministic argmax
  // [/example]
  EXPECT_EQ(r.weights.shape(), (Shape{4, 1, 6}));
}

TEST(MechanismExamples, Local) {
  Rng rng(0);
  Tensor decoder = Tensor::randn({1, 3, 16}, rng), encoder = Tensor::randn({1, 20, 16}, rng);
  // [example:local]
  LocalAttention local({.align = {.query_dim = 16, .key_dim = 16, .score = Score::general},
                        .mode = LocalMode::predictive, .window = 4}, rng);   // local-p, D = 4
  AttentionResult r = local.forward(decoder, encoder);  // r.extras["centre"] [1, 3]
  MultiHeadAttention sliding({.dim = 16, .num_heads = 2, .causal = true, .window = 4}, rng);
  // [/example]
  EXPECT_EQ(r.weights.shape(), (Shape{1, 3, 20}));
}

TEST(MechanismExamples, Sparse) {
  // [example:sparse]
  Tensor s = Tensor::from({1.0f, 0.5f, -1.0f}, Shape{1, 3});
  Tensor p = sparsemax(s);   // [0.75, 0.25, 0] — an exact zero
  Tensor q = entmax15(s);    // between softmax and sparsemax
  MultiHeadConfig cfg{.dim = 32, .num_heads = 4, .normalizer = Normalizer::entmax15};
  // [/example]
  EXPECT_EQ(p.at({0, 2}), 0.0);
  EXPECT_NEAR(q.at({0, 0}) + q.at({0, 1}) + q.at({0, 2}), 1.0, 1e-6);
  EXPECT_EQ(cfg.num_heads, 4);
}

TEST(MechanismExamples, Biases) {
  Rng rng(0);
  Tensor src = Tensor::randn({1, 5, 16}, rng);
  // [example:biases]
  std::vector<float> slopes = alibi_slopes(8);  // 1/2, 1/4, ..., 1/256
  MultiHeadAttention alibi({.dim = 16, .num_heads = 2, .position_bias = PositionBias::alibi}, rng);
  MultiHeadAttention t5({.dim = 16, .num_heads = 2, .position_bias = PositionBias::relative,
                         .relative_buckets = 32, .relative_max_distance = 128}, rng);
  MultiHeadAttention sharp({.dim = 16, .num_heads = 2, .temperature = 0.5}, rng);
  // A guide: prefer the diagonal (monotone alignment), -|i - j| added to every head's scores.
  std::vector<float> g(25);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) g[i * 5 + j] = -1.0f * std::abs(i - j);
  AttentionResult r = alibi.forward(src, {.prior = Tensor::from(g, Shape{5, 5})});
  // with a recorder in dense mode the trace holds both the weights and extras["bias"]
  // [/example]
  EXPECT_FLOAT_EQ(slopes[7], 1.0f / 256);
}

TEST(MechanismExamples, Adaptive) {
  Rng rng(0);
  Tensor x = Tensor::randn({1, 10, 32}, rng);
  Tensor h = Tensor::randn({1, 3, 24}, rng), regions = Tensor::randn({1, 49, 32}, rng),
         sentinel_vec = Tensor::randn({1, 3, 32}, rng);
  // [example:adaptive]
  MultiHeadAttention span({.dim = 32, .num_heads = 4, .causal = true,
                           .adaptive_span = 64, .adaptive_span_ramp = 8}, rng);
  Tensor y = span.forward(x).context;
  Tensor penalty = span.adaptive_span()->penalty(/*lambda=*/2e-6);  // add to the loss
  SentinelAttention look({.hidden_dim = 24, .region_dim = 32}, rng);
  AttentionResult r = look.forward(h, regions, sentinel_vec);  // r.extras["beta"] [1, 3]
  // [/example]
  EXPECT_EQ(r.weights.shape(), (Shape{1, 3, 49}));
  EXPECT_EQ(penalty.numel(), 1);
}

TEST(MechanismExamples, Rope) {
  Rng rng(0);
  Tensor q = Tensor::randn({1, 4, 6, 16}, rng);
  // [example:rope]
  Tensor q_rot = rope(q, /*offset=*/0);  // interleaved pairs (LLaMA / llama2.c)
  Tensor q_hf = rope(q, 0, {.base = 10000, .pairing = RopePairing::half});  // Hugging Face layout
  // [/example]
  EXPECT_EQ(q_rot.shape(), q.shape());
  EXPECT_EQ(q_hf.shape(), q.shape());
}

TEST(MechanismExamples, DocsMatch) {
  auto slurp = [](const std::string& p) {
    std::ifstream f(p);
    std::stringstream s;
    s << f.rdbuf();
    return s.str();
  };
  const std::string src = slurp(std::string(ATTNSCOPE_SOURCE_DIR) + "/docs/examples/mechanisms_examples.cpp");
  const std::string doc = slurp(std::string(ATTNSCOPE_SOURCE_DIR) + "/docs/MECHANISMS.md");
  ASSERT_FALSE(doc.empty());
  int found = 0;
  for (size_t at = src.find("// [example:"); at != std::string::npos; at = src.find("// [example:", at + 1)) {
    const size_t body = src.find('\n', at) + 1, end = src.find("  // [/example]", body);
    if (src.compare(at - 2, 2, "  ") != 0) continue;  // only the markers inside tests, not this loop
    // Snippets are indented by two spaces in the test; the document quotes them unindented.
    std::string snippet;
    std::istringstream lines(src.substr(body, end - body));
    for (std::string line; std::getline(lines, line);) snippet += (line.rfind("  ", 0) == 0 ? line.substr(2) : line) + "\n";
    const std::string name = src.substr(at + 12, src.find(']', at) - at - 12);
    EXPECT_NE(doc.find(snippet), std::string::npos) << "docs/MECHANISMS.md does not quote example '" << name << "':\n" << snippet;
    ++found;
  }
  EXPECT_EQ(found, 9);
}

}  // namespace
