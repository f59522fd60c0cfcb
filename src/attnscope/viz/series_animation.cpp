#include "attnscope/viz/series_animation.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "attnscope/core/error.h"
#include "attnscope/core/progress.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/animation_output.h"
#include "attnscope/viz/cell_grid.h"
#include "attnscope/viz/colormap.h"
#include "attnscope/viz/heatmap.h"

namespace attnscope::viz {
namespace {

constexpr int kGap = 16, kMaxCells = 480;

const io::TraceLayer& snapshot_layer(const SnapshotHeatmaps& s, size_t i) {
  const auto& layers = s.trace->snapshots[i].layers;
  ATTNSCOPE_CHECK(s.layer >= 0 && s.layer < static_cast<int64_t>(layers.size()), ConfigError,
                  "layer " + std::to_string(s.layer) + " out of range in snapshot '" + s.trace->snapshots[i].label + "'");
  return layers[static_cast<size_t>(s.layer)];
}

// One heatmap per snapshot, all on one colour scale, each as large as fits `height`.
std::vector<Heatmap> snapshot_heatmaps(const SnapshotHeatmaps& s, int height, const std::string& cmap) {
  std::vector<HeadRef> shown;
  for (size_t i = 0; i < s.trace->snapshots.size(); ++i) shown.push_back({&snapshot_layer(s, i), s.head});
  const ColorScale scale = viewer_scale(shown, {});
  std::vector<Heatmap> out;
  for (size_t i = 0; i < s.trace->snapshots.size(); ++i) {
    const auto& snap = s.trace->snapshots[i];
    const io::TraceLayer& layer = snapshot_layer(s, i);
    HeatmapOptions ho;
    ho.colormap = cmap;
    ho.scale = {scale.top(), scale.curve()};
    ho.title = (snap.label.empty() ? "step " + std::to_string(snap.step) : snap.label) + " \u00B7 " +
               heatmap_title(*s.trace, layer, s.head);
    ho.subtitle = "one colour scale for all snapshots";
    auto make = [&](int budget) {
      ho.budget = budget;
      return trace_heatmap(*s.trace, layer, s.head, ho);
    };
    // The cells as large as the chart's height allows (at most kMaxCells px); the title may make
    // the picture wider than its cells, which only widens the frame.
    int budget = std::max(16, std::min(kMaxCells, height - 60));
    Heatmap hm = make(budget);
    for (int tries = 0; tries < 8 && hm.height() > height && budget > 16; ++tries) {
      budget = std::max(16, static_cast<int>(budget * double(height) / hm.height() * 0.97));
      hm = make(budget);
    }
    out.push_back(std::move(hm));
  }
  return out;
}

// The snapshot shown at `step`: the last one taken at or before it (the first before any).
size_t snapshot_at(const io::Trace& trace, int64_t step) {
  size_t best = 0;
  for (size_t i = 0; i < trace.snapshots.size(); ++i)
    if (trace.snapshots[i].step <= step) best = i;
  return best;
}

}  // namespace

std::vector<int64_t> series_animation_steps(const std::vector<SeriesRun>& runs) {
  std::set<int64_t> steps;
  for (const auto& r : runs)
    if (r.series)
      for (const auto& p : r.series->points) steps.insert(p.step);
  return {steps.begin(), steps.end()};
}

SeriesAnimationSize check_series_animation(const std::vector<SeriesRun>& runs, const SnapshotHeatmaps* snapshots,
                                           const SeriesAnimationOptions& o) {
  const SeriesChartLayout L = layout_series_chart(runs, o.chart);
  (void)colormap(o.colormap);
  ATTNSCOPE_CHECK(o.seconds_per_step > 0 && o.hold >= 0, ConfigError, "frame durations must be positive");
  const size_t n = series_animation_steps(runs).size();
  char why[96];
  std::snprintf(why, sizeof why, "%zu steps \u00D7 %g s", n, o.seconds_per_step);
  check_animation_length(double(n), double(n) * o.seconds_per_step + o.hold, why);
  SeriesAnimationSize size{L.width, L.height};
  if (snapshots) {
    ATTNSCOPE_CHECK(snapshots->trace && !snapshots->trace->snapshots.empty(), ValueError,
                    "the snapshot trace holds no training snapshots");
    for (size_t i = 0; i < snapshots->trace->snapshots.size(); ++i) {
      const io::TraceLayer& layer = snapshot_layer(*snapshots, i);
      io::validate_layer(*snapshots->trace, layer);
      focus::check_head(layer, snapshots->head);
    }
    int w = 0, h = 0;
    for (const auto& hm : snapshot_heatmaps(*snapshots, L.height - 2 * kGap, o.colormap)) {
      w = std::max(w, hm.width());
      h = std::max(h, hm.height());
    }
    size.width += w + kGap;
    size.height = std::max(size.height, h + 2 * kGap);
  }
  return size;
}

int64_t render_series_animation(const std::vector<SeriesRun>& runs, const SnapshotHeatmaps* snapshots,
                                const SeriesAnimationOptions& o, FrameSink& sink, bool quiet) {
  const SeriesAnimationSize size = check_series_animation(runs, snapshots, o);
  const SeriesChartLayout L = layout_series_chart(runs, o.chart);
  std::vector<Heatmap> maps;
  if (snapshots) maps = snapshot_heatmaps(*snapshots, L.height - 2 * kGap, o.colormap);
  const std::vector<int64_t> steps = series_animation_steps(runs);
  Frame frame(size.width, size.height);
  Progress progress("animate", static_cast<int64_t>(steps.size()), quiet);
  for (size_t i = 0; i < steps.size(); ++i) {
    frame.paint([&](cairo_t* cr) {
      draw_series_chart(cr, L, runs, o.chart, steps[i]);
      if (!maps.empty()) {
        const Heatmap& hm = maps[snapshot_at(*snapshots->trace, steps[i])];
        hm.draw(cr, L.width + kGap / 2.0, std::max(0.0, (size.height - hm.height()) / 2.0));
      }
    });
    sink.add(frame, o.seconds_per_step + (i + 1 == steps.size() ? o.hold : 0.0));
    progress.tick();
  }
  progress.finish();
  sink.finish();
  return static_cast<int64_t>(steps.size());
}

}  // namespace attnscope::viz
