#include "attnscope/viz/stats_view.h"

#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/focus/row_stats.h"
#include "attnscope/focus/trace_row.h"
#include "attnscope/viz/colormap.h"
#include "attnscope/viz/render_view.h"
#include "fixtures.h"
#include "viz_test_util.h"

using namespace attnscope;

namespace {
// A stats-only layer of T tokens and 3 heads with planted rows: head 0 attends to the previous
// token (entropy rising from 0 to ln N, max weight falling from 1), head 1 to the first token,
// head 2 to itself; all with max weight 0.5 past head 0.
io::Trace stats_trace(int64_t T) {
  io::Trace t = fixture::self_trace(T, 1, 3);
  io::TraceLayer& L = t.layers[0];
  L.keep = io::TraceKeep::stats;
  L.weights.clear();
  L.entropy.assign(static_cast<size_t>(3 * T), 0.5f);
  L.max_weight.assign(static_cast<size_t>(3 * T), 0.5f);
  L.argmax.assign(static_cast<size_t>(3 * T), 0);
  for (int64_t q = 0; q < T; ++q) {
    L.entropy[static_cast<size_t>(q)] = static_cast<float>(std::log(double(T)) * double(q) / double(T - 1));
    L.max_weight[static_cast<size_t>(q)] = 1.0f - static_cast<float>(q) / static_cast<float>(T - 1);
    L.argmax[static_cast<size_t>(q)] = static_cast<int32_t>(std::max<int64_t>(0, q - 1));
    L.argmax[static_cast<size_t>(2 * T + q)] = static_cast<int32_t>(q);
  }
  return t;
}

bool same(uint32_t p, viz::Rgb8 c, int tol = 2) {
  return std::abs(int(viz::Frame::r(p)) - c.r) <= tol && std::abs(int(viz::Frame::g(p)) - c.g) <= tol &&
         std::abs(int(viz::Frame::b(p)) - c.b) <= tol;
}
bool white(uint32_t p) { return viz::Frame::r(p) > 240 && viz::Frame::g(p) > 240 && viz::Frame::b(p) > 240; }
}  // namespace

// Issue 16 item 10: a trace captured with only row statistics draws them — per head, the strips
// hold each query's entropy / ln N and max weight in the colour map, and the panel a dot at its
// most-attended key, where the trace put them.
TEST(StatsView, StripsAndArgmaxDotsAreWhereTheTracePutsThem) {
  const int64_t T = 40;
  const io::Trace t = stats_trace(T);
  const std::string png = fixture::out_path("stats_view.png");
  const viz::StatsViewInfo info = viz::render_stats_view(t, 0, {0, 1, 2}, png);
  const viz::Frame f = fixture::load_png(png);
  ASSERT_EQ(f.width, info.width);
  ASSERT_EQ(info.bin, 1);
  ASSERT_EQ(info.entropy_y.size(), 3u);
  const viz::Colormap& cmap = viz::colormap("viridis");
  const double cw = info.column_px;
  for (int64_t q = 0; q < T; ++q) {
    const int x = static_cast<int>(info.plot_x + (double(q) + 0.5) * cw);
    const double e = double(q) / double(T - 1), m = 1.0 - e;
    EXPECT_TRUE(same(f.at(x, static_cast<int>(info.entropy_y[0] + info.strip_h / 2)), cmap.rgb8(e))) << q;
    EXPECT_TRUE(same(f.at(x, static_cast<int>(info.max_y[0] + info.strip_h / 2)), cmap.rgb8(m))) << q;
    // Panel rows: key k spans [k, k+1) * panel_h / T below the panel's top.
    for (int b = 0; b < 3; ++b) {
      const int64_t want = b == 0 ? std::max<int64_t>(0, q - 1) : b == 1 ? 0 : q;
      for (int64_t k = 0; k < T; ++k) {
        const double y0 = info.argmax_y[b] + double(k) * info.panel_h / double(T);
        const uint32_t p = f.at(x, static_cast<int>(y0 + info.panel_h / double(T) / 2));
        if (k == want) {
          EXPECT_FALSE(white(p)) << "head " << b << " query " << q << " key " << k;
        } else if (std::abs(k - want) > 1 && k != q) {
          EXPECT_TRUE(white(p)) << "head " << b << " query " << q << " key " << k;
        }
      }
    }
  }
}

// The statistics of a dense layer, computed from its rows, are what the recorder would store:
// H = -sum w log w, the max weight and its key; the mean of heads averages entropy and max weight
// and takes the most confident head's argmax.
TEST(StatsView, RowStatsOfWeightsAndTheMeanRule) {
  const io::Trace t = fixture::self_trace(9, 1, 2, 5, true);
  const io::TraceLayer& L = t.layers[0];
  for (int64_t h : {int64_t{0}, int64_t{1}}) {
    const focus::RowStats s = focus::row_stats(L, h);
    for (int64_t q = 0; q < 9; ++q) {
      const std::vector<float> r = focus::row(L, h, q);
      double e = 0;
      float m = 0;
      int32_t a = -1;
      for (size_t k = 0; k < r.size(); ++k)
        if (r[k] > 0) {
          e -= r[k] * std::log(double(r[k]));
          if (r[k] > m) m = r[k], a = static_cast<int32_t>(k);
        }
      EXPECT_NEAR(s.entropy[static_cast<size_t>(q)], e, 1e-5);
      EXPECT_EQ(s.max_weight[static_cast<size_t>(q)], m);
      EXPECT_EQ(s.argmax[static_cast<size_t>(q)], a);
    }
  }
  const focus::RowStats a = focus::row_stats(L, 0), b = focus::row_stats(L, 1), mean = focus::row_stats(L, focus::kHeadMean);
  for (size_t q = 0; q < 9; ++q) {
    EXPECT_NEAR(mean.entropy[q], (a.entropy[q] + b.entropy[q]) / 2, 1e-6);
    EXPECT_NEAR(mean.max_weight[q], (a.max_weight[q] + b.max_weight[q]) / 2, 1e-6);
    EXPECT_EQ(mean.argmax[q], b.max_weight[q] > a.max_weight[q] ? b.argmax[q] : a.argmax[q]);
  }
  EXPECT_THROW(focus::row_stats(L, 2), ConfigError);
}

// render's heatmap of a stats-only layer is its statistics picture; --view stats draws any layer's;
// long layers fold queries into columns; the head and overlay views keep the one refusal.
TEST(StatsView, RenderDrawsStatsOnlyLayersAndFoldsLongOnes) {
  const io::Trace t = stats_trace(40);
  viz::RenderRequest r;
  const std::string png = fixture::out_path("stats_render.png");
  std::remove(png.c_str());
  viz::render_view(t, r, png);
  EXPECT_GT(fixture::load_png(png).width, 100);
  r.head = "all";
  viz::render_view(t, r, fixture::out_path("stats_render.svg"));
  const std::string svg = read_file(fixture::out_path("stats_render.svg"));
  EXPECT_EQ(fixture::xml_problem(svg), "");
  r.view = "head";
  r.head = "";
  try {
    viz::render_view(t, r, png);
    ADD_FAILURE() << "head view of a stats-only layer drew";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("kept only row statistics"), std::string::npos) << e.what();
  }
  const io::Trace dense = fixture::self_trace(3000, 1, 2);
  const viz::StatsViewInfo info = viz::render_stats_view(dense, 0, {}, fixture::out_path("stats_long.png"));
  EXPECT_EQ(info.bin, 4);  // 3000 queries in at most 800 columns
  EXPECT_EQ(info.columns, 750);
}
