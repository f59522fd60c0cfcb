// SGD / Adam / AdamW updates against the textbook formulas in double, state save/load,
// gradient clipping and the learning-rate schedules.
#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/nn/lr_schedule.h"
#include "attnscope/nn/optimizer.h"

namespace attnscope::nn {
namespace {

Tensor leaf(std::initializer_list<float> v) {
  Tensor t = Tensor::from(v, Shape{static_cast<int64_t>(v.size())});
  t.requires_grad_();
  return t;
}
void set_grad(Tensor& p, std::initializer_list<float> g) {
  p.set_grad(Tensor::from(g, Shape{static_cast<int64_t>(g.size())}));
}

TEST(Optimizer, SgdMomentumMatchesFormula) {
  Tensor p = leaf({1.0f, -2.0f});
  SGD opt({{"p", p}}, SgdOptions{0.1, 0.9, 0.0});
  double ref[2] = {1.0, -2.0}, buf[2] = {0, 0};
  const float grads[3][2] = {{0.5f, -1.0f}, {0.25f, 2.0f}, {-1.0f, 0.0f}};
  for (auto& g : grads) {
    set_grad(p, {g[0], g[1]});
    opt.step();
    for (int k = 0; k < 2; ++k) {
      buf[k] = 0.9 * buf[k] + g[k];
      ref[k] -= 0.1 * buf[k];
      EXPECT_NEAR(p.at({k}), ref[k], 1e-6);
    }
  }
  EXPECT_EQ(opt.steps(), 3);
}

TEST(Optimizer, AdamMatchesFormulaAndAdamWDecouplesDecay) {
  for (bool decoupled : {false, true}) {
    Tensor p = leaf({0.5f, -1.5f, 2.0f});
    AdamOptions o{0.01, 0.9, 0.999, 1e-8, 0.1};
    std::unique_ptr<Optimizer> opt;
    if (decoupled) opt = std::make_unique<AdamW>(NamedTensors{{"p", p}}, o);
    else opt = std::make_unique<Adam>(NamedTensors{{"p", p}}, o);
    EXPECT_EQ(opt->type_name(), decoupled ? "AdamW" : "Adam");
    double ref[3] = {0.5, -1.5, 2.0}, m[3] = {}, v[3] = {};
    for (int t = 1; t <= 4; ++t) {
      const float g[3] = {0.1f * t, -0.3f, 1.0f / t};
      set_grad(p, {g[0], g[1], g[2]});
      opt->step();
      for (int k = 0; k < 3; ++k) {
        double gk = g[k];
        if (decoupled) ref[k] -= o.lr * o.weight_decay * ref[k];
        else gk += o.weight_decay * ref[k];
        m[k] = o.beta1 * m[k] + (1 - o.beta1) * gk;
        v[k] = o.beta2 * v[k] + (1 - o.beta2) * gk * gk;
        const double mh = m[k] / (1 - std::pow(o.beta1, t)), vh = v[k] / (1 - std::pow(o.beta2, t));
        ref[k] -= o.lr * mh / (std::sqrt(vh) + o.eps);
        EXPECT_NEAR(p.at({k}), ref[k], 1e-5) << (decoupled ? "AdamW" : "Adam") << " t=" << t;
      }
    }
  }
  // AdamW with a zero gradient only decays: p <- p (1 - lr wd).
  Tensor q = leaf({2.0f});
  AdamW w({{"q", q}}, AdamOptions{0.1, 0.9, 0.999, 1e-8, 0.5});
  set_grad(q, {0.0f});
  w.step();
  EXPECT_FLOAT_EQ(q.at({0}), 2.0f * (1 - 0.05f));
}

TEST(Optimizer, SkipsParametersWithoutGradient) {
  Tensor a = leaf({1.0f}), b = leaf({1.0f});
  SGD opt({{"a", a}, {"b", b}}, SgdOptions{0.5});
  set_grad(a, {1.0f});
  opt.step();
  EXPECT_FLOAT_EQ(a.at({0}), 0.5f);
  EXPECT_FLOAT_EQ(b.at({0}), 1.0f);
}

TEST(Optimizer, StateRoundTripContinuesIdentically) {
  Tensor p1 = leaf({0.3f, -0.7f}), p2 = leaf({9.0f, 9.0f});
  Adam a({{"w", p1}}, AdamOptions{0.05});
  Adam b({{"w", p2}}, AdamOptions{0.5, 0.5, 0.5});
  for (int i = 0; i < 3; ++i) {
    set_grad(p1, {0.1f * i, -0.2f});
    a.step();
  }
  b.load_state(a.state());
  p2.copy_from(p1);
  EXPECT_EQ(b.steps(), 3);
  EXPECT_DOUBLE_EQ(b.lr(), 0.05);
  set_grad(p1, {0.4f, 0.4f});
  set_grad(p2, {0.4f, 0.4f});
  a.step();
  b.step();
  EXPECT_EQ(p1.to_vector(), p2.to_vector());

  SGD s({{"w", p2}}, SgdOptions{0.1, 0.9});
  EXPECT_THROW(s.load_state(a.state()), FormatError);  // type differs
  OptimizerState st = a.state();
  st.tensors.pop_back();
  EXPECT_THROW(b.load_state(st), FormatError);  // slot missing
}

TEST(Optimizer, BadConfigurations) {
  Tensor p = leaf({1.0f});
  EXPECT_THROW(SGD({}, SgdOptions{}), ConfigError);
  EXPECT_THROW(SGD({{"p", p}, {"p", p}}, SgdOptions{}), ConfigError);
  EXPECT_THROW(Adam({{"p", p}}, AdamOptions{0.1, 1.0}), ConfigError);
  Tensor d = Tensor::zeros(Shape{1}, DType::f64);
  EXPECT_THROW(SGD({{"d", d}}, SgdOptions{}), ConfigError);
}

TEST(ClipGradNorm, ScalesToMaxNormGlobally) {
  Tensor a = leaf({3.0f}), b = leaf({0.0f, 4.0f});
  set_grad(a, {3.0f});
  set_grad(b, {0.0f, 4.0f});
  EXPECT_NEAR(clip_grad_norm({a, b}, 1.0), 5.0, 1e-9);
  EXPECT_NEAR(a.grad().at({0}), 0.6, 1e-5);
  EXPECT_NEAR(b.grad().at({1}), 0.8, 1e-5);
  EXPECT_NEAR(clip_grad_norm({a, b}, 10.0), 1.0, 1e-5);  // under the limit: unchanged
  EXPECT_NEAR(a.grad().at({0}), 0.6, 1e-5);
}

TEST(LrSchedule, WarmupCosineAndInverseSqrt) {
  LrSchedule c{LrSchedule::Kind::cosine, 1.0, 10, 110, 0.1};
  EXPECT_DOUBLE_EQ(c.at(0), 0.1);
  EXPECT_DOUBLE_EQ(c.at(4), 0.5);
  EXPECT_DOUBLE_EQ(c.at(9), 1.0);
  EXPECT_DOUBLE_EQ(c.at(10), 1.0);
  EXPECT_NEAR(c.at(60), 0.55, 1e-12);  // half way: (peak + min) / 2
  EXPECT_NEAR(c.at(110), 0.1, 1e-12);
  EXPECT_NEAR(c.at(500), 0.1, 1e-12);
  LrSchedule s{LrSchedule::Kind::inverse_sqrt, 1.0, 4};
  EXPECT_DOUBLE_EQ(s.at(3), 1.0);
  EXPECT_NEAR(s.at(15), 0.5, 1e-12);  // sqrt(4 / 16)
  LrSchedule k{LrSchedule::Kind::constant, 0.3, 0};
  EXPECT_DOUBLE_EQ(k.at(1000), 0.3);
  EXPECT_EQ(LrSchedule::parse_kind("cosine"), LrSchedule::Kind::cosine);
  EXPECT_THROW(LrSchedule::parse_kind("linear"), ConfigError);
}

}  // namespace
}  // namespace attnscope::nn
