// Model::grad_forward (the autograd twin of the inference forward) and models::attribute: the
// same logits and attention as forward() on the random HF fixtures and stories260K; input
// gradients against central finite differences (which covers the whole backward, attention
// included); causal structure of the attention gradients; bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>

#include "attnscope/attention/recorder.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/gradient_attribution.h"
#include "attnscope/models/attribution.h"
#include "attnscope/models/loader.h"
#include "hf_fixtures.h"
#include "shared_data.h"

using namespace attnscope;
using namespace attnscope::models;

namespace {

class GradForwardTest : public HfFixtures {
 protected:
  // grad_forward's logits and probabilities against forward() with capture.
  static void same_as_forward(Model& m, const std::vector<int32_t>& ids) {
    attention::Recorder cap;
    m.reset();
    const ModelOutput out = m.forward(ids, &cap);
    const GradForward g = m.grad_forward(ids);
    const std::vector<float> logits = g.logits.to_vector();
    ASSERT_EQ(logits.size(), out.values.size());
    double worst = 0;
    for (size_t i = 0; i < logits.size(); ++i) worst = std::max(worst, std::abs(double(logits[i]) - out.values[i]));
    EXPECT_LT(worst, 2e-4) << "logits";
    const io::Trace t = cap.to_trace();
    ASSERT_EQ(t.layers.size(), g.attention.size());
    for (size_t l = 0; l < t.layers.size(); ++l) {
      const std::vector<float> a = g.attention[l].to_vector();
      ASSERT_EQ(a.size(), t.layers[l].weights.size());
      double w = 0;
      for (size_t i = 0; i < a.size(); ++i) w = std::max(w, std::abs(double(a[i]) - t.layers[l].weights[i]));
      EXPECT_LT(w, 1e-5) << "attention of layer " << l;
    }
  }

  // L(e) = log p(target | e) at the last position, for given input embeddings.
  static double logprob(const Model& m, const std::vector<int32_t>& ids, const Tensor& e, int32_t target) {
    autograd::NoGrad ng;
    const GradForward g = m.grad_forward(ids, e);
    const int64_t T = static_cast<int64_t>(ids.size());
    const std::vector<float> lp = ops::log_softmax(ops::slice(g.logits, 0, T - 1, T)).to_vector();
    return lp[target];
  }

  // Directional derivative of L along random u: autograd <dL/de, u> vs central differences.
  static void input_gradient_matches_finite_differences(const Model& m, const std::vector<int32_t>& ids) {
    GradForward g = m.grad_forward(ids);
    const int64_t T = static_cast<int64_t>(ids.size()), C = g.embeddings.size(1);
    const std::vector<float> last = ops::slice(g.logits, 0, T - 1, T).to_vector();
    const int32_t target = static_cast<int32_t>(std::max_element(last.begin(), last.end()) - last.begin());
    autograd::backward(ops::sum(ops::slice(ops::log_softmax(ops::slice(g.logits, 0, T - 1, T)), 1, target, target + 1)));
    const std::vector<float> grad = g.embeddings.grad().to_vector(), e0 = g.embeddings.to_vector();
    std::mt19937 rng(7);
    std::normal_distribution<float> n(0.f, 1.f);
    for (int trial = 0; trial < 3; ++trial) {
      // A unit direction and a step of 1e-3 of the embeddings' norm: small against the inputs
      // (so the curvature term is negligible), large against f32 rounding of L.
      std::vector<double> u(T * C);
      std::vector<float> ep(T * C), em(T * C);
      double un = 0, en = 0;
      for (int64_t i = 0; i < T * C; ++i) u[i] = n(rng), un += u[i] * u[i], en += double(e0[i]) * e0[i];
      const double eps = 1e-3 * std::sqrt(en);
      double analytic = 0;
      for (int64_t i = 0; i < T * C; ++i) {
        u[i] /= std::sqrt(un);
        analytic += double(grad[i]) * u[i];
        ep[i] = static_cast<float>(e0[i] + eps * u[i]);
        em[i] = static_cast<float>(e0[i] - eps * u[i]);
      }
      const double numeric = (logprob(m, ids, Tensor::from(std::span<const float>(ep), Shape{T, C}), target) -
                              logprob(m, ids, Tensor::from(std::span<const float>(em), Shape{T, C}), target)) / (2 * eps);
      EXPECT_NEAR(analytic, numeric, 1e-2 * std::max(1.0, std::abs(numeric))) << "direction " << trial;
    }
  }

};

}  // namespace

TEST_F(GradForwardTest, Gpt2MatchesForwardAndFiniteDifferences) {
  auto m = load_model(path("gpt2"));
  const std::vector<int32_t> ids = {5, 17, 3, 88, 41, 0, 9};
  same_as_forward(*m, ids);
  input_gradient_matches_finite_differences(*m, ids);
}

TEST_F(GradForwardTest, LlamaWithGqaMatchesForwardAndFiniteDifferences) {
  auto m = load_model(path("llama_hf"));
  const std::vector<int32_t> ids = {3, 14, 15, 9, 2, 6};
  same_as_forward(*m, ids);
  input_gradient_matches_finite_differences(*m, ids);
}

TEST_F(GradForwardTest, BadInputIsOneClearError) {
  auto m = load_model(path("gpt2"));
  const std::vector<int32_t> ids = {5, 17, 3};
  EXPECT_THROW(m->grad_forward(ids, Tensor::zeros(Shape{2, 4})), ShapeError);
  EXPECT_THROW(attribute(*m, ids, 3, -1), ConfigError);
  EXPECT_THROW(attribute(*m, ids, 2, 1 << 30), ValueError);
  EXPECT_THROW(attribute_text_loss(*m, std::vector<int32_t>{5}), ValueError);
  auto bert = load_model(path("bert"));
  EXPECT_THROW(bert->grad_forward(ids), ConfigError);
}

TEST_F(GradForwardTest, AttributionIsConsistent) {
  auto m = load_model(path("gpt2"));
  const std::vector<int32_t> ids = {5, 17, 3, 88, 41, 0, 9};
  const Attribution a = attribute(*m, ids, 6, -1);
  ASSERT_EQ(a.layers.size(), static_cast<size_t>(m->config().n_layers));
  EXPECT_EQ(a.input_gradient.size(), ids.size());
  EXPECT_LT(a.logprob, 0.0);
  const int64_t T = 7;
  for (const auto& l : a.layers) {
    // Causal: no weight and no gradient above the diagonal; rows after the query get no gradient.
    for (int64_t h = 0; h < l.heads; ++h)
      for (int64_t i = 0; i < T; ++i)
        for (int64_t j = i + 1; j < T; ++j) EXPECT_EQ(l.attention[(h * T + i) * T + j], 0.0f);
    double total = 0;
    for (float v : l.grad) total += std::abs(v);
    EXPECT_GT(total, 0.0) << l.name;
  }
  // Explaining an earlier position: tokens after it get no input gradient.
  const Attribution b = attribute(*m, ids, 3, -1);
  for (size_t j = 4; j < ids.size(); ++j) EXPECT_EQ(b.input_gradient[j], 0.0);
  EXPECT_GT(b.input_gradient[0] + b.input_gradient[1] + b.input_gradient[2] + b.input_gradient[3], 0.0);
}

// dL/dA checked against the inference path on a trained model: zeroing head h changes the text
// loss by about -sum A * dL/dA (its output A V is linear in A; exact to first order). Head
// ablation runs forward() with the head masked, an independent computation. (On the random
// fixtures a head is too large a perturbation for a first-order estimate.)
TEST(GradForwardStories, AttentionGradientsPredictHeadAblation) {
  const std::string dir = attnscope::testing::stories_dir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "../shared/data is absent (stories260K)";
  auto m = load_model(dir + "/stories260K.bin");
  const std::vector<int32_t> ids = {1, 403, 407, 261, 378, 11, 300, 272, 263, 395, 313, 430, 401, 46, 375, 400, 289, 12};
  auto loss = [&] {
    m->reset();
    const ModelOutput out = m->forward(ids);
    double s = 0;
    for (size_t t = 0; t + 1 < ids.size(); ++t) {
      const float* r = &out.values[t * out.cols];
      const double mx = *std::max_element(r, r + out.cols);
      double z = 0;
      for (int64_t v = 0; v < out.cols; ++v) z += std::exp(r[v] - mx);
      s -= r[ids[t + 1]] - mx - std::log(z);
    }
    return s / static_cast<double>(ids.size() - 1);
  };
  const double base = loss();
  const Attribution a = attribute_text_loss(*m, ids);
  EXPECT_NEAR(a.logprob, base, 1e-4);
  const int64_t L = m->config().n_layers, H = m->config().n_heads;
  std::vector<double> ablated, estimate;
  for (int64_t l = 0; l < L; ++l) {
    const std::vector<double> gate = focus::head_gate_gradient(a.layers[l]);
    for (int64_t h = 0; h < H; ++h) {
      std::vector<uint8_t> mask(L * H, 0);
      mask[l * H + h] = 1;
      m->ablate_heads(mask);
      ablated.push_back(loss() - base);
      m->ablate_heads({});
      estimate.push_back(-gate[h]);
    }
  }
  double sxy = 0, sxx = 0, syy = 0, mx = 0, my = 0;
  const double n = static_cast<double>(ablated.size());
  for (size_t i = 0; i < ablated.size(); ++i) mx += ablated[i] / n, my += estimate[i] / n;
  for (size_t i = 0; i < ablated.size(); ++i) {
    sxy += (ablated[i] - mx) * (estimate[i] - my);
    sxx += (ablated[i] - mx) * (ablated[i] - mx);
    syy += (estimate[i] - my) * (estimate[i] - my);
  }
  const double r = sxy / std::sqrt(sxx * syy);
  std::printf("stories260K: Pearson r of ablation vs first-order estimate over %zu heads = %.3f\n", ablated.size(), r);
  EXPECT_GT(r, 0.85);
}

TEST(GradForwardStories, MatchesForward) {
  const std::string dir = attnscope::testing::stories_dir();
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "../shared/data is absent (stories260K)";
  auto m = load_model(dir + "/stories260K.bin");
  const std::vector<int32_t> ids = {1, 403, 407, 261, 378, 11, 1078, 291, 2, 30};
  std::vector<int32_t> ok;
  for (int32_t id : ids)
    if (id < m->config().vocab) ok.push_back(id);
  attention::Recorder cap;
  const ModelOutput out = m->forward(ok, &cap);
  const std::vector<float> logits = m->grad_forward(ok).logits.to_vector();
  double worst = 0;
  for (size_t i = 0; i < logits.size(); ++i) worst = std::max(worst, std::abs(double(logits[i]) - out.values[i]));
  EXPECT_LT(worst, 2e-4);
}
