// The float32 row kernels (kernels/rows.h) on every ISA this CPU supports, against the double
// reference: lengths around the vector widths (tails), fully masked rows, NaN rows.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

#include "attnscope/core/rng.h"
#include "attnscope/kernels/rows.h"

namespace attnscope::kernels {
namespace {

constexpr float kInf = std::numeric_limits<float>::infinity();
const int64_t kLengths[] = {1, 3, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1000};

std::vector<float> random_row(Rng& rng, int64_t n, double lo = -4, double hi = 4) {
  std::vector<float> v(n);
  for (auto& x : v) x = static_cast<float>(rng.uniform(lo, hi));
  return v;
}
std::vector<double> widen(const std::vector<float>& v) { return {v.begin(), v.end()}; }

void expect_near_rows(const std::vector<float>& got, const std::vector<double>& want, double tol,
                      const std::string& what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t j = 0; j < got.size(); ++j)
    ASSERT_NEAR(got[j], want[j], tol * (1 + std::abs(want[j]))) << what << " at " << j;
}

class RowKernels : public ::testing::TestWithParam<Isa> {
 protected:
  const RowKernelTable<float>& k() { return row_kernels(GetParam()); }
  const RowKernelTable<double>& ref() { return ref_row_kernels<double>(); }
};

TEST_P(RowKernels, SoftmaxFamilyMatchesReference) {
  Rng rng(1);
  for (int64_t n : kLengths) {
    const auto x = random_row(rng, n), dy = random_row(rng, n, -1, 1);
    const auto xd = widen(x), dyd = widen(dy);
    std::vector<float> y(n), dx(n);
    std::vector<double> yr(n), dxr(n);
    const std::string at = std::string(isa_name(GetParam())) + " n=" + std::to_string(n);

    k().softmax(x.data(), y.data(), n);
    ref().softmax(xd.data(), yr.data(), n);
    expect_near_rows(y, yr, 2e-6, "softmax " + at);
    k().softmax_backward(y.data(), dy.data(), dx.data(), n);
    ref().softmax_backward(yr.data(), dyd.data(), dxr.data(), n);
    expect_near_rows(dx, dxr, 2e-6, "softmax_backward " + at);

    k().log_softmax(x.data(), y.data(), n);
    ref().log_softmax(xd.data(), yr.data(), n);
    expect_near_rows(y, yr, 2e-6, "log_softmax " + at);
    k().log_softmax_backward(y.data(), dy.data(), dx.data(), n);
    ref().log_softmax_backward(yr.data(), dyd.data(), dxr.data(), n);
    expect_near_rows(dx, dxr, 2e-5, "log_softmax_backward " + at);

    EXPECT_NEAR(k().logsumexp(x.data(), n), ref().logsumexp(xd.data(), n), 1e-5) << at;
    EXPECT_NEAR(k().sum(x.data(), n), ref().sum(xd.data(), n), 1e-4 * std::sqrt(double(n))) << at;
    k().exp_affine(x.data(), 1.5f, 0.25f, -0.125f, dx.data(), n);
    ref().exp_affine(xd.data(), 1.5, 0.25, -0.125, dxr.data(), n);
    expect_near_rows(dx, dxr, 2e-6, "exp_affine " + at);
  }
}

TEST_P(RowKernels, NormsMatchReference) {
  Rng rng(2);
  for (int64_t n : kLengths) {
    const auto x = random_row(rng, n, -3, 5), g = random_row(rng, n, 0.5, 1.5),
               b = random_row(rng, n), dy = random_row(rng, n, -1, 1);
    const auto xd = widen(x), gd = widen(g), bd = widen(b), dyd = widen(dy);
    const std::string at = std::string(isa_name(GetParam())) + " n=" + std::to_string(n);
    std::vector<float> y(n), dx(n), dg(n, 0.5f), db(n, -0.5f);
    std::vector<double> yr(n), dxr(n), dgr(n, 0.5), dbr(n, -0.5);
    float mean, rstd;
    double meanr, rstdr;
    k().layer_norm(x.data(), g.data(), b.data(), 1e-5f, y.data(), &mean, &rstd, n);
    ref().layer_norm(xd.data(), gd.data(), bd.data(), 1e-5, yr.data(), &meanr, &rstdr, n);
    expect_near_rows(y, yr, 1e-5, "layer_norm " + at);
    EXPECT_NEAR(rstd, rstdr, 1e-4 * rstdr) << at;
    k().layer_norm_backward(x.data(), g.data(), mean, rstd, dy.data(), dx.data(), dg.data(), db.data(), n);
    ref().layer_norm_backward(xd.data(), gd.data(), meanr, rstdr, dyd.data(), dxr.data(), dgr.data(), dbr.data(), n);
    expect_near_rows(dx, dxr, 1e-4, "layer_norm dx " + at);
    expect_near_rows(dg, dgr, 1e-5, "layer_norm dgamma (+=) " + at);
    expect_near_rows(db, dbr, 1e-6, "layer_norm dbeta (+=) " + at);

    float rs;
    double rsr;
    k().rms_norm(x.data(), g.data(), 1e-6f, y.data(), &rs, n);
    ref().rms_norm(xd.data(), gd.data(), 1e-6, yr.data(), &rsr, n);
    expect_near_rows(y, yr, 1e-5, "rms_norm " + at);
    k().rms_norm_backward(x.data(), g.data(), rs, dy.data(), dx.data(), dg.data(), n);
    ref().rms_norm_backward(xd.data(), gd.data(), rsr, dyd.data(), dxr.data(), dgr.data(), n);
    expect_near_rows(dx, dxr, 1e-4, "rms_norm dx " + at);
    expect_near_rows(dg, dgr, 1e-5, "rms_norm dgamma " + at);
  }
}

TEST_P(RowKernels, FullyMaskedRowGivesZerosNotNaN) {
  for (int64_t n : kLengths) {
    std::vector<float> x(n, -kInf), y(n, 123.0f), dy(n, 1.0f), dx(n, 123.0f);
    k().softmax(x.data(), y.data(), n);
    for (float v : y) ASSERT_EQ(v, 0.0f) << "n=" << n;
    k().log_softmax(x.data(), y.data(), n);
    for (float v : y) ASSERT_EQ(v, 0.0f) << "n=" << n;
    if (n > 1) {
      k().log_softmax_backward(y.data(), dy.data(), dx.data(), n);
      for (float v : dx) ASSERT_EQ(v, 0.0f) << "n=" << n;
    }
    EXPECT_EQ(k().logsumexp(x.data(), n), -kInf);
  }
}

TEST_P(RowKernels, PartlyMaskedRowIgnoresMaskedEntries) {
  for (int64_t n : {2, 9, 17, 40}) {
    std::vector<float> x(n, -kInf), y(n);
    x[0] = 1.0f;
    x[n - 1] = 1.0f;
    k().softmax(x.data(), y.data(), n);
    EXPECT_FLOAT_EQ(y[0], 0.5f);
    EXPECT_FLOAT_EQ(y[n - 1], 0.5f);
    for (int64_t j = 1; j < n - 1; ++j) EXPECT_EQ(y[j], 0.0f);
  }
}

TEST_P(RowKernels, NaNPoisonsItsRow) {
  for (int64_t n : {5, 16, 33}) {
    std::vector<float> x(n, 0.5f), y(n);
    x[n / 2] = std::numeric_limits<float>::quiet_NaN();
    k().softmax(x.data(), y.data(), n);
    for (float v : y) EXPECT_TRUE(std::isnan(v)) << isa_name(GetParam()) << " n=" << n;
    x[n / 2] = kInf;  // +inf: inf - inf inside the row
    k().softmax(x.data(), y.data(), n);
    for (float v : y) EXPECT_TRUE(std::isnan(v)) << isa_name(GetParam()) << " n=" << n;
  }
}

INSTANTIATE_TEST_SUITE_P(Isa, RowKernels, ::testing::ValuesIn(supported_isas()),
                         [](const ::testing::TestParamInfo<Isa>& i) { return isa_name(i.param); });

}  // namespace
}  // namespace attnscope::kernels
