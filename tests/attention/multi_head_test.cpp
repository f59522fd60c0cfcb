// MultiHeadAttention: KV-cache decoding equals the full recompute (with RoPE, GQA, ALiBi and the
// learned relative bias), padding invariance (variable lengths in a batch), cross-attention,
// the prior's effect visible in the recording, parameter names, and bad input.
#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/attention/multi_head.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {
namespace {

double max_diff(const Tensor& a, const Tensor& b) {
  EXPECT_EQ(a.shape(), b.shape());
  const auto x = a.to_vector_f64(), y = b.to_vector_f64();
  double w = 0;
  for (size_t i = 0; i < x.size(); ++i) w = std::max(w, std::abs(x[i] - y[i]));
  return w;
}

struct CacheVariant {
  const char* name;
  int64_t kv_heads;
  bool rope;
  PositionBias bias;
  Backend backend;
};

class KVCacheDecoding : public ::testing::TestWithParam<CacheVariant> {};

TEST_P(KVCacheDecoding, EqualsFullRecompute) {
  const CacheVariant& var = GetParam();
  Rng rng(21);
  MultiHeadConfig cfg{.dim = 16, .num_heads = 4, .num_kv_heads = var.kv_heads, .causal = true, .rope = var.rope,
                      .position_bias = var.bias, .backend = var.backend};
  MultiHeadAttention mha(cfg, rng);
  const int64_t B = 2, T = 7;
  Tensor x = Tensor::randn({B, T, 16}, rng);
  autograd::NoGrad ng;
  Recorder full_rec, step_rec;
  mha.set_recorder(&full_rec, "self");
  Tensor full = mha.forward(x).context;  // [B, T, C]
  mha.set_recorder(&step_rec, "self");
  KVCache cache;
  // Prefill 3 positions, then one token at a time.
  std::vector<Tensor> parts;
  parts.push_back(mha.forward(ops::contiguous(ops::slice(x, 1, 0, 3)), {.cache = &cache}).context);
  for (int64_t t = 3; t < T; ++t)
    parts.push_back(mha.forward(ops::contiguous(ops::slice(x, 1, t, t + 1)), {.cache = &cache}).context);
  EXPECT_EQ(cache.length(), T);
  EXPECT_LT(max_diff(ops::concat(parts, 1), full), 2e-5) << var.name;
  // The step-by-step recording merges into the same trace as the full forward.
  io::Trace a = full_rec.to_trace(1), b = step_rec.to_trace(1);
  ASSERT_EQ(b.layers.size(), 1u);
  EXPECT_EQ(b.layers[0].queries, T);
  EXPECT_EQ(b.layers[0].keys, T);
  ASSERT_EQ(a.layers[0].weights.size(), b.layers[0].weights.size());
  for (size_t i = 0; i < a.layers[0].weights.size(); ++i) EXPECT_NEAR(a.layers[0].weights[i], b.layers[0].weights[i], 2e-5);
}

INSTANTIATE_TEST_SUITE_P(
    MultiHead, KVCacheDecoding,
    ::testing::Values(CacheVariant{"plain", 4, false, PositionBias::none, Backend::automatic},
                      CacheVariant{"gqa_rope", 2, true, PositionBias::none, Backend::automatic},
                      CacheVariant{"alibi", 4, false, PositionBias::alibi, Backend::automatic},
                      CacheVariant{"relative_reference", 1, false, PositionBias::relative, Backend::reference},
                      CacheVariant{"gqa_rope_reference", 2, true, PositionBias::none, Backend::reference}),
    [](const auto& info) { return std::string(info.param.name); });

TEST(MultiHead, PaddingInvariance) {
  // A short sequence padded in a batch gives the same outputs on its valid rows as alone.
  Rng rng(4);
  MultiHeadAttention mha({.dim = 12, .num_heads = 3}, rng);
  Tensor x = Tensor::randn({2, 6, 12}, rng);
  AttentionResult batched = mha.forward(x, {.key_lengths = {6, 4}, .need_weights = true});
  Tensor alone_x = ops::contiguous(ops::slice(ops::slice(x, 0, 1, 2), 1, 0, 4));
  AttentionResult alone = mha.forward(alone_x);
  Tensor valid = ops::slice(ops::slice(batched.context, 0, 1, 2), 1, 0, 4);
  EXPECT_LT(max_diff(ops::contiguous(valid), alone.context), 1e-5);
  for (int64_t h = 0; h < 3; ++h)
    for (int64_t i = 0; i < 6; ++i)
      for (int64_t j = 4; j < 6; ++j) EXPECT_EQ(batched.weights.at({1, h, i, j}), 0.0);  // padded keys
}

TEST(MultiHead, CrossAttentionWithStaticCache) {
  Rng rng(8);
  MultiHeadAttention mha({.dim = 8, .num_heads = 2, .kv_dim = 10}, rng);
  Tensor x = Tensor::randn({1, 3, 8}, rng), mem = Tensor::randn({1, 5, 10}, rng);
  autograd::NoGrad ng;
  AttentionResult full = mha.forward(x, mem, {.need_weights = true});
  EXPECT_EQ(full.context.shape(), (Shape{1, 3, 8}));
  EXPECT_EQ(full.weights.shape(), (Shape{1, 2, 3, 5}));
  KVCache cache;
  std::vector<Tensor> rows;
  for (int64_t t = 0; t < 3; ++t)
    rows.push_back(mha.forward(ops::contiguous(ops::slice(x, 1, t, t + 1)), mem, {.cache = &cache, .query_offset = t}).context);
  EXPECT_EQ(cache.length(), 5);  // filled once
  EXPECT_LT(max_diff(ops::concat(rows, 1), full.context), 1e-5);
}

TEST(MultiHead, PriorShowsInRecordedWeights) {
  // A "prefer the diagonal" guide: -2 |i - j|. With it the diagonal weight rises, and the
  // recording carries both the weights and the bias that produced them.
  Rng rng(6);
  MultiHeadAttention mha({.dim = 8, .num_heads = 2}, rng);
  Tensor x = Tensor::randn({1, 5, 8}, rng);
  std::vector<float> guide(25);
  for (int i = 0; i < 5; ++i)
    for (int j = 0; j < 5; ++j) guide[i * 5 + j] = -2.0f * std::abs(i - j);
  Tensor prior = Tensor::from(guide, Shape{5, 5});
  Recorder plain, guided;
  mha.set_recorder(&plain, "enc.0.self");
  mha.forward(x);
  mha.set_recorder(&guided, "enc.0.self");
  mha.forward(x, {.prior = prior});
  const io::Trace ta = plain.to_trace(), tb = guided.to_trace();
  const auto& a = ta.layers[0];
  const auto& b = tb.layers[0];
  double diag_a = 0, diag_b = 0;
  for (int h = 0; h < 2; ++h)
    for (int i = 0; i < 5; ++i) {
      diag_a += a.weights[(h * 5 + i) * 5 + i];
      diag_b += b.weights[(h * 5 + i) * 5 + i];
    }
  EXPECT_GT(diag_b, diag_a + 1.0);
  ASSERT_TRUE(b.extras.count("bias"));
  EXPECT_EQ(b.extras.at("bias").shape, (std::vector<int64_t>{2, 5, 5}));
  EXPECT_FLOAT_EQ(b.extras.at("bias").values[1 * 25 + 0 * 5 + 3], -6.0f);
  EXPECT_FALSE(a.extras.count("bias"));
}

TEST(MultiHead, ParameterNamesAndGradients) {
  Rng rng(1);
  MultiHeadAttention mha({.dim = 8, .num_heads = 2, .num_kv_heads = 1, .position_bias = PositionBias::relative}, rng);
  std::vector<std::string> names;
  for (const auto& [n, t] : mha.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"q_proj.weight", "q_proj.bias", "k_proj.weight", "k_proj.bias", "v_proj.weight",
                                             "v_proj.bias", "o_proj.weight", "o_proj.bias", "relative_bias.embedding"}));
  EXPECT_EQ(mha.k_proj().weight().shape(), (Shape{4, 8}));  // one kv head of size 4
  Tensor x = Tensor::randn({2, 3, 8}, rng);
  autograd::backward(ops::sum(mha.forward(x).context));
  for (const auto& [n, t] : mha.named_parameters()) {
    ASSERT_TRUE(t.grad().defined()) << n;
    double norm = 0;
    for (double g : t.grad().to_vector_f64()) norm += g * g;
    EXPECT_GT(norm, 0) << n;
  }
}

TEST(MultiHead, BadInput) {
  Rng rng(1);
  EXPECT_THROW(MultiHeadAttention({.dim = 10, .num_heads = 3}, rng), ConfigError);
  EXPECT_THROW(MultiHeadAttention({.dim = 8, .num_heads = 4, .num_kv_heads = 3}, rng), ConfigError);
  MultiHeadAttention mha({.dim = 8, .num_heads = 2}, rng);
  try {
    mha.forward(Tensor::zeros({1, 3, 7}));
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("multi_head"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("[1, 3, 7]"), std::string::npos);
  }
  EXPECT_THROW(mha.forward(Tensor::zeros({1, 3, 8}), {.mask = Tensor::zeros({4, 4})}), ShapeError);
  EXPECT_THROW(mha.forward(Tensor::zeros({2, 3, 8}), {.key_lengths = {3}}), ShapeError);
  EXPECT_THROW(mha.forward(Tensor::zeros({1, 3, 8}), Tensor::zeros({2, 4, 8})), ShapeError);
}

}  // namespace
}  // namespace attnscope::attention
