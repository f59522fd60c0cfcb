// The vectorized elementwise kernels of the row-kernel table (exp, tanh, sigmoid, adam) on every
// ISA this CPU supports, against the float64 library functions / formula: sizes that are not
// multiples of the vector width, the whole useful range, saturation, and NaN propagation.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "attnscope/kernels/gelu.h"
#include "attnscope/kernels/rows.h"

namespace attnscope::kernels {
namespace {

std::vector<float> inputs() {
  std::vector<float> x;
  for (int i = -4000; i <= 4000; ++i) x.push_back(i * 0.0051f);  // [-20.4, 20.4], crosses 0.625
  for (float v : {0.f, -0.f, 1e-8f, -1e-8f, 1e-4f, 0.6249f, 0.6251f, -0.625f, 30.f, -30.f, 90.f, -90.f, 200.f, -200.f})
    x.push_back(v);
  x.push_back(3.f);  // odd total length
  return x;
}

TEST(Activations, MatchLibraryOnEveryIsa) {
  const auto x = inputs();
  const int64_t n = static_cast<int64_t>(x.size());
  for (Isa isa : supported_isas()) {
    const auto& k = row_kernels(isa);
    std::vector<float> y(n);
    k.tanh(x.data(), y.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      const double ref = std::tanh(static_cast<double>(x[i]));
      ASSERT_NEAR(y[i], ref, 2.5e-7 + 2e-7 * std::abs(ref)) << isa_name(isa) << " tanh(" << x[i] << ")";
      if (std::abs(x[i]) < 1e-3f) {
        ASSERT_NEAR(y[i], ref, 1e-6 * std::abs(ref) + 1e-30) << "relative near 0";
      }
    }
    k.sigmoid(x.data(), y.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      const double ref = 1.0 / (1.0 + std::exp(-static_cast<double>(x[i])));
      ASSERT_NEAR(y[i], ref, 2.5e-7) << isa_name(isa) << " sigmoid(" << x[i] << ")";
    }
    k.exp(x.data(), y.data(), n);
    for (int64_t i = 0; i < n; ++i) {
      if (std::abs(x[i]) > 87) continue;  // outside float range: clamped
      const double ref = std::exp(static_cast<double>(x[i]));
      ASSERT_NEAR(y[i], ref, 3e-7 * ref) << isa_name(isa) << " exp(" << x[i] << ")";
    }
  }
}

TEST(Activations, NanStaysNan) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::vector<float> x(19, 0.5f), y(19);
  x[3] = nan;
  x[17] = nan;
  for (Isa isa : supported_isas()) {
    const auto& k = row_kernels(isa);
    for (auto fn : {k.tanh, k.sigmoid, k.exp}) {
      fn(x.data(), y.data(), 19);
      EXPECT_TRUE(std::isnan(y[3]) && std::isnan(y[17])) << isa_name(isa);
      EXPECT_FALSE(std::isnan(y[4])) << isa_name(isa);
    }
  }
}

// Three Adam and AdamW steps over 37 parameters (two vectors and a tail) on every ISA: bitwise equal
// to the scalar reference (the same operations in the same order, FMAs included), and within float
// rounding of the update written out in double.
TEST(Activations, AdamStepMatchesReferenceAndFormulaOnEveryIsa) {
  const int64_t n = 37;
  for (bool decoupled : {false, true}) {
    const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.1;
    std::vector<double> pd(n), md(n, 0), vd(n, 0);
    std::vector<float> p0(n);
    for (int64_t i = 0; i < n; ++i) p0[i] = static_cast<float>(std::sin(0.7 * i) * 2);
    for (int64_t i = 0; i < n; ++i) pd[i] = p0[i];
    std::vector<std::vector<float>> p(1 + supported_isas().size(), p0), m(p.size(), std::vector<float>(n, 0)),
        v(p.size(), std::vector<float>(n, 0));
    for (int t = 1; t <= 3; ++t) {
      std::vector<float> g(n);
      for (int64_t i = 0; i < n; ++i) g[i] = static_cast<float>(std::cos(1.3 * i + t) * (i % 5 == 0 ? 1e-3 : 1.0));
      AdamCoeffs c{static_cast<float>(b1), static_cast<float>(b2), static_cast<float>(eps),
                   decoupled ? 0.f : static_cast<float>(wd), decoupled ? static_cast<float>(lr * wd) : 0.f,
                   static_cast<float>(lr / (1 - std::pow(b1, t))),
                   static_cast<float>(1 / std::sqrt(1 - std::pow(b2, t)))};
      ref_row_kernels<float>().adam(p[0].data(), g.data(), m[0].data(), v[0].data(), n, c);
      for (size_t k = 0; k < supported_isas().size(); ++k)
        row_kernels(supported_isas()[k]).adam(p[k + 1].data(), g.data(), m[k + 1].data(), v[k + 1].data(), n, c);
      for (int64_t i = 0; i < n; ++i) {
        const double gi = g[i] + (decoupled ? 0 : wd * pd[i]);
        if (decoupled) pd[i] -= lr * wd * pd[i];
        md[i] = b1 * md[i] + (1 - b1) * gi;
        vd[i] = b2 * vd[i] + (1 - b2) * gi * gi;
        pd[i] -= lr / (1 - std::pow(b1, t)) * md[i] / (std::sqrt(vd[i] / (1 - std::pow(b2, t))) + eps);
      }
    }
    for (size_t k = 1; k < p.size(); ++k) {
      EXPECT_EQ(p[k], p[0]) << isa_name(supported_isas()[k - 1]) << (decoupled ? " AdamW" : " Adam");
      EXPECT_EQ(v[k], v[0]) << isa_name(supported_isas()[k - 1]);
    }
    for (int64_t i = 0; i < n; ++i) ASSERT_NEAR(p[0][i], pd[i], 1e-6 * (1 + std::abs(pd[i]))) << i;
  }
}

// The fused additive score of one query against 7 keys and its backward, on every ISA, against the
// double reference: widths below, at and between vector widths; dkeys and dv start non-zero
// (they accumulate), dq does not (it is written).
TEST(Activations, AdditiveScoreMatchesDoubleReferenceOnEveryIsa) {
  const int64_t n = 7;
  for (int64_t a : {5, 16, 19, 64}) {
    std::vector<double> q(a), keys(n * a), v(a), de(n);
    for (int64_t i = 0; i < a; ++i) q[i] = std::sin(0.9 * i + 0.3) * 1.5, v[i] = std::cos(1.7 * i);
    for (int64_t i = 0; i < n * a; ++i) keys[i] = std::sin(0.37 * i) * 2;
    for (int64_t j = 0; j < n; ++j) de[j] = std::cos(2.1 * j) - 0.2;
    std::vector<double> e(n), dq(a, 9), dk(n * a, 0.5), dv(a, 0.25);
    const auto& r = ref_row_kernels<double>();
    r.additive_score(q.data(), keys.data(), v.data(), e.data(), n, a);
    r.additive_score_backward(q.data(), keys.data(), v.data(), de.data(), dq.data(), dk.data(), dv.data(), n, a);
    auto f32 = [](const std::vector<double>& x) { return std::vector<float>(x.begin(), x.end()); };
    const auto qf = f32(q), kf = f32(keys), vf = f32(v), def = f32(de);
    for (Isa isa : supported_isas()) {
      const auto& k = row_kernels(isa);
      std::vector<float> ef(n), dqf(a, 9), dkf(n * a, 0.5f), dvf(a, 0.25f);
      k.additive_score(qf.data(), kf.data(), vf.data(), ef.data(), n, a);
      k.additive_score_backward(qf.data(), kf.data(), vf.data(), def.data(), dqf.data(), dkf.data(), dvf.data(), n, a);
      const std::string at = std::string(isa_name(isa)) + " a=" + std::to_string(a);
      for (int64_t j = 0; j < n; ++j) ASSERT_NEAR(ef[j], e[j], 2e-6 * a) << at << " e " << j;
      for (int64_t i = 0; i < a; ++i) ASSERT_NEAR(dqf[i], dq[i], 2e-6 * n) << at << " dq " << i;
      for (int64_t i = 0; i < a; ++i) ASSERT_NEAR(dvf[i], dv[i], 2e-6 * n) << at << " dv " << i;
      for (int64_t i = 0; i < n * a; ++i) ASSERT_NEAR(dkf[i], dk[i], 2e-6) << at << " dkeys " << i;
    }
  }
}

// kernels::gelu_tanh and its backward (blocks of 1024 through the active ISA's tanh) against the
// formulas in double, over more than one block and in place.
TEST(Activations, GeluTanhAndItsDerivativeMatchDouble) {
  const auto x = inputs();
  const int64_t n = static_cast<int64_t>(x.size());
  std::vector<float> y(n), dy(n), dx(n);
  for (int64_t i = 0; i < n; ++i) dy[i] = 0.5f + 0.001f * static_cast<float>(i % 7);
  gelu_tanh(x.data(), y.data(), n);
  gelu_tanh_backward(x.data(), dy.data(), dx.data(), n);
  const double k = std::sqrt(2.0 / M_PI);
  for (int64_t i = 0; i < n; ++i) {
    const double v = x[i], t = std::tanh(k * (v + 0.044715 * v * v * v));
    const double want_y = 0.5 * v * (1 + t);
    const double want_d = dy[i] * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * k * (1 + 3 * 0.044715 * v * v));
    ASSERT_NEAR(y[i], want_y, 1e-6 * (1 + std::abs(want_y))) << "x=" << v;
    ASSERT_NEAR(dx[i], want_d, 2e-6 * (1 + std::abs(want_d))) << "x=" << v;
  }
  std::vector<float> inplace = x;
  gelu_tanh(inplace.data(), inplace.data(), n);
  EXPECT_EQ(inplace, y);
}

}  // namespace
}  // namespace attnscope::kernels
