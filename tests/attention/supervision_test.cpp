// Supervised attention's loss: its value is the gold-weighted cross-entropy over the rows that
// have gold, rows without gold add nothing, and its gradient (through a softmax, as in training)
// matches finite differences.
#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/attention/supervision.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/gradcheck.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/core/rng.h"

namespace attnscope::attention {
namespace {

TEST(Supervision, LossIsTheGoldWeightedCrossEntropyOverRowsWithGold) {
  // Two rows of three keys; only row (0, 0) has gold: key 1 weight 2, key 2 weight 1 -> 2/3, 1/3.
  const Tensor att = Tensor::from({0.2f, 0.5f, 0.3f, 0.1f, 0.1f, 0.8f}, Shape{2, 1, 3});
  const double want = -(2.0 / 3 * std::log(0.5 + 1e-6) + 1.0 / 3 * std::log(0.3 + 1e-6));
  EXPECT_NEAR(supervision_loss(att, {{{{1, 2.0}, {2, 1.0}}}, {{}}}).item(), want, 1e-6);
  // A second row with gold averages the two; an index outside the keys is ignored.
  const double row2 = -std::log(0.8 + 1e-6);
  EXPECT_NEAR(supervision_loss(att, {{{{1, 2.0}, {2, 1.0}}}, {{{2, 1.0}, {7, 5.0}}}}).item(), (want + row2) / 2, 1e-6);
  // No gold at all: zero.
  EXPECT_EQ(supervision_loss(att, {}).item(), 0.0);
  EXPECT_THROW(supervision_loss(Tensor::zeros(Shape{2, 3}), {}), ShapeError);
}

TEST(Supervision, GradientThroughSoftmaxMatchesFiniteDifferences) {
  Rng rng(3);
  const Tensor scores = Tensor::randn(Shape{3, 2, 5}, rng, 1.0, DType::f64).requires_grad_(true);
  const std::vector<std::vector<GoldRow>> gold = {{{{0, 1.0}}, {{1, 2.0}, {3, 1.0}}}, {{}, {{4, 1.0}}}, {{{2, 1.0}, {0, 1.0}}}};
  const auto r = autograd::gradcheck(
      [&](const std::vector<Tensor>& x) { return supervision_loss(ops::softmax(x[0]), gold); }, {scores});
  EXPECT_TRUE(r.ok) << r.detail;
  EXPECT_GT(r.checked, 0);
}

TEST(AttentionSupervision, CrossEntropyOfTheGoldOverSupervisedRowsOnly) {
  // Two examples of two rows over three keys; rows (0, 0) and (1, 1) are supervised.
  const Tensor att = Tensor::from({0.5f, 0.25f, 0.25f, 0.2f, 0.3f, 0.5f,  //
                                   0.1f, 0.1f, 0.8f, 0.6f, 0.2f, 0.2f},
                                  Shape{2, 2, 3});
  const AttentionGold gold = {{{0}, {}}, {{}, {1, 2}}};
  const double want = (-std::log(0.5 + 1e-6) - 0.5 * std::log(0.2 + 1e-6) - 0.5 * std::log(0.2 + 1e-6)) / 2;
  EXPECT_NEAR(attention_supervision_loss(att, gold).item(), want, 1e-5);
  // Out-of-range gold indices are ignored (the row's gold is its valid indices); no supervised row gives 0.
  EXPECT_NEAR(attention_supervision_loss(att, {{{0, 7}, {}}}).item(), -std::log(0.5 + 1e-6), 1e-5);
  EXPECT_EQ(attention_supervision_loss(att, {{{}, {}}}).item(), 0.0);
  EXPECT_THROW(attention_supervision_loss(Tensor::ones({3, 3}), gold), ShapeError);
}

TEST(AttentionSupervision, GradientMatchesFiniteDifferencesThroughSoftmax) {
  Rng rng(4);
  Tensor scores = Tensor::uniform(Shape{2, 3, 5}, rng, -2, 2, DType::f64);
  scores.requires_grad_();
  const AttentionGold gold = {{{1}, {}, {0, 4}}, {{2, 3}, {3}, {}}};
  const auto res = autograd::gradcheck(
      [&](const std::vector<Tensor>& in) { return attention_supervision_loss(ops::softmax(in[0]), gold); }, {scores});
  EXPECT_TRUE(res.ok) << res.detail;
  EXPECT_GT(res.checked, 0);
}

TEST(AttentionSupervision, DescentMovesTheMassOntoTheGold) {
  Tensor scores = Tensor::zeros(Shape{1, 1, 4});
  scores.requires_grad_();
  const AttentionGold gold = {{{2, 3}}};
  for (int i = 0; i < 50; ++i) {
    scores.zero_grad();
    autograd::backward(attention_supervision_loss(ops::softmax(scores), gold));
    const std::vector<float> g = scores.grad().to_vector();
    float* p = scores.data<float>();
    for (size_t k = 0; k < g.size(); ++k) p[k] -= g[k];
  }
  const Tensor a = ops::softmax(scores);
  EXPECT_GT(a.at({0, 0, 2}) + a.at({0, 0, 3}), 0.95);
  EXPECT_NEAR(a.at({0, 0, 2}), a.at({0, 0, 3}), 1e-5);  // uniform gold: the two share it
}

}  // namespace
}  // namespace attnscope::attention
