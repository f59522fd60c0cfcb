// Properties of the memory-attention mechanisms: soft scores (Bahdanau, Luong), local-p/m,
// visual sentinel, adaptive span, and bad input naming the mechanism and shapes.
#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/attention/local.h"
#include "attnscope/attention/multi_head.h"
#include "attnscope/attention/sentinel.h"
#include "attnscope/attention/soft.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {
namespace {

TEST(SoftAttention, EveryScoreSumsToOneOverValidKeys) {
  Rng rng(1);
  Tensor q = Tensor::randn({2, 3, 6}, rng), k = Tensor::randn({2, 5, 6}, rng), v = Tensor::randn({2, 5, 4}, rng);
  for (Score s : {Score::additive, Score::concat, Score::dot, Score::general, Score::scaled_dot})
    for (Normalizer n : {Normalizer::softmax, Normalizer::sparsemax, Normalizer::entmax15}) {
      SoftAttention att({.query_dim = 6, .key_dim = 6, .attn_dim = 7, .score = s, .normalizer = n}, rng);
      AttentionResult r = att.forward(q, k, v, {.key_lengths = {5, 2}});
      ASSERT_EQ(r.weights.shape(), (Shape{2, 3, 5}));
      ASSERT_EQ(r.context.shape(), (Shape{2, 3, 4}));
      for (int64_t b = 0; b < 2; ++b)
        for (int64_t t = 0; t < 3; ++t) {
          double sum = 0;
          for (int64_t j = 0; j < 5; ++j) sum += r.weights.at({b, t, j});
          EXPECT_NEAR(sum, 1.0, 1e-5) << score_name(s);
          if (b == 1) {
            for (int64_t j = 2; j < 5; ++j) EXPECT_EQ(r.weights.at({b, t, j}), 0.0) << score_name(s);
          }
        }
    }
}

// A decoder that projects its memory once (SoftCall::projected_keys) and attends at every step
// gets the weights of projecting at each step, and the same gradients (summed in another order).
TEST(SoftAttention, KeysProjectedOnceGiveTheSameWeightsAndGradients) {
  for (Score s : {Score::additive, Score::general, Score::dot}) {
    Rng rng(3);
    SoftAttention att({.query_dim = 6, .key_dim = 6, .attn_dim = 7, .score = s}, rng);
    Tensor q1 = Tensor::randn({2, 1, 6}, rng), q2 = Tensor::randn({2, 1, 6}, rng), k0 = Tensor::randn({2, 5, 6}, rng);
    auto run = [&](bool once) {
      for (auto& [name, p] : att.named_parameters()) p.zero_grad();
      Tensor k = k0.clone().requires_grad_();
      SoftCall call;
      if (once) call.projected_keys = att.project_keys(k);
      const AttentionResult a = att.forward(q1, k, {}, call), b = att.forward(q2, k, {}, call);
      autograd::backward(ops::add(ops::sum(ops::mul(a.context, a.context)), ops::sum(b.context)));
      std::vector<std::vector<float>> out = {a.weights.to_vector(), b.weights.to_vector(), k.grad().to_vector()};
      for (auto& [name, p] : att.named_parameters()) out.push_back(p.grad().to_vector());
      return out;
    };
    const auto each = run(false), once = run(true);
    ASSERT_EQ(each.size(), once.size());
    EXPECT_EQ(each[0], once[0]) << score_name(s);
    EXPECT_EQ(each[1], once[1]) << score_name(s);
    for (size_t i = 2; i < each.size(); ++i)
      for (size_t j = 0; j < each[i].size(); ++j) ASSERT_NEAR(each[i][j], once[i][j], 1e-5) << score_name(s) << " " << i;
  }
}

TEST(SoftAttention, DotScoreIsTheInnerProduct) {
  Rng rng(2);
  SoftAttention att({.query_dim = 3, .key_dim = 3, .score = Score::dot}, rng);
  Tensor q = Tensor::from({1, 0, 2}, Shape{1, 1, 3}), k = Tensor::from({1, 1, 1, 0, 1, 0}, Shape{1, 2, 3});
  Tensor e = att.scores(q, k);
  EXPECT_FLOAT_EQ(e.at({0, 0, 0}), 3.f);
  EXPECT_FLOAT_EQ(e.at({0, 0, 1}), 0.f);
  EXPECT_TRUE(att.named_parameters().empty());
  SoftAttention add({.query_dim = 3, .key_dim = 4, .attn_dim = 5}, rng);
  std::vector<std::string> names;
  for (const auto& [n, t] : add.named_parameters()) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"query_proj.weight", "key_proj.weight", "key_proj.bias", "score_v.weight"}));
}

TEST(SoftAttention, BadInputNamesMechanism) {
  Rng rng(3);
  SoftAttention att({.query_dim = 4, .key_dim = 4, .score = Score::general}, rng);
  try {
    att.forward(Tensor::zeros({1, 2, 4}), Tensor::zeros({1, 3, 5}));
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("general"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("[1, 3, 5]"), std::string::npos) << e.what();
  }
  EXPECT_THROW(att.forward(Tensor::zeros({1, 2, 4}), Tensor::zeros({1, 3, 4}), {}, {.key_lengths = {4}}), ShapeError);
  EXPECT_THROW(att.forward(Tensor::zeros({1, 2, 4}), Tensor::zeros({1, 3, 4}), {}, {.prior = Tensor::zeros({2, 2})}), ShapeError);
  Tensor nan = Tensor::zeros({1, 2, 4});
  nan.data<float>()[1] = NAN;
  EXPECT_THROW(att.forward(nan, Tensor::ones({1, 3, 4})), ValueError);
  EXPECT_THROW(SoftAttention({.query_dim = 4, .key_dim = 5, .score = Score::dot}, rng), ConfigError);
}

TEST(LocalAttention, WindowZerosGaussianAndCentre) {
  Rng rng(4);
  for (LocalMode mode : {LocalMode::predictive, LocalMode::monotonic}) {
    LocalAttention att({.align = {.query_dim = 4, .key_dim = 4, .score = Score::general}, .mode = mode, .window = 2}, rng);
    Tensor q = Tensor::randn({2, 3, 4}, rng), k = Tensor::randn({2, 12, 4}, rng);
    AttentionResult r = att.forward(q, k, {}, {.key_lengths = {12, 8}});
    const Tensor& c = r.extras.at("centre");
    for (int64_t b = 0; b < 2; ++b)
      for (int64_t t = 0; t < 3; ++t) {
        const double p = c.at({b, t});
        if (mode == LocalMode::monotonic) { EXPECT_DOUBLE_EQ(p, static_cast<double>(t)); }
        EXPECT_GE(p, 0.0);
        EXPECT_LE(p, b == 0 ? 11.0 : 7.0);  // S = valid length - 1
        double sum = 0;
        for (int64_t s = 0; s < 12; ++s) {
          const double w = r.weights.at({b, t, s});
          if (std::abs(s - p) > 2 || (b == 1 && s >= 8)) { EXPECT_EQ(w, 0.0); }  // outside window / padding
          sum += w;
        }
        EXPECT_GT(sum, 0.0);
        EXPECT_LE(sum, 1.0 + 1e-6);  // the Gaussian comes after the softmax (Luong eq. 10)
      }
  }
}

TEST(SentinelAttention, BetaInUnitIntervalAndOutputIsTheStatedMix) {
  Rng rng(5);
  SentinelAttention att({.hidden_dim = 6, .region_dim = 5, .attn_dim = 7}, rng);
  Tensor h = Tensor::randn({2, 3, 6}, rng), V = Tensor::randn({2, 4, 5}, rng), s = Tensor::randn({2, 3, 5}, rng);
  AttentionResult r = att.forward(h, V, s, {4, 3});
  const Tensor& beta = r.extras.at("beta");
  Tensor c = ops::matmul(r.weights, V);  // the image context alone
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t t = 0; t < 3; ++t) {
      const double be = beta.at({b, t});
      EXPECT_GE(be, 0.0);
      EXPECT_LE(be, 1.0);
      if (b == 1) { EXPECT_EQ(r.weights.at({b, t, 3}), 0.0); }  // padded region
      for (int64_t d = 0; d < 5; ++d)
        EXPECT_NEAR(r.context.at({b, t, d}), be * s.at({b, t, d}) + (1 - be) * c.at({b, t, d}), 1e-5);
      // alpha_hat's region part is (1 - beta) alpha.
      for (int64_t i = 0; i < 4; ++i)
        EXPECT_NEAR(r.extras.at("alpha_hat").at({b, t, i}), (1 - be) * r.weights.at({b, t, i}), 1e-6);
    }
  EXPECT_THROW(att.forward(h, V, Tensor::zeros({2, 3, 4})), ShapeError);
}

// The optional sentinel score offset: it shifts beta (a large negative start: beta near 0) and is
// a parameter only when asked for (existing checkpoints keep their tensors).
TEST(SentinelAttention, ScoreOffsetShiftsBetaAndIsOptional) {
  Tensor h, V, s;
  auto mean_beta = [&](bool bias, double init) {
    Rng rng(5);
    SentinelAttention att({.hidden_dim = 6, .region_dim = 5, .attn_dim = 7, .sentinel_bias = bias, .sentinel_bias_init = init}, rng);
    EXPECT_EQ(att.named_parameters().size(), bias ? 5u : 4u);
    Rng data(6);
    h = Tensor::randn({2, 3, 6}, data), V = Tensor::randn({2, 4, 5}, data), s = Tensor::randn({2, 3, 5}, data);
    return ops::mean(att.forward(h, V, s).extras.at("beta")).item();
  };
  const double plain = mean_beta(false, 0), zero = mean_beta(true, 0), low = mean_beta(true, -20), high = mean_beta(true, 20);
  EXPECT_NEAR(zero, plain, 1e-7);
  EXPECT_LT(low, 1e-6);
  EXPECT_GT(high, 1 - 1e-6);
}

TEST(AdaptiveSpan, MaskIsZeroBeyondSpanAndSpansLearnDown) {
  // Mask values: 1 up to z, ramp over R, exactly 0 beyond z + R.
  Tensor z = Tensor::from({2.0f, 5.0f}, Shape{2});
  Tensor m = span_ramp_mask(z, 8, 8, 2.0);
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t i = 0; i < 8; ++i)
      for (int64_t j = 0; j <= i; ++j) {
        const double x = static_cast<double>(i - j), zz = h ? 5 : 2;
        const double expect = std::clamp((2 + zz - x) / 2, 0.0, 1.0);
        EXPECT_NEAR(m.at({0, h, i, j}), expect, 1e-6);
        if (x >= zz + 2) { EXPECT_EQ(m.at({0, h, i, j}), 0.0); }
      }
  // In a model: weights beyond the span are exactly 0, the recorder shows the spans, and the L1
  // penalty alone shrinks them.
  Rng rng(6);
  MultiHeadAttention mha({.dim = 8, .num_heads = 2, .causal = true, .adaptive_span = 6, .adaptive_span_ramp = 1}, rng);
  Recorder rec;
  mha.set_recorder(&rec, "span_layer");
  Tensor x = Tensor::randn({1, 10, 8}, rng);
  AttentionResult r = mha.forward(x, {.need_weights = true});
  const std::vector<double> spans = mha.adaptive_span()->spans().to_vector_f64();  // 3 and 3 initially
  for (int64_t h = 0; h < 2; ++h)
    for (int64_t i = 0; i < 10; ++i)
      for (int64_t j = 0; j < 10; ++j)
        if (i - j >= spans[h] + 1) { EXPECT_EQ(r.weights.at({0, h, i, j}), 0.0); }
  io::Trace tr = rec.to_trace();
  ASSERT_TRUE(tr.layers[0].extras.count("span"));
  EXPECT_FLOAT_EQ(tr.layers[0].extras.at("span").values[0], 3.0f);
  Tensor pen = mha.adaptive_span()->penalty(1.0);
  autograd::backward(pen);
  const Tensor& g = mha.named_parameters().back().second.grad();
  EXPECT_GT(g.at({0}), 0.0);  // gradient descent lowers the span
}

}  // namespace
}  // namespace attnscope::attention
