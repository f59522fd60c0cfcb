#include "attnscope/viz/heatmap.h"

#include <gtest/gtest.h>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"
#include "fixtures.h"
#include "viz_test_util.h"

using namespace attnscope;

namespace {
// Position of the pixel whose colour is the colormap's top entry (the hottest weight).
// Searches only the cell area [x0, x1) x [y0, y1) (the colour bar also holds the top colour).
bool find_colour(const viz::Frame& f, viz::Rgb8 c, int x0, int y0, int x1, int y1, int& x, int& y) {
  for (y = y0; y < y1; ++y)
    for (x = x0; x < x1; ++x) {
      const uint32_t p = f.at(x, y);
      if (viz::Frame::r(p) == c.r && viz::Frame::g(p) == c.g && viz::Frame::b(p) == c.b) return true;
    }
  return false;
}
}  // namespace

TEST(Heatmap, HottestCellIsWhereTheTracePutsIt) {
  // Bidirectional rows of mild attention (max well below 0.9) and one planted 0.9 weight.
  io::Trace t = fixture::self_trace(12, 1, 2, 1, false, 0.5);
  fixture::plant(t.layers[0], 1, 9, 4, false);
  const std::string path = fixture::out_path("hot.png");
  viz::Heatmap hm = viz::render_heatmap(t, 0, 1, path);
  viz::Frame f = fixture::load_png(path);
  ASSERT_EQ(f.width, hm.width());
  ASSERT_EQ(f.height, hm.height());
  double cx, cy, cw, ch;
  hm.cell_rect(9, 4, cx, cy, cw, ch);
  // The cell's centre is the top colour; no other cell is.
  const viz::Rgb8 top = viz::colormap("viridis").entry8(255);
  const uint32_t centre = f.at(static_cast<int>(cx + cw / 2), static_cast<int>(cy + ch / 2));
  EXPECT_EQ(viz::Frame::r(centre), top.r);
  EXPECT_EQ(viz::Frame::g(centre), top.g);
  EXPECT_EQ(viz::Frame::b(centre), top.b);
  for (int64_t q = 0; q < 12; ++q)
    for (int64_t k = 0; k < 12; ++k) {
      if (q == 9 && k == 4) continue;
      hm.cell_rect(q, k, cx, cy, cw, ch);
      const uint32_t p = f.at(static_cast<int>(cx + cw / 2), static_cast<int>(cy + ch / 2));
      EXPECT_FALSE(viz::Frame::r(p) == top.r && viz::Frame::g(p) == top.g && viz::Frame::b(p) == top.b)
          << q << "," << k;
    }
}

TEST(Heatmap, LongInputsAggregateAndThinLabels) {
  io::Trace t = fixture::self_trace(1000, 1, 1, 1, false, 0.5);
  fixture::plant(t.layers[0], 0, 900, 17, false);
  viz::HeatmapOptions o;
  o.budget = 400;
  const std::string path = fixture::out_path("long.png");
  viz::Heatmap hm = viz::render_heatmap(t, 0, 0, path, o);
  EXPECT_LE(hm.grid().rows, 200);  // 2 px cells at least
  EXPECT_GT(hm.grid().fr, 1);
  EXPECT_GT(hm.query_label_step(), 1);
  EXPECT_LE(hm.width(), 400 + 400);  // cells + labels, colour bar, margins
  // The max-aggregated cell holding (900, 17) is the hottest.
  viz::Frame f = fixture::load_png(path);
  int x = 0, y = 0;
  double cx, cy, cw, ch, ex, ey, ew, eh;
  hm.cell_rect(0, 0, cx, cy, cw, ch);
  hm.cell_rect(999, 999, ex, ey, ew, eh);
  ASSERT_TRUE(find_colour(f, viz::colormap("viridis").entry8(255), int(cx), int(cy), int(ex + ew), int(ey + eh), x, y));
  hm.cell_rect(900, 17, cx, cy, cw, ch);
  EXPECT_GE(x, cx - 1);
  EXPECT_LE(x, cx + cw + 1);
  EXPECT_GE(y, cy - 1);
  EXPECT_LE(y, cy + ch + 1);
}

TEST(Heatmap, SvgIsValidXmlWithOneMarkPerCell) {
  io::Trace t = fixture::self_trace(7, 1, 1);
  const std::string path = fixture::out_path("cells.svg");
  viz::Heatmap hm = viz::render_heatmap(t, 0, 0, path);
  const std::string svg = read_file(path);
  EXPECT_EQ(fixture::xml_problem(svg), "");
  EXPECT_EQ(hm.grid().rows * hm.grid().cols, 49);
  // Cells are the only filled rectangles without stroke: cairo writes each as one <path>
  // whose d is a closed 4-point rectangle.
  EXPECT_EQ(fixture::count(svg, "fill-rule:nonzero;fill:rgb("), 49u) << svg.substr(0, 3000);
}

TEST(Heatmap, PdfAndBadInput) {
  io::Trace t = fixture::self_trace(5, 1, 2);
  const std::string pdf = fixture::out_path("h.pdf");
  viz::render_heatmap(t, 0, focus::kHeadMean, pdf);
  EXPECT_EQ(read_file(pdf).rfind("%PDF", 0), 0u);
  viz::HeatmapOptions o;
  o.colormap = "rainbow";
  EXPECT_THROW(viz::render_heatmap(t, 0, 0, fixture::out_path("x.png"), o), ConfigError);
  EXPECT_THROW(viz::render_heatmap(t, 0, 5, fixture::out_path("x.png")), ConfigError);
  EXPECT_THROW(viz::render_heatmap(t, 3, 0, fixture::out_path("x.png")), ConfigError);
  EXPECT_THROW(viz::render_heatmap(t, 0, 0, fixture::out_path("x.bmp")), ConfigError);
  EXPECT_THROW(viz::render_heatmap(t, 0, 0, "/nonexistent-dir/x.png"), IoError);
  t.sequences[0].tokens.push_back("extra");
  EXPECT_THROW(viz::render_heatmap(t, 0, 0, fixture::out_path("x.png")), ShapeError);
}
