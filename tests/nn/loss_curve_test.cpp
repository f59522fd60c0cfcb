// ascii_loss_plot: one mark per column, log scale for positive values, range labels.
#include <gtest/gtest.h>

#include <cmath>
#include <sstream>

#include "attnscope/nn/loss_curve.h"

namespace attnscope::nn {
namespace {

std::vector<std::string> lines(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

TEST(LossCurve, DecreasingCurveGoesFromTopLeftToBottomRight) {
  std::vector<float> v;
  for (int i = 0; i < 200; ++i) v.push_back(2.0f * std::exp(-i / 40.0f));
  const auto l = lines(ascii_loss_plot(v, 40, 10));
  ASSERT_EQ(l.size(), 12u);  // 10 rows, axis, footer
  EXPECT_EQ(l[0].find('|'), 10u);
  EXPECT_EQ(l[0][11], '*');                 // first column at the top
  EXPECT_EQ(l[9].back(), '*');              // last column at the bottom
  EXPECT_NE(l[0].find("1.9"), std::string::npos) << l[0];  // top label ~ max bucket mean
  EXPECT_NE(l[11].find("200"), std::string::npos);
  EXPECT_NE(l[11].find("log scale"), std::string::npos);
  int marks = 0;
  for (int r = 0; r < 10; ++r)
    for (char c : l[r]) marks += c == '*';
  EXPECT_EQ(marks, 40);
}

TEST(LossCurve, DegenerateInputs) {
  EXPECT_EQ(ascii_loss_plot({}), "(no finite values to plot)\n");
  EXPECT_EQ(ascii_loss_plot({NAN, INFINITY}), "(no finite values to plot)\n");
  const auto l = lines(ascii_loss_plot({1.0f, 1.0f, 1.0f}, 64, 5));  // flat, fewer points than width
  ASSERT_EQ(l.size(), 7u);
  EXPECT_EQ(l[4].substr(11), "***");  // a flat curve lies on the bottom row
  EXPECT_EQ(lines(ascii_loss_plot({-1.0f, 1.0f}, 10, 4)).back().find("log"), std::string::npos);
}

}  // namespace
}  // namespace attnscope::nn
