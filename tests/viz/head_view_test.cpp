#include "attnscope/viz/head_view.h"

#include <gtest/gtest.h>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/viz/model_view.h"
#include "fixtures.h"
#include "viz_test_util.h"

using namespace attnscope;

// Several heads overlaid: per query and head its 6 largest weights >= the threshold (the
// viewer's overlay rule), so the overlay of many heads stays readable; one head keeps 12.
TEST(HeadView, OneLinePerTopWeightAboveThresholdInSvg) {
  io::Trace t = fixture::self_trace(9, 1, 3, 1, /*causal=*/false, /*sharpness=*/0.3);
  viz::HeadViewOptions o;
  o.threshold = 0.02f;
  int64_t expected = 0, all = 0;
  for (int64_t h : {0, 2})
    for (int64_t q = 0; q < 9; ++q) {
      int64_t n = 0;
      for (int64_t k = 0; k < 9; ++k) n += t.layers[0].weights[static_cast<size_t>(h * 81 + q * 9 + k)] >= 0.02f;
      expected += std::min<int64_t>(n, 6);
      all += n;
    }
  ASSERT_GT(all, expected);  // the fixture has rows with more than 6 such weights
  const std::string path = fixture::out_path("head.svg");
  viz::HeadViewInfo info = viz::render_head_view(t, 0, {0, 2}, path, o);
  EXPECT_EQ(info.lines, expected);
  const std::string svg = read_file(path);
  EXPECT_EQ(fixture::xml_problem(svg), "");
  // Lines are the only round-capped strokes.
  EXPECT_EQ(static_cast<int64_t>(fixture::count(svg, "stroke-linecap:round")), expected);
  // One head: up to 12 per query, i.e. every weight >= the threshold of 9 keys.
  o.top = 0;
  EXPECT_EQ(viz::render_head_view(t, 0, {0}, fixture::out_path("head1.svg"), o).lines, [&] {
    int64_t n = 0;
    for (int64_t i = 0; i < 81; ++i) n += t.layers[0].weights[static_cast<size_t>(i)] >= 0.02f;
    return n;
  }());
}

TEST(HeadView, PngSizeAndLongInputsThinLabels) {
  io::Trace t = fixture::self_trace(300, 1, 2);
  const std::string path = fixture::out_path("head_long.png");
  viz::HeadViewInfo info = viz::render_head_view(t, 0, {focus::kHeadMean}, path);
  viz::Frame f = fixture::load_png(path);
  EXPECT_EQ(f.width, info.width);
  EXPECT_EQ(f.height, info.height);
  EXPECT_GT(info.label_step, 1);
  EXPECT_LT(info.height, 1300);
  EXPECT_THROW(viz::render_head_view(t, 0, {5}, fixture::out_path("x.png")), ConfigError);
  EXPECT_THROW(viz::render_head_view(t, 2, {}, fixture::out_path("x.png")), ConfigError);
}

// A top-k layer of 4 queries over a 2^20-key image grid: the head view (one row per token) refuses
// it before building its dense [Q, N] maps (issue 17: a 280 KB trace made render take 1.6 GB+).
TEST(HeadView, TooManyTokensIsAConfigErrorBeforeAnyMap) {
  io::Trace t;
  t.sequences.push_back({"tokens", {"a", "b", "c", "d"}, 0, 0});
  io::TraceSequence grid;
  grid.name = "image";
  grid.grid_h = grid.grid_w = 1024;
  grid.tokens.assign(size_t{1} << 20, "r");
  t.sequences.push_back(grid);
  io::TraceLayer L;
  L.name = "cross";
  L.query_seq = "tokens";
  L.key_seq = "image";
  L.queries = 4;
  L.keys = int64_t{1} << 20;
  L.keep = io::TraceKeep::topk;
  L.k = 1;
  L.topk_index = {0, 1, 2, 3};
  L.topk_weight = {1, 1, 1, 1};
  t.layers.push_back(L);
  try {
    viz::render_head_view(t, 0, {}, fixture::out_path("huge_head.png"));
    FAIL() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("use the heatmap view"), std::string::npos) << e.what();
  }
}

TEST(ModelView, GridIsLayersByHeads) {
  io::Trace t = fixture::self_trace(16, 4, 6);
  const std::string path = fixture::out_path("model.png");
  viz::ModelViewInfo info = viz::render_model_view(t, path);
  EXPECT_EQ(info.rows, 4);
  EXPECT_EQ(info.cols, 6);
  viz::Frame f = fixture::load_png(path);
  EXPECT_EQ(f.width, info.width);
  EXPECT_EQ(f.height, info.height);
  const std::string svg_path = fixture::out_path("model.svg");
  viz::render_model_view(t, svg_path);
  const std::string svg = read_file(svg_path);
  EXPECT_EQ(fixture::xml_problem(svg), "");
  // Each thumbnail is one embedded PNG, not 16 x 16 rectangles (issue 16: 5 x 8 heads of 40
  // tokens made a 10 MB SVG of rectangles).
  EXPECT_EQ(fixture::count(svg, "<image "), 4u * 6u);
  EXPECT_EQ(fixture::count(svg, "data:image/png;base64,"), 4u * 6u);
  EXPECT_EQ(fixture::count(svg, "fill-rule:nonzero;fill:rgb("), 0u);
  viz::ModelViewOptions bad;
  bad.colormap = "jet";
  EXPECT_THROW(viz::render_model_view(t, path, bad), ConfigError);
}

// The stories260K shape (5 layers x 8 heads, 40 tokens): the SVG stays small, under twice the
// PNG's bytes (it was 86 times the PNG as rectangles).
TEST(ModelView, ManyHeadsMakeASmallSvg) {
  io::Trace t = fixture::self_trace(40, 5, 8);
  const std::string svg_path = fixture::out_path("model_many.svg"), png_path = fixture::out_path("model_many.png");
  viz::render_model_view(t, svg_path);
  viz::render_model_view(t, png_path);
  const size_t svg = read_file(svg_path).size(), png = read_file(png_path).size();
  EXPECT_LT(svg, 2 * png) << svg << " bytes of SVG, " << png << " of PNG";
  EXPECT_LT(svg, 600'000u);
}

TEST(HeadGrid, OneThumbnailPerHead) {
  io::Trace t = fixture::self_trace(10, 1, 5);
  viz::ModelViewInfo info = viz::render_head_grid(t, 0, fixture::out_path("grid.png"));
  EXPECT_EQ(info.cols * info.rows >= 5, true);
  EXPECT_EQ(info.cols, 3);
  EXPECT_EQ(info.rows, 2);
}

// Issue 16 item 11: the head view was 420 px wide whatever its title, so a long model or layer
// name ran off the picture. Every picture sizes itself to its header (viz::FigureHeader): the
// title's ink ends inside the picture, with the margin to spare.
namespace {
// Rightmost non-white pixel in rows [y0, y1) (-1: none).
int rightmost_ink(const viz::Frame& f, int y0, int y1) {
  int right = -1;
  for (int y = y0; y < y1 && y < f.height; ++y)
    for (int x = 0; x < f.width; ++x)
      if ((f.at(x, y) & 0xFFFFFFu) != 0xFFFFFFu) right = std::max(right, x);
  return right;
}
}  // namespace

TEST(HeadView, LongTitlesAreNotClipped) {
  io::Trace t = fixture::self_trace(3, 1, 2);
  t.meta["model"] = "an-unusually-long-model-name/checkpoints/step-000120000-final-v2";
  t.layers[0].name = "model.decoder.layers.11.self_attention";
  const std::string path = fixture::out_path("head_long_title.png");
  viz::HeadViewInfo info = viz::render_head_view(t, 0, {}, path);
  const viz::Frame f = fixture::load_png(path);
  ASSERT_EQ(f.width, info.width);
  const int right = rightmost_ink(f, 14, 32);  // the title line
  EXPECT_GT(info.width, 420);
  EXPECT_GT(right, 300);
  EXPECT_LT(right, f.width - 10) << "title clipped at the right edge";
  // The same header rule in the other pictures.
  for (const std::string kind : {"model", "grid"}) {
    const std::string p = fixture::out_path("long_title_" + kind + ".png");
    viz::ModelViewInfo mi = kind == "model" ? viz::render_model_view(t, p) : viz::render_head_grid(t, 0, p);
    const viz::Frame g = fixture::load_png(p);
    ASSERT_EQ(g.width, mi.width);
    EXPECT_LT(rightmost_ink(g, 14, 32), g.width - 10) << kind;
  }
}

// Issue 16: the static head view splits a sentence pair as the viewer does: a dashed rule across
// each label column between tokens 4 and 5 and the letters A and B (#2d5fa8) outside the labels;
// without segments the picture has neither (and no band).
TEST(HeadView, SentencePairIsSplitAndLettered) {
  io::Trace t = fixture::self_trace(12, 1, 1, 1, /*causal=*/false);
  auto blue = [](const viz::Frame& f, int x0, int x1) {
    int n = 0;
    for (int y = 58; y < f.height; ++y)  // below the legend (head 0's swatch is blue too)
      for (int x = std::max(0, x0); x < std::min(f.width, x1); ++x) {
        const uint32_t p = f.at(x, y);
        n += viz::Frame::b(p) > viz::Frame::r(p) + 60 && viz::Frame::b(p) > 120 && viz::Frame::g(p) < 130;
      }
    return n;
  };
  const std::string plain = fixture::out_path("head_nopair.png"), pair = fixture::out_path("head_pair.png");
  const viz::HeadViewInfo a = viz::render_head_view(t, 0, {0}, plain);
  t.sequences[0].segments = {0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1};
  const viz::HeadViewInfo b = viz::render_head_view(t, 0, {0}, pair);
  const viz::Frame fa = fixture::load_png(plain), fb = fixture::load_png(pair);
  EXPECT_EQ(b.width, a.width + 32);  // a 16 px band outside each label column
  EXPECT_EQ(blue(fa, 0, 30) + blue(fa, fa.width - 30, fa.width), 0);
  EXPECT_GT(blue(fb, 0, 30), 20) << "A and B left of the query labels";
  EXPECT_GT(blue(fb, fb.width - 30, fb.width), 20) << "A and B right of the key labels";
  // The rule: grey dashes across the query labels, on the row boundary between "a" (token 4)
  // and "mat" (5): exactly halfway between the A and B letters' rows (18 px a row).
  std::vector<int> letter_rows, rule_rows;
  for (int y = 58; y < fb.height; ++y) {
    int grey = 0, ink = 0;
    for (int x = 0; x < 30; ++x) {
      const uint32_t p = fb.at(x, y);
      ink += viz::Frame::b(p) > viz::Frame::r(p) + 60 && viz::Frame::b(p) > 120;
    }
    for (int x = 14; x < 30; ++x) {  // the letter band: only letters and the rule are drawn there
      const uint32_t p = fb.at(x, y);
      grey += viz::Frame::r(p) > 140 && viz::Frame::r(p) < 200 && viz::Frame::r(p) == viz::Frame::b(p);
    }
    if (ink) letter_rows.push_back(y);
    if (grey >= 6) rule_rows.push_back(y);
  }
  ASSERT_FALSE(letter_rows.empty());
  ASSERT_EQ(rule_rows.size(), 1u);
  const int a_mid = letter_rows.front() + 4, b_mid = letter_rows.back() - 4;  // the letters' centres, about
  EXPECT_NEAR(rule_rows[0], a_mid + 4.5 * 18, 6) << "rule between tokens 4 and 5";
  EXPECT_NEAR(b_mid - a_mid, 5 * 18, 6);
}
