#include "attnscope/viz/color_scale.h"

#include <gtest/gtest.h>

#include <vector>

#include "attnscope/core/error.h"

using namespace attnscope;

// The automatic top is web/views/matrix.js's: sort the values > 0, take index
// min(n - 1, floor(0.99 n)).
TEST(ColorScale, PercentileTopIsTheViewersRule) {
  std::vector<float> v;
  for (int i = 1; i <= 200; ++i) v.push_back(float(i) / 200.0f);
  v.push_back(0.0f);
  v.push_back(-1.0f);  // not > 0: ignored, as the viewer's filter
  EXPECT_EQ(viz::percentile_top(v), 199.0f / 200.0f);  // 200 values: index floor(198.0) = 198
  std::vector<float> few = {0.1f, 1.0f, 0.3f};
  EXPECT_EQ(viz::percentile_top(few), 1.0f);  // fewer than 100 values: the max
  EXPECT_EQ(viz::percentile_top(std::vector<float>{0.0f, 0.0f}), 0.0f);
}

TEST(ColorScale, CurvesTopAndParsing) {
  const viz::ColorScale sq(0.25f, viz::ScaleCurve::sqrt);
  EXPECT_DOUBLE_EQ(sq.t(0.0625), 0.5);
  EXPECT_DOUBLE_EQ(sq.t(0.5), 1.0);  // above the top: the top colour
  EXPECT_DOUBLE_EQ(sq.t(-0.1), 0.0);
  EXPECT_DOUBLE_EQ(sq.value_at(0.5), 0.0625);
  const viz::ColorScale lin(0.5f, viz::ScaleCurve::linear);
  EXPECT_DOUBLE_EQ(lin.t(0.25), 0.5);
  // fit: an explicit top wins; an all-zero picture gets top 1.
  const std::vector<float> vals = {0.0f, 0.2f, 1.0f};
  EXPECT_EQ(viz::ColorScale::fit({0.4f, viz::ScaleCurve::linear}, vals).top(), 0.4f);
  EXPECT_EQ(viz::ColorScale::fit({}, std::vector<float>(5, 0.0f)).top(), 1.0f);
  EXPECT_EQ(viz::ColorScale::fit({}, vals).curve(), viz::ScaleCurve::sqrt);  // the default
  EXPECT_EQ(viz::parse_scale_curve("linear"), viz::ScaleCurve::linear);
  EXPECT_EQ(viz::parse_scale_curve("sqrt"), viz::ScaleCurve::sqrt);
  EXPECT_THROW(viz::parse_scale_curve("log"), ConfigError);
  EXPECT_THROW(viz::check_color_scale({-1.0f, viz::ScaleCurve::sqrt}), ConfigError);
}
