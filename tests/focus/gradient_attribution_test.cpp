// focus/gradient_attribution: Chefer rollout (full and one row), gradient x attention, head
// importance and Kobayashi's norm-weighted attention against direct computations.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "attnscope/core/error.h"
#include "attnscope/focus/gradient_attribution.h"

using namespace attnscope;
using namespace attnscope::focus;

namespace {

AttentionGradient random_layer(int64_t H, int64_t T, int64_t C, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(0.f, 1.f), g(-1.f, 1.f);
  AttentionGradient l{"l" + std::to_string(seed), H, T, C, {}, {}, {}};
  l.attention.resize(H * T * T);
  for (int64_t r = 0; r < H * T; ++r) {  // causal rows summing to 1
    const int64_t i = r % T;
    float s = 0;
    for (int64_t j = 0; j <= i; ++j) s += l.attention[r * T + j] = u(rng);
    for (int64_t j = 0; j <= i; ++j) l.attention[r * T + j] /= s;
  }
  for (int64_t i = 0; i < H * T * T; ++i) l.grad.push_back(g(rng));
  for (int64_t i = 0; i < H * T * C; ++i) l.head_values.push_back(g(rng));
  return l;
}

}  // namespace

TEST(GradientAttribution, RolloutOfOneLayerIsIdentityPlusPositivePart) {
  const AttentionGradient l = random_layer(3, 5, 4, 1);
  const AttentionMap r = gradient_rollout({l});
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t j = 0; j < 5; ++j) {
      double bar = 0;
      for (int64_t h = 0; h < 3; ++h) bar += std::max(0.0f, l.attention[(h * 5 + i) * 5 + j] * l.grad[(h * 5 + i) * 5 + j]);
      EXPECT_NEAR(r.at(i, j), (i == j) + bar / 3, 1e-6);
    }
}

TEST(GradientAttribution, RolloutIsTheProductAndItsRowsAgree) {
  std::vector<AttentionGradient> ls;
  for (uint32_t s = 1; s <= 4; ++s) ls.push_back(random_layer(2, 6, 3, s));
  // (I + A4)(I + A3)(I + A2)(I + A1) by hand.
  auto bar = [&](const AttentionGradient& l) {
    std::vector<double> b(36, 0);
    for (int64_t h = 0; h < 2; ++h)
      for (int64_t i = 0; i < 36; ++i) b[i] += std::max(0.0f, l.attention[h * 36 + i] * l.grad[h * 36 + i]) / 2;
    for (int64_t i = 0; i < 6; ++i) b[i * 6 + i] += 1;
    return b;
  };
  std::vector<double> R(36, 0);
  for (int i = 0; i < 6; ++i) R[i * 6 + i] = 1;
  for (const auto& l : ls) {
    const std::vector<double> B = bar(l);
    std::vector<double> N(36, 0);
    for (int i = 0; i < 6; ++i)
      for (int j = 0; j < 6; ++j)
        for (int k = 0; k < 6; ++k) N[i * 6 + j] += B[i * 6 + k] * R[k * 6 + j];
    R = N;
  }
  const AttentionMap full = gradient_rollout(ls);
  for (int i = 0; i < 36; ++i) EXPECT_NEAR(full.w[i], R[i], 1e-5);
  for (int64_t q = 0; q < 6; ++q) {
    const AttentionMap row = gradient_rollout_row(ls, q);
    ASSERT_EQ(row.rows, 1);
    for (int64_t j = 0; j < 6; ++j) EXPECT_NEAR(row.w[j], full.at(q, j), 1e-5);
  }
  EXPECT_THROW(gradient_rollout_row(ls, 6), ConfigError);
  ls.push_back(random_layer(2, 5, 3, 9));
  EXPECT_THROW(gradient_rollout(ls), ShapeError);
  EXPECT_THROW(gradient_rollout({}), ShapeError);
}

TEST(GradientAttribution, GradAttentionAndHeadImportance) {
  const AttentionGradient l = random_layer(3, 4, 2, 5);
  const AttentionMap m = grad_attention(l);
  const std::vector<double> imp = head_gate_gradient(l);
  ASSERT_EQ(imp.size(), 3u);
  for (int64_t h = 0; h < 3; ++h) {
    double s = 0;
    for (int64_t i = 0; i < 16; ++i) s += double(l.attention[h * 16 + i]) * l.grad[h * 16 + i];
    EXPECT_NEAR(imp[h], s, 1e-9);
  }
  for (int64_t i = 0; i < 16; ++i) {
    double s = 0;
    for (int64_t h = 0; h < 3; ++h) s += double(l.attention[h * 16 + i]) * l.grad[h * 16 + i];
    EXPECT_NEAR(m.w[i], s / 3, 1e-6);
  }
  AttentionGradient bad = l;
  bad.grad.pop_back();
  EXPECT_THROW(grad_attention(bad), ShapeError);
}

TEST(GradientAttribution, NormAttentionWeighsByWhatIsMoved) {
  // One head, values of norms 1, 0 and 3: the weights times the norms.
  AttentionGradient l{"x", 1, 3, 2, {}, std::vector<float>(9, 0.f), {1, 0, 0, 0, 0, 3}};
  l.attention = {1, 0, 0, 0.5f, 0.5f, 0, 0.2f, 0.3f, 0.5f};
  const AttentionMap m = norm_attention(l);
  const float want[9] = {1, 0, 0, 0.5f, 0, 0, 0.2f, 0, 1.5f};
  for (int i = 0; i < 9; ++i) EXPECT_NEAR(m.w[i], want[i], 1e-6) << i;
  // Two heads moving opposite vectors cancel: the norm of the sum, not the sum of norms.
  AttentionGradient two{"y", 2, 1, 2, {1, 1}, {0, 0}, {1, 2, -1, -2}};
  EXPECT_NEAR(norm_attention(two).w[0], 0.0, 1e-7);
  two.head_values.clear();
  EXPECT_THROW(norm_attention(two), ShapeError);
}
