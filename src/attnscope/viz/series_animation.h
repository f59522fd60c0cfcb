// Focus over training, animated (`attnscope analyze training RUN -o series.gif`): one frame per
// step of the focus series, the line charts of viz/series_chart.h drawn up to that step with a
// cursor, and beside them — when the run's snapshot trace is given — the heatmap of one head at
// that snapshot, on one colour scale for all snapshots. The series says how much the focus
// changed; the heatmap shows where it went.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/io/trace.h"
#include "attnscope/viz/frame_sink.h"
#include "attnscope/viz/series_chart.h"

namespace attnscope::viz {

struct SeriesAnimationOptions {
  SeriesChartOptions chart;
  double seconds_per_step = 0.4;
  double hold = 2.0;                 // extra seconds on the last frame
  std::string colormap = "viridis";  // the heatmap's
};

// The heatmap beside the chart: head `head` (or focus::kHeadMean) of layer `layer` of every
// snapshot of `trace` (its snapshots' steps pick the frame each is shown in).
struct SnapshotHeatmaps {
  const io::Trace* trace = nullptr;
  int64_t layer = 0, head = 0;
};

// The steps the frames show: every step of the runs' points, in order.
std::vector<int64_t> series_animation_steps(const std::vector<SeriesRun>& runs);

// Frame size of the animation (chart, plus the heatmap column when snapshots are given).
struct SeriesAnimationSize {
  int width = 0, height = 0;
};
// Checks runs, options, snapshots and the animation's length (ConfigError / ValueError) before
// anything is drawn; returns the frame size.
SeriesAnimationSize check_series_animation(const std::vector<SeriesRun>& runs, const SnapshotHeatmaps* snapshots,
                                           const SeriesAnimationOptions& opts);

// Renders the frames into sink and finishes it. Returns the frame count.
int64_t render_series_animation(const std::vector<SeriesRun>& runs, const SnapshotHeatmaps* snapshots,
                                const SeriesAnimationOptions& opts, FrameSink& sink, bool quiet = true);

}  // namespace attnscope::viz
