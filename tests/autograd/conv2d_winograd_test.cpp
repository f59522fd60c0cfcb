// Winograd F(2x2, 3x3) and F(4x4, 3x3) convolution (autograd/ops/conv2d_winograd.h) against the
// definition, in float64: the output, and the backward pass (dx, dw) against the definition's
// adjoint, for both tile sides on sizes that cut the last tiles, paddings 0..2 and a 1x1 image.
// conv2d's own tests (ops_cases gradchecks, ops_f32) run the path conv2d picks.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "attnscope/autograd/ops/conv2d_winograd.h"

namespace attnscope::ops::conv {
namespace {

struct Direct {
  std::vector<double> y, dx, dw;
};

// y = conv(x, w) + bias; dx, dw for the upstream gradient dy, straight from the sums.
Direct direct(const ConvGeom& g, const std::vector<double>& x, const std::vector<double>& w,
              const std::vector<double>& bias, const std::vector<double>& dy) {
  Direct d{std::vector<double>(static_cast<size_t>(g.B * g.Cout * g.Ho * g.Wo)), std::vector<double>(x.size()),
           std::vector<double>(w.size())};
  for (int64_t b = 0; b < g.B; ++b)
    for (int64_t co = 0; co < g.Cout; ++co)
      for (int64_t oh = 0; oh < g.Ho; ++oh)
        for (int64_t ow = 0; ow < g.Wo; ++ow) {
          const size_t yi = static_cast<size_t>(((b * g.Cout + co) * g.Ho + oh) * g.Wo + ow);
          double s = bias[static_cast<size_t>(co)];
          for (int64_t ci = 0; ci < g.Cin; ++ci)
            for (int64_t kh = 0; kh < 3; ++kh)
              for (int64_t kw = 0; kw < 3; ++kw) {
                const int64_t ih = oh - g.pad + kh, iw = ow - g.pad + kw;
                if (ih < 0 || ih >= g.H || iw < 0 || iw >= g.W) continue;
                const size_t xi = static_cast<size_t>(((b * g.Cin + ci) * g.H + ih) * g.W + iw);
                const size_t wi = static_cast<size_t>(((co * g.Cin + ci) * 3 + kh) * 3 + kw);
                s += x[xi] * w[wi];
                d.dx[xi] += w[wi] * dy[yi];
                d.dw[wi] += x[xi] * dy[yi];
              }
          d.y[yi] = s;
        }
  return d;
}

void expect_near(const std::vector<double>& got, const std::vector<double>& want, const std::string& what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) ASSERT_NEAR(got[i], want[i], 1e-10) << what << " at " << i;
}

TEST(Conv2dWinograd, BothTileSidesMatchTheDefinitionForwardAndBackward) {
  std::mt19937 rng(3);
  std::uniform_real_distribution<double> u(-1, 1);
  auto draw = [&](int64_t n) {
    std::vector<double> v(static_cast<size_t>(n));
    for (double& e : v) e = u(rng);
    return v;
  };
  struct Case {
    int64_t B, Cin, Cout, H, W, pad;
  };
  for (const Case c : {Case{2, 8, 9, 9, 10, 1}, Case{3, 8, 8, 5, 7, 0}, Case{1, 9, 8, 13, 6, 2}, Case{2, 8, 8, 1, 1, 1},
                       Case{1, 8, 8, 4, 4, 0}}) {
    ConvGeom g{c.B, c.Cin, c.H, c.W, c.Cout, 3, 3, c.H + 2 * c.pad - 2, c.W + 2 * c.pad - 2, 1, c.pad};
    const std::vector<double> x = draw(g.B * g.Cin * g.H * g.W), w = draw(g.Cout * g.Cin * 9), bias = draw(g.Cout),
                              dy = draw(g.B * g.Cout * g.Ho * g.Wo);
    const Direct want = direct(g, x, w, bias, dy);
    for (int m : {2, 4}) {
      const std::string what = "m " + std::to_string(m) + " x [" + std::to_string(c.B) + ", " + std::to_string(c.Cin) +
                               ", " + std::to_string(c.H) + ", " + std::to_string(c.W) + "] pad " + std::to_string(c.pad);
      std::vector<double> y(want.y.size()), dx(x.size(), 7.0), dw(w.size(), 0.0);
      winograd_forward(g, m, x.data(), w.data(), bias.data(), y.data());
      expect_near(y, want.y, what + " y");
      winograd_backward(g, m, x.data(), w.data(), dy.data(), dx.data(), dw.data());  // dx is overwritten
      expect_near(dx, want.dx, what + " dx");
      expect_near(dw, want.dw, what + " dw");
      std::vector<double> dw_only(w.size(), 1.0);  // dw accumulates; dx not wanted
      winograd_backward(g, m, x.data(), w.data(), dy.data(), static_cast<double*>(nullptr), dw_only.data());
      for (size_t i = 0; i < dw_only.size(); ++i) ASSERT_NEAR(dw_only[i], want.dw[i] + 1.0, 1e-10) << what;
    }
  }
}

TEST(Conv2dWinograd, AppliesWhereItWasMeasuredToWin) {
  const ConvGeom conv2{32, 32, 64, 64, 32, 3, 3, 64, 64, 1, 1}, rgb{32, 3, 64, 64, 32, 3, 3, 64, 64, 1, 1},
      strided{32, 32, 64, 64, 32, 3, 3, 32, 32, 2, 1}, five{32, 32, 64, 64, 32, 5, 5, 64, 64, 1, 2},
      small{32, 64, 8, 8, 64, 3, 3, 8, 8, 1, 1}, wide{8, 256, 14, 14, 256, 3, 3, 14, 14, 1, 1};
  EXPECT_TRUE(winograd_applies(conv2));
  EXPECT_FALSE(winograd_applies(small));
  EXPECT_FALSE(winograd_applies(wide));
  EXPECT_FALSE(winograd_applies(rgb));
  EXPECT_FALSE(winograd_applies(strided));
  EXPECT_FALSE(winograd_applies(five));
}

}  // namespace
}  // namespace attnscope::ops::conv
