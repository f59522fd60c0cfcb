#include "attnscope/viz/heatmap.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/viz/cell_grid.h"
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
  viz::HeatmapOptions o;
  o.scale = {0.9f, viz::ScaleCurve::linear};  // the planted weight is the top colour, nothing else
  viz::Heatmap hm = viz::render_heatmap(t, 0, 1, path, o);
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
  o.scale = {0.9f, viz::ScaleCurve::linear};
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

// The colour of the cell centre holding (q, k), as a colour map entry (-1: none matches).
namespace {
int entry_at(const viz::Frame& f, const viz::Heatmap& hm, int64_t q, int64_t k, const viz::Colormap& cmap) {
  double cx, cy, cw, ch;
  hm.cell_rect(q, k, cx, cy, cw, ch);
  const uint32_t p = f.at(static_cast<int>(cx + cw / 2), static_cast<int>(cy + ch / 2));
  for (int i = 0; i < 256; ++i) {
    const viz::Rgb8 c = cmap.entry8(i);
    if (viz::Frame::r(p) == c.r && viz::Frame::g(p) == c.g && viz::Frame::b(p) == c.b) return i;
  }
  return -1;
}
}  // namespace

// Issue 16 item 7: a causal LM heatmap (row 0 is a 1.0) was scaled to that maximum, so the rest
// of the picture sat in the bottom of the map. The default is now the viewer's: 99th-percentile
// top and a sqrt curve; --vmax / --scale reach the same helper.
TEST(Heatmap, CausalTraceUsesTheViewersScaleByDefault) {
  io::Trace t = fixture::self_trace(40, 1, 1, 5, true, 0.5);
  const viz::Colormap& cmap = viz::colormap("viridis");
  const std::string path = fixture::out_path("causal_default.png");
  viz::Heatmap hm = viz::render_heatmap(t, 0, 0, path);
  const viz::Frame f = fixture::load_png(path);
  const io::TraceLayer& L = t.layers[0];
  // The top is the 99th percentile of the nonzero weights, not the 1.0 of row 0.
  std::vector<float> nz;
  for (float w : L.weights)
    if (w > 0) nz.push_back(w);
  std::sort(nz.begin(), nz.end());
  const float p99 = nz[std::min(nz.size() - 1, static_cast<size_t>(std::floor(double(nz.size()) * 0.99)))];
  EXPECT_EQ(hm.scale().top(), p99);
  EXPECT_LT(hm.scale().top(), 0.5f);
  EXPECT_EQ(hm.scale().curve(), viz::ScaleCurve::sqrt);
  // Every drawn weight has the entry sqrt(w / top) gives, and the typical cell is mid-map.
  std::vector<int> entries;
  for (int64_t q = 1; q < 40; ++q)
    for (int64_t k = 0; k <= q; ++k) {
      const float w = L.weights[static_cast<size_t>(q * 40 + k)];
      const int e = entry_at(f, hm, q, k, cmap);
      // Compare colours: neighbouring map entries can share an 8-bit colour.
      ASSERT_EQ(cmap.entry8(e), cmap.rgb8(std::sqrt(std::min(1.0, double(w) / p99)))) << q << "," << k;
      entries.push_back(e);
    }
  auto median = [](std::vector<int> e) {
    std::nth_element(e.begin(), e.begin() + static_cast<std::ptrdiff_t>(e.size() / 2), e.end());
    return e[e.size() / 2];
  };
  // An explicit linear scale with the top at 1.0 is the old picture (scaled to the maximum).
  viz::HeatmapOptions o;
  o.scale = {1.0f, viz::ScaleCurve::linear};
  const std::string lin = fixture::out_path("causal_linear.png");
  viz::Heatmap hl = viz::render_heatmap(t, 0, 0, lin, o);
  const viz::Frame fl = fixture::load_png(lin);
  EXPECT_EQ(entry_at(fl, hl, 0, 0, cmap), 255);
  EXPECT_EQ(cmap.entry8(entry_at(fl, hl, 20, 3, cmap)), cmap.rgb8(L.weights[20 * 40 + 3]));
  std::vector<int> old;
  for (int64_t q = 1; q < 40; ++q)
    for (int64_t k = 0; k <= q; ++k) old.push_back(entry_at(fl, hl, q, k, cmap));
  // The median cell: in the bottom fifth of the map before, past a third now.
  EXPECT_LT(median(old), 50);
  EXPECT_GT(median(entries), 85);
}

// A top-k layer is drawn from its sparse rows: the same picture as the dense layer it came from
// when k keeps every key, and cells outside the kept keys are 0.
TEST(Heatmap, TopkLayerDrawsLikeItsDenseLayer) {
  io::Trace dense = fixture::self_trace(30, 1, 2, 9, true, 1.0);
  io::Trace topk = dense;
  io::TraceLayer& L = topk.layers[0];
  L.keep = io::TraceKeep::topk;
  L.k = 30;
  L.topk_index.assign(static_cast<size_t>(2 * 30 * 30), -1);
  L.topk_weight.assign(static_cast<size_t>(2 * 30 * 30), 0.0f);
  for (int64_t r = 0; r < 2 * 30; ++r) {
    std::vector<int32_t> idx(30);
    for (int32_t i = 0; i < 30; ++i) idx[static_cast<size_t>(i)] = i;
    const float* w = dense.layers[0].weights.data() + r * 30;
    std::stable_sort(idx.begin(), idx.end(), [&](int32_t a, int32_t b) { return w[a] > w[b]; });
    for (int64_t j = 0; j < 30; ++j) {
      if (w[idx[static_cast<size_t>(j)]] <= 0) break;
      L.topk_index[static_cast<size_t>(r * 30 + j)] = idx[static_cast<size_t>(j)];
      L.topk_weight[static_cast<size_t>(r * 30 + j)] = w[idx[static_cast<size_t>(j)]];
    }
  }
  L.weights.clear();
  for (int64_t head : {int64_t{0}, int64_t{1}, focus::kHeadMean}) {
    const viz::CellGrid a = viz::aggregate_max(dense.layers[0], head, 7, 11);
    const viz::CellGrid b = viz::aggregate_max(L, head, 7, 11);
    EXPECT_EQ(a.fr, b.fr);
    EXPECT_EQ(a.fc, b.fc);
    EXPECT_EQ(a.v, b.v) << head;
  }
}

// Right-to-left tokens keep to their label boxes: the cell area of a heatmap whose tokens are
// Arabic and Hebrew is pixel for pixel the one of the same weights with Latin tokens (RTL labels
// were drawn right-aligned across the cells), and every label's ink stays in the margins.
TEST(Heatmap, RightToLeftLabelsStayOutOfTheCells) {
  io::Trace latin = fixture::self_trace(8, 1, 1, 1, false, 0.5);
  io::Trace rtl = latin;
  const char* words[] = {"\u0645\u0631\u062D\u0628\u0627", "\u05E9\u05DC\u05D5\u05DD", "\u0627\u0644\u0643\u062A\u0627\u0628",
                         "\u05E2\u05D5\u05DC\u05DD", "\u0628\u064A\u062A", "abc \u05D3\u05D2", "\u05D3\u05D2 abc", "\u0642"};
  for (size_t i = 0; i < 8; ++i) {
    rtl.sequences[0].tokens[i] = words[i];
    latin.sequences[0].tokens[i] = std::string(rtl.sequences[0].tokens[i].size() / 2, 'x');
  }
  viz::Frame f[2];
  viz::Heatmap hm[2] = {viz::render_heatmap(latin, 0, 0, fixture::out_path("ltr.png")),
                        viz::render_heatmap(rtl, 0, 0, fixture::out_path("rtl.png"))};
  f[0] = fixture::load_png(fixture::out_path("ltr.png"));
  f[1] = fixture::load_png(fixture::out_path("rtl.png"));
  double x[2], y[2], w, h, x1, y1;
  for (int i = 0; i < 2; ++i) hm[i].cell_rect(0, 0, x[i], y[i], w, h);
  hm[1].cell_rect(7, 7, x1, y1, w, h);
  const int cw = static_cast<int>(x1 + w - x[1]), ch = static_cast<int>(y1 + h - y[1]);
  int differ = 0;
  for (int dy = 0; dy < ch; ++dy)
    for (int dx = 0; dx < cw; ++dx)
      differ += f[0].at(static_cast<int>(x[0]) + dx, static_cast<int>(y[0]) + dy) !=
                f[1].at(static_cast<int>(x[1]) + dx, static_cast<int>(y[1]) + dy);
  EXPECT_EQ(differ, 0) << "label ink inside the cells";
  // Query labels: ink left of the cells, inside the picture (nothing cut at the left edge).
  int ink_left = f[1].width;
  for (int yy = static_cast<int>(y[1]); yy < static_cast<int>(y[1]) + ch; ++yy)
    for (int xx = 0; xx < static_cast<int>(x[1]); ++xx)
      if ((f[1].at(xx, yy) & 0xFFFFFF) != 0xFFFFFF) ink_left = std::min(ink_left, xx);
  EXPECT_GT(ink_left, 2) << "query labels reach the picture's edge";
  EXPECT_LT(ink_left, static_cast<int>(x[1]) - 8) << "no query label ink at all";
}

// Issue 16: heatmaps had no axis titles (which side is the query, which the key).
TEST(Heatmap, AxesAreTitledQueryAndKeyOrTheirSequences) {
  const io::Trace self = fixture::self_trace(6, 1, 1);
  viz::Heatmap hm = viz::render_heatmap(self, 0, 0, fixture::out_path("axes.png"));
  EXPECT_EQ(hm.query_title(), "query");
  EXPECT_EQ(hm.key_title(), "key");
  // Ink in the title bands: left of the query labels, below the key labels.
  const viz::Frame f = fixture::load_png(fixture::out_path("axes.png"));
  double x, y, w, h, x1, y1;
  hm.cell_rect(0, 0, x, y, w, h);
  hm.cell_rect(5, 5, x1, y1, w, h);
  auto ink = [&](int xa, int ya, int xb, int yb) {
    int n = 0;
    for (int yy = ya; yy < yb; ++yy)
      for (int xx = xa; xx < xb; ++xx) n += (f.at(xx, yy) & 0xFFFFFF) != 0xFFFFFF;
    return n;
  };
  EXPECT_GT(ink(0, static_cast<int>(y), 30, static_cast<int>(y1 + h)), 10) << "no query axis title";
  EXPECT_GT(ink(static_cast<int>(x), f.height - 30, static_cast<int>(x1 + w), f.height), 10) << "no key axis title";

  io::Trace cross = self;
  cross.sequences.push_back({"source", fixture::words(6), 0, 0});
  cross.layers[0].key_seq = "source";
  cross.sequences[0].name = "target";
  cross.layers[0].query_seq = "target";
  const viz::Heatmap c = viz::render_heatmap(cross, 0, 0, fixture::out_path("axes_cross.svg"));
  EXPECT_EQ(c.query_title(), "target (query)");
  EXPECT_EQ(c.key_title(), "source (key)");
}

// CellMarks::image (the model view's thumbnails) paints a PNG with the same pixels as one
// rectangle per cell, at a scale that is not a whole number of pixels per cell.
TEST(CellGrid, ImageMarksPaintTheSamePixelsAsRectangles) {
  io::Trace t = fixture::self_trace(40, 1, 1);
  const viz::CellGrid g = viz::aggregate_max(t.layers[0], 0, 40, 40);
  const viz::ColorScale scale = viz::viewer_scale(t.layers[0], 0, {});
  std::vector<std::vector<uint32_t>> painted;
  for (viz::CellMarks marks : {viz::CellMarks::fit, viz::CellMarks::image}) {
    cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 110, 110);
    cairo_t* cr = cairo_create(s);
    EXPECT_EQ(viz::draw_cells(cr, 7, 5, 96, 96, g, viz::colormap("viridis"), scale, marks),
              marks == viz::CellMarks::image ? 1 : 40 * 40);
    cairo_surface_flush(s);
    const auto* d = reinterpret_cast<const uint32_t*>(cairo_image_surface_get_data(s));
    painted.emplace_back(d, d + 110 * 110);
    cairo_destroy(cr);
    cairo_surface_destroy(s);
  }
  int64_t differ = 0;
  for (size_t i = 0; i < painted[0].size(); ++i) differ += (painted[0][i] & 0xFFFFFFu) != (painted[1][i] & 0xFFFFFFu);
  EXPECT_EQ(differ, 0);
}

// Issue 16: static render ignored sentence-pair segments, which the viewer splits and letters.
// The heatmap of a pair (A = tokens 0..4, B = 5..11) has a white rule between rows 4 and 5 and
// between columns 4 and 5, and the letters A and B (the viewer's blue) beside the labels and
// above the columns; without segments neither.
TEST(Heatmap, SentencePairIsSplitByARuleAndLettered) {
  io::Trace t = fixture::self_trace(12, 1, 1, 1, /*causal=*/false, /*sharpness=*/0.5);
  t.sequences[0].segments = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
  auto blue_pixels = [](const viz::Frame& f, int x0, int y0, int x1, int y1) {
    int n = 0;
    for (int y = std::max(0, y0); y < std::min(f.height, y1); ++y)
      for (int x = std::max(0, x0); x < std::min(f.width, x1); ++x) {
        const uint32_t p = f.at(x, y);
        n += viz::Frame::b(p) > viz::Frame::r(p) + 60 && viz::Frame::b(p) > 120;  // #2d5fa8 and its antialiasing
      }
    return n;
  };
  for (const bool pair : {true, false}) {
    if (!pair) t.sequences[0].segments.clear();
    const std::string path = fixture::out_path(pair ? "pair.png" : "nopair.png");
    viz::Heatmap hm = viz::render_heatmap(t, 0, 0, path);
    const viz::Frame f = fixture::load_png(path);
    double x4, y4, x5, y5, w, h;
    hm.cell_rect(4, 4, x4, y4, w, h);
    hm.cell_rect(5, 5, x5, y5, w, h);
    const int rule_y = static_cast<int>(std::floor(y5)), rule_x = static_cast<int>(std::floor(x5));
    const uint32_t across = f.at(static_cast<int>(x4 - 2 * w), rule_y), down = f.at(rule_x, static_cast<int>(y4 - 2 * h));
    const bool white = (across & 0xFFFFFFu) == 0xFFFFFFu && (down & 0xFFFFFFu) == 0xFFFFFFu;
    EXPECT_EQ(white, pair) << "rule at y=" << rule_y << " x=" << rule_x;
    // The letters: left of the query labels (the band left of the widest label) and above the key columns.
    double px, py;
    hm.cell_rect(0, 0, px, py, w, h);
    const int left = blue_pixels(f, 0, static_cast<int>(py), static_cast<int>(px) - 30, static_cast<int>(py + 12 * h));
    const int top = blue_pixels(f, static_cast<int>(px), static_cast<int>(py) - 14, static_cast<int>(px + 12 * w),
                                static_cast<int>(py));
    if (pair) {
      EXPECT_GT(left, 20) << "A and B beside the query labels";
      EXPECT_GT(top, 20) << "A and B above the key columns";
    } else {
      EXPECT_EQ(left + top, 0);
    }
  }
}
