#include "attnscope/viz/series_animation.h"

#include <gtest/gtest.h>

#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"

using namespace attnscope;

namespace {

// exact rising to 1 over steps 0..400 (every 100); one head whose entropy falls.
focus::TrainingSeries make_series() {
  focus::TrainingSeries s;
  for (int64_t step = 0; step <= 400; step += 100) {
    focus::SeriesPoint p;
    p.step = step;
    p.values["exact"] = step / 400.0;
    p.values["entropy/cross/h0"] = 2.0 - step / 400.0;
    s.points.push_back(p);
  }
  return s;
}

// Snapshots at steps 0 and 200 of a 4x4 cross layer: uniform, then the diagonal.
io::Trace make_snapshots() {
  io::Trace t;
  t.sequences = {{"source", {"a", "b", "c", "d"}}, {"target", {"w", "x", "y", "z"}}};
  for (int64_t step : {0, 200}) {
    io::TraceLayer L;
    L.name = "cross";
    L.query_seq = "target";
    L.key_seq = "source";
    L.mechanism = "additive";
    L.queries = L.keys = 4;
    L.weights.assign(16, 0.25f);
    if (step > 0)
      for (int i = 0; i < 16; ++i) L.weights[i] = i % 5 == 0 ? 1.f : 0.f;
    t.snapshots.push_back({"step " + std::to_string(step), step, {L}});
  }
  t.layers = t.snapshots.back().layers;
  return t;
}

struct Frames : viz::FrameSink {
  std::vector<viz::Frame> frames;
  std::vector<double> seconds;
  bool finished = false;
  void add(const viz::Frame& f, double s) override {
    frames.push_back(f);
    seconds.push_back(s);
  }
  void finish() override { finished = true; }
};

bool white(const viz::Frame& f, double x, double y) { return f.at(static_cast<int>(x), static_cast<int>(y)) == 0xFFFFFFFFu; }

// Any non-white pixel within 2 px of (x, y).
bool inked(const viz::Frame& f, double x, double y) {
  for (int dy = -2; dy <= 2; ++dy)
    for (int dx = -2; dx <= 2; ++dx)
      if (!white(f, x + dx, y + dy)) return true;
  return false;
}

// The pixels of columns [x0, width) of a frame: the heatmap beside the chart.
std::vector<uint32_t> right_of(const viz::Frame& f, int x0) {
  std::vector<uint32_t> out;
  for (int y = 0; y < f.height; ++y)
    for (int x = x0; x < f.width; ++x) out.push_back(f.at(x, y));
  return out;
}

}  // namespace

// A frame per step; each draws the lines up to its step only, and the heatmap of the last
// snapshot taken at or before it.
TEST(SeriesAnimation, LinesGrowAndTheSnapshotFollows) {
  const auto s = make_series();
  const io::Trace snaps = make_snapshots();
  const std::vector<viz::SeriesRun> runs = {{"run", &s}};
  const viz::SnapshotHeatmaps maps{&snaps, 0, focus::kHeadMean};
  viz::SeriesAnimationOptions o;
  const auto size = viz::check_series_animation(runs, &maps, o);
  const auto L = viz::layout_series_chart(runs, o.chart);
  EXPECT_GT(size.width, L.width + 40);  // room for the heatmap
  Frames sink;
  EXPECT_EQ(viz::render_series_animation(runs, &maps, o, sink), 5);
  ASSERT_EQ(sink.frames.size(), 5u);
  EXPECT_TRUE(sink.finished);
  EXPECT_DOUBLE_EQ(sink.seconds[0], o.seconds_per_step);
  EXPECT_DOUBLE_EQ(sink.seconds[4], o.seconds_per_step + o.hold);
  const auto& ex = L.panels[0];
  ASSERT_EQ(ex.name, "exact");
  // Frame 1 (step 100): the segment 0..100 is drawn, 200..300 is not yet; frame 4 has both.
  EXPECT_TRUE(inked(sink.frames[1], ex.px(50), ex.py(50 / 400.0)));
  EXPECT_TRUE(white(sink.frames[1], ex.px(250), ex.py(250 / 400.0)));
  EXPECT_TRUE(inked(sink.frames[4], ex.px(250), ex.py(250 / 400.0)));
  // The cursor: a grey line at step 100 in frame 1, at the middle of the panel's height.
  EXPECT_FALSE(white(sink.frames[1], std::round(ex.px(100)), ex.y + ex.h * 0.3));
  // Heatmaps: steps 0 and 100 show snapshot 0, step 200 onwards snapshot 1.
  const int x0 = L.width;
  EXPECT_EQ(right_of(sink.frames[0], x0), right_of(sink.frames[1], x0));
  EXPECT_NE(right_of(sink.frames[1], x0), right_of(sink.frames[2], x0));
  EXPECT_EQ(right_of(sink.frames[2], x0), right_of(sink.frames[4], x0));
  bool any = false;
  for (uint32_t p : right_of(sink.frames[2], x0)) any |= p != 0xFFFFFFFFu;
  EXPECT_TRUE(any);
}

TEST(SeriesAnimation, ChartAloneAndBadInput) {
  const auto s = make_series();
  const std::vector<viz::SeriesRun> runs = {{"run", &s}};
  viz::SeriesAnimationOptions o;
  const auto L = viz::layout_series_chart(runs, o.chart);
  const auto size = viz::check_series_animation(runs, nullptr, o);
  EXPECT_EQ(size.width, L.width);
  EXPECT_EQ(size.height, L.height);
  const io::Trace snaps = make_snapshots();
  const viz::SnapshotHeatmaps bad_layer{&snaps, 3, focus::kHeadMean}, bad_head{&snaps, 0, 5};
  EXPECT_THROW(viz::check_series_animation(runs, &bad_layer, o), ConfigError);
  EXPECT_THROW(viz::check_series_animation(runs, &bad_head, o), ConfigError);
  io::Trace none;
  const viz::SnapshotHeatmaps empty{&none, 0, focus::kHeadMean};
  EXPECT_THROW(viz::check_series_animation(runs, &empty, o), ValueError);
  o.seconds_per_step = 0;
  EXPECT_THROW(viz::check_series_animation(runs, nullptr, o), ConfigError);
  o.seconds_per_step = 4000;  // past the animation length bound
  EXPECT_THROW(viz::check_series_animation(runs, nullptr, o), ConfigError);
}
