// Attentional biases and positions: ALiBi slopes (the paper's values), T5 buckets, RoPE's
// relative-position property, temperature sharpening.
#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/attention/alibi.h"
#include "attnscope/attention/dot_product.h"
#include "attnscope/attention/relative_bias.h"
#include "attnscope/attention/rope.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {
namespace {

TEST(Alibi, SlopesForEightHeadsAreHalfToOne256th) {
  const std::vector<float> s = alibi_slopes(8);
  ASSERT_EQ(s.size(), 8u);
  for (int h = 0; h < 8; ++h) EXPECT_FLOAT_EQ(s[h], std::pow(2.0f, -(h + 1.0f)));  // 1/2 ... 1/256
  // Non-power-of-two (the reference implementation): the 4-head slopes 2^-2, 2^-4, 2^-6, 2^-8,
  // then slopes 0 and 2 of the 8-head sequence 2^-1 ... 2^-8.
  const std::vector<float> s6 = alibi_slopes(6);
  const float expect6[] = {0.25f, 0.0625f, 0.015625f, 0.00390625f, 0.5f, 0.125f};
  for (int h = 0; h < 6; ++h) EXPECT_FLOAT_EQ(s6[h], expect6[h]);
  EXPECT_THROW(alibi_slopes(0), ConfigError);
  Tensor b = alibi_bias({0.5f}, 2, 4);  // rows at positions 2, 3
  EXPECT_FLOAT_EQ(b.at({0, 0, 0, 0}), -1.0f);
  EXPECT_FLOAT_EQ(b.at({0, 0, 1, 3}), 0.0f);
  EXPECT_FLOAT_EQ(b.at({0, 0, 1, 0}), -1.5f);
}

TEST(RelativeBias, T5Buckets) {
  // Bidirectional, 32 buckets, max distance 128 (T5 defaults): exact up to 7 either side.
  EXPECT_EQ(relative_position_bucket(0, true, 32, 128), 0);
  EXPECT_EQ(relative_position_bucket(-3, true, 32, 128), 3);
  EXPECT_EQ(relative_position_bucket(3, true, 32, 128), 19);
  EXPECT_EQ(relative_position_bucket(-1000, true, 32, 128), 15);
  EXPECT_EQ(relative_position_bucket(1000, true, 32, 128), 31);
  // log region, monotone.
  int64_t prev = 0;
  for (int64_t d = 0; d < 200; ++d) {
    const int64_t b = relative_position_bucket(-d, true, 32, 128);
    EXPECT_GE(b, prev);
    prev = b;
  }
  // Causal: future keys share bucket 0.
  EXPECT_EQ(relative_position_bucket(5, false, 32, 128), 0);
  EXPECT_EQ(relative_position_bucket(-5, false, 32, 128), 5);
}

TEST(Rope, ScoresDependOnRelativePositionOnly) {
  Rng rng(3);
  for (RopePairing pairing : {RopePairing::interleaved, RopePairing::half}) {
    Tensor q = Tensor::randn({1, 1, 1, 8}, rng, 1, DType::f64), k = Tensor::randn({1, 1, 1, 8}, rng, 1, DType::f64);
    auto score = [&](int64_t m, int64_t n) {
      Tensor qr = rope(q, m, {.pairing = pairing}), kr = rope(k, n, {.pairing = pairing});
      return ops::sum(ops::mul(qr, kr)).item();
    };
    EXPECT_NEAR(score(5, 2), score(13, 10), 1e-10);
    EXPECT_NEAR(score(0, 0), score(7, 7), 1e-10);
    EXPECT_GT(std::abs(score(5, 2) - score(5, 4)), 1e-6);
    // A rotation keeps the norm.
    EXPECT_NEAR(ops::sum(ops::mul(rope(q, 9, {.pairing = pairing}), rope(q, 9, {.pairing = pairing}))).item(),
                ops::sum(ops::mul(q, q)).item(), 1e-10);
  }
  EXPECT_THROW(rope(Tensor::zeros({2, 3, 5}), 0), ShapeError);  // odd head size
}

TEST(Temperature, LowerTemperatureSharpens) {
  Rng rng(4);
  Tensor q = Tensor::randn({1, 1, 4, 8}, rng), k = Tensor::randn({1, 1, 6, 8}, rng), v = Tensor::randn({1, 1, 6, 8}, rng);
  auto max_weight = [&](double temp) {
    DotProductOptions o;
    o.temperature = temp;
    o.need_weights = true;
    const std::vector<float> w = dot_product_attention(q, k, v, o).weights.to_vector();
    float m = 0;
    for (int64_t i = 0; i < 4; ++i) m += *std::max_element(w.begin() + i * 6, w.begin() + (i + 1) * 6);
    return m;
  };
  EXPECT_GT(max_weight(0.25), max_weight(1.0));
  EXPECT_GT(max_weight(1.0), max_weight(4.0));
}

}  // namespace
}  // namespace attnscope::attention
