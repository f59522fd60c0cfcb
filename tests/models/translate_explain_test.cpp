// models/translate/explain.h and focus/cross_paths.h: the source-embedding probe's gradient
// against central finite differences on the embedding table; leave-one-out against a direct
// recompute; cross rollout / flow against hand computations; the table's shapes on a random
// Transformer and RNN translator.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include <nlohmann/json.hpp>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/cross_paths.h"
#include "attnscope/focus/residual_attention.h"
#include "attnscope/models/translate/explain.h"
#include "attnscope/nn/eval_mode.h"

using namespace attnscope;
using namespace attnscope::models;

namespace {

TextCodec word_codec() {
  TextCodec c;
  c.source_vocab = data::Vocab::from_tokens({"the", "cat", "sat", "on", "a", "mat", "dog"});
  c.target_vocab = data::Vocab::from_tokens({"le", "chat", "assis", "sur", "un", "tapis", "chien"});
  return c;
}

focus::AttentionMap random_layer(int64_t S, std::mt19937& rng) {
  std::uniform_real_distribution<float> u(0.f, 1.f);
  focus::AttentionMap m{S, S, std::vector<float>(S * S)};
  for (int64_t i = 0; i < S; ++i) {
    float s = 0;
    for (int64_t j = 0; j < S; ++j) s += m.w[i * S + j] = u(rng);
    for (int64_t j = 0; j < S; ++j) m.w[i * S + j] /= s;
  }
  return m;
}

}  // namespace

TEST(CrossPaths, RolloutAndFlowByHand) {
  std::mt19937 rng(3);
  const std::vector<double> c = {0.5, 0.2, 0.3, 0.0};
  // No encoder layer: both are the row, normalised.
  EXPECT_EQ(focus::cross_rollout({1, 3}, {}), (std::vector<double>{0.25, 0.75}));
  EXPECT_EQ(focus::cross_flow({1, 3}, {}), (std::vector<double>{0.25, 0.75}));
  // One layer: rollout c Â; flow to j is sum_a min(c_a, Â[a, j]) (disjoint two-edge paths).
  const focus::AttentionMap w = random_layer(4, rng);
  const std::vector<double> a = focus::residual_attention(w);
  const std::vector<double> r = focus::cross_rollout(c, {w}), f = focus::cross_flow(c, {w});
  std::vector<double> want_f(4, 0.0);
  double total = 0;
  for (int j = 0; j < 4; ++j) {
    double roll = 0;
    for (int i = 0; i < 4; ++i) roll += c[i] * a[i * 4 + j], want_f[j] += std::min(c[i], a[i * 4 + j]);
    EXPECT_NEAR(r[j], roll, 1e-12);
    total += want_f[j];
  }
  for (int j = 0; j < 4; ++j) EXPECT_NEAR(f[j], want_f[j] / total, 1e-12);
  // Two layers: both sum to 1, and rollout is c Â2 Â1.
  const focus::AttentionMap w2 = random_layer(4, rng);
  const std::vector<double> r2 = focus::cross_rollout(c, {w, w2}), f2 = focus::cross_flow(c, {w, w2});
  const std::vector<double> a2 = focus::residual_attention(w2);
  double s = 0;
  for (int j = 0; j < 4; ++j) {
    double v = 0;
    for (int i = 0; i < 4; ++i)
      for (int k = 0; k < 4; ++k) v += c[i] * a2[i * 4 + k] * a[k * 4 + j];
    EXPECT_NEAR(r2[j], v, 1e-12);
    s += f2[j];
  }
  EXPECT_NEAR(s, 1.0, 1e-12);
  EXPECT_THROW(focus::cross_rollout({1, 2, 3}, {w}), ShapeError);
  EXPECT_THROW(focus::cross_flow({1, -2, 3, 1}, {w}), ValueError);
  EXPECT_THROW(focus::cross_flow({}, {}), ShapeError);
}

// dL/de through the probe equals the central difference of L when the embedding table's row of a
// source token moves (each token appears once, so the row is that position's embedding).
TEST(TranslateExplain, SourceProbeGradientMatchesFiniteDifferences) {
  for (const char* kind : {"transformer", "rnn"}) {
    nlohmann::json cfg = {{"hidden", 16}, {"dropout", 0.0}};
    if (std::string(kind) == "transformer") cfg["heads"] = 2, cfg["layers"] = 2;
    else cfg["embed"] = 8;
    Translator tr(kind, cfg, word_codec(), 5);
    Seq2SeqModel& m = tr.model();
    const nn::EvalMode eval(m);
    const std::vector<int64_t> src = tr.codec().source_vocab.encode({"the", "cat", "sat", "on", "a", "mat"});
    const Batch b = make_batch({src}, {tr.codec().target_vocab.encode({"le", "chat", "assis"})});
    const int64_t t = 2, y = b.tgt_out[t], j = 3;
    auto L = [&] {
      const Tensor lp = ops::log_softmax(ops::slice(m.forward(b), 1, t, t + 1));
      return ops::sum(ops::slice(lp, 2, y, y + 1));
    };
    m.probe_source(true);
    autograd::backward(L());
    const std::vector<float> g = m.source_probe().grad().to_vector();
    m.probe_source(false);
    Tensor table;
    for (auto& [name, p] : m.named_parameters())
      if (name == "src_embed.weight") table = p;
    ASSERT_TRUE(table.defined()) << kind;
    const int64_t C = table.size(1);
    std::mt19937 rng(1);
    std::normal_distribution<float> n(0.f, 1.f);
    std::vector<float> u(C);
    double analytic = 0;
    for (int64_t c = 0; c < C; ++c) u[c] = n(rng), analytic += double(g[j * C + c]) * u[c];
    float* row = table.data<float>() + src[j] * C;
    const double eps = 1e-2;
    auto shifted = [&](double d) {
      for (int64_t c = 0; c < C; ++c) row[c] += static_cast<float>(d * u[c]);
      autograd::NoGrad ng;
      const double v = L().item();
      for (int64_t c = 0; c < C; ++c) row[c] -= static_cast<float>(d * u[c]);
      return v;
    };
    const double numeric = (shifted(eps) - shifted(-eps)) / (2 * eps);
    EXPECT_NEAR(analytic, numeric, 2e-3 + 1e-2 * std::abs(numeric)) << kind;
  }
}

TEST(TranslateExplain, TableShapesAndLeaveOneOut) {
  Translator tr("transformer", nlohmann::json{{"hidden", 16}, {"heads", 2}, {"layers", 2}, {"dropout", 0.0}}, word_codec(), 7);
  const TranslationExplanation e = explain_translation(tr, "the cat sat on a mat");
  const size_t S = e.source.size(), T = e.target.size();
  ASSERT_EQ(S, 6u);
  EXPECT_EQ(e.target.back(), "<eos>");
  ASSERT_EQ(e.layers.size(), 2u);
  EXPECT_EQ(e.layers[0], "decoder.0.cross");
  ASSERT_EQ(e.leave_one_out.size(), T);
  ASSERT_EQ(e.input_gradient.size(), T);
  for (size_t l = 0; l < 2; ++l)
    for (size_t t = 0; t < T; ++t) {
      double r = 0, f = 0;
      for (size_t j = 0; j < S; ++j) r += e.rollout[l][t][j], f += e.flow[l][t][j];
      EXPECT_NEAR(r, 1.0, 1e-6);
      EXPECT_NEAR(f, 1.0, 1e-6);
    }
  // Leave-one-out of source token 2 for the last target position, recomputed directly.
  Seq2SeqModel& m = tr.model();
  const nn::EvalMode eval(m);
  std::vector<int64_t> tgt;
  for (size_t t = 0; t + 1 < T; ++t) tgt.push_back(tr.codec().target_vocab.id(e.target[t]));
  auto lp_last = [&](const std::vector<std::string>& src_tokens) {
    autograd::NoGrad ng;
    const Batch b = make_batch({tr.codec().source_vocab.encode(src_tokens)}, {tgt});
    const std::vector<float> lp = ops::log_softmax(m.forward(b)).to_vector();
    const int64_t V = m.target_vocab_size();
    return double(lp[(b.T - 1) * V + b.tgt_out[b.T - 1]]);
  };
  const double want = lp_last({"the", "cat", "sat", "on", "a", "mat"}) - lp_last({"the", "cat", "on", "a", "mat"});
  EXPECT_NEAR(e.leave_one_out[T - 1][2], want, 1e-5);
  // The faithfulness means take it.
  focus::FaithfulnessMean vs_loo, vs_grad;
  add_faithfulness(e, vs_loo, vs_grad);
  ASSERT_EQ(vs_loo.mean().size(), 2u);
  EXPECT_EQ(vs_loo.methods, (std::vector<std::string>{"raw", "rollout", "flow", "input_gradient"}));
  EXPECT_EQ(vs_grad.methods, (std::vector<std::string>{"raw", "rollout", "flow"}));
}
