#include "attnscope/viz/series_chart.h"

#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "viz_test_util.h"

using namespace attnscope;

namespace {

// A run: exact rising linearly to `top` over steps 0..400, two heads whose entropy falls.
focus::TrainingSeries make_series(double top) {
  focus::TrainingSeries s;
  for (int64_t step = 0; step <= 400; step += 100) {
    focus::SeriesPoint p;
    p.step = step;
    p.values["exact"] = top * step / 400.0;
    p.values["entropy/decoder.cross/h0"] = 2.0 - step / 400.0;
    p.values["entropy/decoder.cross/h1"] = 1.5;
    p.roles["decoder.cross/h0"] = step < 200 ? "broad" : "focused";
    s.points.push_back(p);
  }
  return s;
}

// True when a pixel within 1 px of (x, y) has colour c (anti-aliasing blurs line edges).
bool near_colour(const viz::Frame& f, double x, double y, viz::Rgb c) {
  const viz::Rgb8 want{static_cast<uint8_t>(std::lround(c.r * 255)), static_cast<uint8_t>(std::lround(c.g * 255)),
                       static_cast<uint8_t>(std::lround(c.b * 255))};
  for (int dy = -1; dy <= 1; ++dy)
    for (int dx = -1; dx <= 1; ++dx) {
      const uint32_t p = f.at(static_cast<int>(x) + dx, static_cast<int>(y) + dy);
      if (std::abs(viz::Frame::r(p) - want.r) <= 3 && std::abs(viz::Frame::g(p) - want.g) <= 3 &&
          std::abs(viz::Frame::b(p) - want.b) <= 3)
        return true;
    }
  return false;
}

}  // namespace

TEST(SeriesChart, LayoutHasAPanelPerMeasureGroup) {
  const auto s = make_series(1.0);
  const auto L = viz::layout_series_chart({{"run", &s}});
  ASSERT_EQ(L.panels.size(), 2u);
  EXPECT_EQ(L.panels[0].name, "exact");
  EXPECT_TRUE(L.panels[0].lines.empty());
  EXPECT_EQ(L.panels[0].v_min, 0);  // a share keeps the whole [0, 1] axis
  EXPECT_EQ(L.panels[0].v_max, 1);
  EXPECT_EQ(L.panels[1].name, "entropy decoder.cross");
  EXPECT_EQ(L.panels[1].lines, (std::vector<std::string>{"h0", "h1"}));
  EXPECT_EQ(L.panels[1].step_min, 0);
  EXPECT_EQ(L.panels[1].step_max, 400);
  EXPECT_LT(L.panels[1].v_min, 1.0);
  EXPECT_GT(L.panels[1].v_max, 2.0);
}

TEST(SeriesChart, LinesAreDrawnWhereTheValuesAre) {
  const auto s = make_series(1.0);
  const std::string path = fixture::out_path("series.png");
  viz::render_series_chart(path, {{"run", &s}});
  const auto L = viz::layout_series_chart({{"run", &s}});
  const viz::Frame f = fixture::load_png(path);
  ASSERT_EQ(f.width, L.width);
  const auto& ex = L.panels[0];
  // Midway between the points at steps 100 and 200: exact = 0.375, in run 0's colour.
  EXPECT_TRUE(near_colour(f, ex.px(150), ex.py(0.375), viz::series_line_color(ex, 0, 0)));
  // Nothing is drawn where the line is not (the top-left of the exact panel stays white).
  EXPECT_EQ(f.at(static_cast<int>(ex.px(50)), static_cast<int>(ex.py(0.9))), 0xFFFFFFFFu);
  const auto& en = L.panels[1];
  EXPECT_TRUE(near_colour(f, en.px(250), en.py(2.0 - 250 / 400.0), viz::series_line_color(en, 0, 0)));  // h0 falls
  EXPECT_TRUE(near_colour(f, en.px(250), en.py(1.5), viz::series_line_color(en, 1, 0)));               // h1 flat
  EXPECT_NE(viz::series_line_color(en, 0, 0).r, viz::series_line_color(en, 1, 0).r);
}

TEST(SeriesChart, CompareOverlaysTheSecondRunDashed) {
  const auto a = make_series(1.0), b = make_series(0.5);
  const std::string path = fixture::out_path("series_compare.svg");
  viz::render_series_chart(path, {{"with", &a}, {"without", &b}});
  const std::string svg = read_file(path);
  EXPECT_EQ(fixture::xml_problem(svg), "");
  // Three lines per run (exact, h0, h1) plus the legend's sample: the second run's are dashed.
  EXPECT_EQ(fixture::count(svg, "stroke-dasharray"), 4u);
  const std::string png = fixture::out_path("series_compare.png");
  viz::render_series_chart(png, {{"with", &a}, {"without", &b}});
  const auto L = viz::layout_series_chart({{"with", &a}, {"without", &b}});
  const viz::Frame f = fixture::load_png(png);
  const auto& ex = L.panels[0];
  // At step 400 run one ends at 1.0, run two at 0.5, each in its own colour.
  EXPECT_TRUE(near_colour(f, ex.px(390), ex.py(0.975), viz::series_line_color(ex, 0, 0)));
  EXPECT_FALSE(near_colour(f, ex.px(390), ex.py(0.975), viz::series_line_color(ex, 0, 1)));
  // The dashed line has gaps: along run two's segment some samples are white.
  int ink = 0, blank = 0;
  for (int64_t st = 205; st < 395; st += 2) {
    const double v = 0.5 * st / 400.0;
    (near_colour(f, ex.px(st), ex.py(v), viz::series_line_color(ex, 0, 1)) ? ink : blank)++;
  }
  EXPECT_GT(ink, 10);
  EXPECT_GT(blank, 5);
}

TEST(SeriesChart, RefusesBadInput) {
  const auto a = make_series(1.0);
  focus::TrainingSeries empty, other;
  focus::SeriesPoint p;
  p.values["rationale"] = 0.5;
  other.points.push_back(p);
  EXPECT_THROW(viz::layout_series_chart({}), ConfigError);
  EXPECT_THROW(viz::layout_series_chart({{"empty", &empty}}), ConfigError);
  EXPECT_THROW(viz::layout_series_chart({{"a", &a}, {"other", &other}}), ConfigError);
  EXPECT_THROW(viz::layout_series_chart({{"a", &a}, {"a", &a}, {"a", &a}}), ConfigError);
}
