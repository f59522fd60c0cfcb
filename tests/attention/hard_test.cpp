// Hard attention: argmax and top-k at inference, sampling frequencies, the straight-through
// gradient, and the selection task "return the value stored at the key named in the query",
// learned both by REINFORCE (Xu et al. 2015) and by Gumbel-softmax straight-through (Jang et al.
// 2017).
#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/attention/hard.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {
namespace {

TEST(HardAttention, ArgmaxAndTopkAtInference) {
  Rng rng(1);
  Tensor q = Tensor::from({1, 0}, Shape{1, 1, 2});
  Tensor k = Tensor::from({0.1f, 0, 2, 0, 1, 0, -1, 0, 3, 0}, Shape{1, 5, 2});  // scores 0.1, 2, 1, -1, 3
  Tensor v = ops::reshape(Tensor::arange(5), Shape{1, 5, 1});
  HardAttention am({.score = {.query_dim = 2, .key_dim = 2, .score = Score::dot}, .mode = HardMode::argmax}, rng);
  AttentionResult r = am.forward(q, k, v, {.key_lengths = {4}});  // key 4 (the best) is padding
  EXPECT_FLOAT_EQ(r.context.at({0, 0, 0}), 1.f);
  EXPECT_FLOAT_EQ(r.weights.at({0, 0, 1}), 1.f);
  EXPECT_FLOAT_EQ(r.extras.at("sample").at({0, 0}), 1.f);
  HardAttention tk({.score = {.query_dim = 2, .key_dim = 2, .score = Score::dot}, .mode = HardMode::topk, .k = 2}, rng);
  r = tk.forward(q, k, v);
  // Keeps keys 4 and 1 (scores 3 and 2), renormalized: e^3 / (e^3 + e^2).
  EXPECT_NEAR(r.weights.at({0, 0, 4}), std::exp(3.0) / (std::exp(3.0) + std::exp(2.0)), 1e-6);
  EXPECT_EQ(r.weights.at({0, 0, 0}), 0.f);
  EXPECT_EQ(r.weights.at({0, 0, 2}), 0.f);
  HardAttention big({.score = {.query_dim = 2, .key_dim = 2, .score = Score::dot}, .mode = HardMode::topk, .k = 6}, rng);
  try {
    big.forward(q, k, v);
    FAIL();
  } catch (const ShapeError& e) {
    EXPECT_NE(std::string(e.what()).find("hard_topk: k = 6 is larger than the key count N = 5"), std::string::npos) << e.what();
  }
}

TEST(HardAttention, SamplesFollowTheProbabilitiesAndEvalIsDeterministic) {
  Rng rng(2);
  HardAttention att({.score = {.query_dim = 1, .key_dim = 1, .score = Score::dot}, .mode = HardMode::sample, .seed = 5}, rng);
  Tensor q = Tensor::ones({1, 2000, 1});
  Tensor k = Tensor::from({0, std::log(3.0f), 0}, Shape{1, 3, 1});  // probs 0.2, 0.6, 0.2
  AttentionResult r = att.forward(q, k);
  std::vector<int> count(3, 0);
  for (int64_t t = 0; t < 2000; ++t) ++count[static_cast<int>(r.extras.at("sample").at({0, t}))];
  EXPECT_NEAR(count[1] / 2000.0, 0.6, 0.04);
  EXPECT_NEAR(count[0] / 2000.0, 0.2, 0.04);
  const double p0 = r.extras.at("sample").at({0, 0}) == 1 ? 0.6 : 0.2;  // prob of the first sample
  EXPECT_NEAR(r.extras.at("log_prob").at({0, 0}), std::log(p0), 1e-5);
  att.eval();
  r = att.forward(q, k);
  for (int64_t t = 0; t < 2000; ++t) EXPECT_EQ(r.extras.at("sample").at({0, t}), 1.f);
}

TEST(HardAttention, GumbelStraightThroughForwardIsOneHotBackwardIsSoft) {
  Rng rng(3);
  HardAttention att({.score = {.query_dim = 2, .key_dim = 2, .score = Score::dot}, .mode = HardMode::gumbel, .gumbel_tau = 0.5}, rng);
  Tensor q = Tensor::randn({1, 4, 2}, rng).requires_grad_();
  Tensor k = Tensor::randn({1, 5, 2}, rng);
  AttentionResult r = att.forward(q, k);
  for (int64_t t = 0; t < 4; ++t) {
    double sum = 0, mx = 0;
    for (int64_t j = 0; j < 5; ++j) { sum += r.weights.at({0, t, j}); mx = std::max(mx, r.weights.at({0, t, j})); }
    EXPECT_NEAR(sum, 1.0, 1e-6);
    EXPECT_NEAR(mx, 1.0, 1e-6);  // one-hot forward
  }
  autograd::backward(ops::sum(ops::mul(r.weights, Tensor::randn({1, 4, 5}, rng))));
  double norm = 0;
  for (double g : q.grad().to_vector_f64()) norm += g * g;
  EXPECT_GT(norm, 0);  // the relaxed sample carries the gradient to the scores
}

// The selection task: 6 (key, value) pairs per example, keys drawn from 12 names; the query is
// the named key seen through a fixed random linear map, so the score W must be learned; the
// target is that key's value. Accuracy = argmax selection (eval mode) hits the named key.
struct SelectionTask {
  static constexpr int64_t kNames = 12, kPairs = 6, kDim = 8, kBatch = 32;
  Tensor names, mix;  // [kNames, kDim], [kDim, kDim]
  explicit SelectionTask(Rng& rng) : names(Tensor::randn({kNames, kDim}, rng)), mix(Tensor::randn({kDim, kDim}, rng, 0.5)) {}
  struct Batch {
    Tensor query, keys, values, target;  // [B, 1, D], [B, P, D], [B, P, P], [B, 1, P]
    std::vector<int64_t> answer;
  };
  Batch sample(Rng& rng) const {
    Batch b;
    std::vector<float> k(kBatch * kPairs * kDim), q(kBatch * kDim, 0.f), v(kBatch * kPairs * kPairs, 0.f), t(kBatch * kPairs, 0.f);
    const std::vector<float> E = names.to_vector(), M = mix.to_vector();
    for (int64_t i = 0; i < kBatch; ++i) {
      std::vector<int64_t> pick;
      while (static_cast<int64_t>(pick.size()) < kPairs) {
        const int64_t n = static_cast<int64_t>(rng.below(kNames));
        if (std::find(pick.begin(), pick.end(), n) == pick.end()) pick.push_back(n);
      }
      const int64_t ans = static_cast<int64_t>(rng.below(kPairs));
      b.answer.push_back(ans);
      for (int64_t p = 0; p < kPairs; ++p) {
        for (int64_t d = 0; d < kDim; ++d) k[(i * kPairs + p) * kDim + d] = E[pick[p] * kDim + d];
        v[(i * kPairs + p) * kPairs + p] = 1;  // value of pair p: one-hot p
      }
      for (int64_t d = 0; d < kDim; ++d)
        for (int64_t e = 0; e < kDim; ++e) q[i * kDim + d] += M[d * kDim + e] * E[pick[ans] * kDim + e];
      t[i * kPairs + ans] = 1;
    }
    b.query = Tensor::from(q, Shape{kBatch, 1, kDim});
    b.keys = Tensor::from(k, Shape{kBatch, kPairs, kDim});
    b.values = Tensor::from(v, Shape{kBatch, kPairs, kPairs});
    b.target = Tensor::from(t, Shape{kBatch, 1, kPairs});
    return b;
  }
  double accuracy(HardAttention& att, Rng& rng) const {
    att.eval();
    autograd::NoGrad ng;
    int hits = 0, total = 0;
    for (int rep = 0; rep < 4; ++rep) {
      Batch b = sample(rng);
      AttentionResult r = att.forward(b.query, b.keys, b.values);
      for (int64_t i = 0; i < kBatch; ++i, ++total) hits += r.extras.at("sample").at({i, 0}) == b.answer[i];
    }
    att.train();
    return static_cast<double>(hits) / total;
  }
};

void sgd_step(nn::Module& m, double lr) {
  for (auto& [name, p] : m.named_parameters()) {
    if (!p.grad().defined()) continue;
    float* w = p.data<float>();
    const std::vector<float> g = p.grad().to_vector();
    for (size_t i = 0; i < g.size(); ++i) w[i] -= static_cast<float>(lr) * g[i];
  }
  m.zero_grad();
}

double train_selection(HardMode mode, double* before) {
  Rng rng(42);
  SelectionTask task(rng);
  HardAttention att({.score = {.query_dim = 8, .key_dim = 8, .score = Score::general}, .mode = mode, .gumbel_tau = 1.0, .seed = 9}, rng);
  *before = task.accuracy(att, rng);
  ReinforceBaseline baseline(0.9);
  for (int step = 0; step < 150; ++step) {
    SelectionTask::Batch b = task.sample(rng);
    AttentionResult r = att.forward(b.query, b.keys, b.values);
    if (mode == HardMode::gumbel) {
      autograd::backward(ops::scale(ops::sum(ops::mul(ops::sub(r.context, b.target), ops::sub(r.context, b.target))),
                                    1.0 / SelectionTask::kBatch));
      sgd_step(att, 1.0);
    } else {
      // Reward: 1 for the right value, 0 otherwise.
      std::vector<double> reward(SelectionTask::kBatch);
      double mean = 0;
      for (int64_t i = 0; i < SelectionTask::kBatch; ++i) mean += reward[i] = r.extras.at("sample").at({i, 0}) == b.answer[i];
      autograd::backward(reinforce_loss(r.extras.at("log_prob"), reward, baseline.value(), r.extras.at("entropy"), 0.01));
      baseline.update(mean / SelectionTask::kBatch);
      sgd_step(att, 1.0);
    }
  }
  return task.accuracy(att, rng);
}

TEST(HardAttention, ReinforceLossTakesOneRewardPerSequenceOrPerStep) {
  // log_prob [2, 2]: L = -mean((R - b) log p); per sequence R = [1, 3], per step R = [1, 2, 3, 4].
  const Tensor lp = Tensor::from({-1.f, -2.f, -3.f, -4.f}, Shape{2, 2});
  const Tensor none;
  EXPECT_NEAR(reinforce_loss(lp, {1, 3}, 1.0, none, 0).item(), -(0 * -1 + 0 * -2 + 2 * -3 + 2 * -4) / 4.0, 1e-6);
  EXPECT_NEAR(reinforce_loss(lp, {1, 2, 3, 4}, 1.0, none, 0).item(), -(0 * -1 + 1 * -2 + 2 * -3 + 3 * -4) / 4.0, 1e-6);
  EXPECT_THROW(reinforce_loss(lp, {1, 2, 3}, 0.0, none, 0), ShapeError);
}

TEST(HardAttention, ReinforceLearnsToSelect) {
  double before = 0;
  const double after = train_selection(HardMode::sample, &before);
  std::printf("REINFORCE selection accuracy: %.3f -> %.3f (chance %.3f)\n", before, after, 1.0 / 6);
  EXPECT_LT(before, 0.5);
  EXPECT_GT(after, 0.9);
}

TEST(HardAttention, GumbelStraightThroughLearnsToSelect) {
  double before = 0;
  const double after = train_selection(HardMode::gumbel, &before);
  std::printf("Gumbel-ST selection accuracy: %.3f -> %.3f (chance %.3f)\n", before, after, 1.0 / 6);
  EXPECT_LT(before, 0.5);
  EXPECT_GT(after, 0.9);
}

}  // namespace
}  // namespace attnscope::attention
