// The attention entropy regulariser of train/attention_losses.h: values by hand, gradients against
// finite differences (through a softmax, so every perturbed row is still a distribution).
#include "attnscope/train/attention_losses.h"

#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/autograd/gradcheck.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/core/rng.h"

using namespace attnscope;

TEST(AttentionLosses, ValuesByHand) {
  // Two queries over three keys: [0.5 0.25 0.25] and [1 0 0].
  const Tensor att = Tensor::from({0.5f, 0.25f, 0.25f, 1.f, 0.f, 0.f}, Shape{1, 2, 3});
  const double h0 = -(0.5 * std::log(0.5 + 1e-6) + 2 * 0.25 * std::log(0.25 + 1e-6));
  const double h1 = -std::log(1 + 1e-6) - 2 * 0 * std::log(1e-6);
  EXPECT_NEAR(train::attention_entropy_loss(att).item(), (h0 + h1) / 2, 1e-5);
  EXPECT_NEAR(train::attention_entropy_loss(att, {true, false}).item(), h0, 1e-5);
  EXPECT_EQ(train::attention_entropy_loss(att, {false, false}).item(), 0.0);
  EXPECT_THROW(train::attention_entropy_loss(Tensor::zeros(Shape{2, 3})), ShapeError);
  EXPECT_THROW(train::attention_entropy_loss(att, {true}), ShapeError);
}

TEST(AttentionLosses, GradientsMatchFiniteDifferences) {
  Rng rng(7);
  const Tensor logits = Tensor::randn(Shape{2, 3, 4}, rng, 1.0, DType::f64).requires_grad_(true);
  const std::vector<bool> keep = {true, true, false, true, false, true};
  const auto r = autograd::gradcheck(
      [&](const std::vector<Tensor>& x) { return train::attention_entropy_loss(ops::softmax(x[0]), keep); }, {logits});
  EXPECT_TRUE(r.ok) << r.detail;
  EXPECT_GT(r.checked, 0);
}
