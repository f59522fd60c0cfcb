// Focus over training as line charts (`attnscope analyze training`): one panel per measure group
// of focus/training_series.h — a task measure (exact, alignment, aer, rationale, pointing) or one
// layer's head entropies — with training steps along x. Head panels draw a line per head in the
// head colours (viz/color.h); task panels a line per run. A second run (--compare) is overlaid
// dashed, step by step on the same axes, so "with and without a bias" reads at a glance.
#pragma once
#include <cairo.h>

#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/focus/training_series.h"
#include "attnscope/viz/color.h"

namespace attnscope::viz {

struct SeriesRun {
  std::string label;                     // legend text, e.g. the checkpoint name
  const focus::TrainingSeries* series = nullptr;
};

struct SeriesChartOptions {
  int panel_width = 340, panel_height = 170;  // the plot area of one panel, px
  int columns = 3;
  std::string title = "Focus over training";
};

// Where everything goes; render_series_chart draws exactly this (tests read it back).
struct SeriesChartLayout {
  struct Panel {
    std::string name;                // "exact", "entropy decoder.cross"
    double x = 0, y = 0, w = 0, h = 0;  // plot area
    int64_t step_min = 0, step_max = 1;
    double v_min = 0, v_max = 1;
    std::vector<std::string> lines;  // line names of head panels ("h0", ...); empty for task panels
    double px(int64_t step) const;   // x of a step
    double py(double v) const;       // y of a value
  };
  int width = 0, height = 0;
  double legend_y = 0;
  std::vector<Panel> panels;
};

// The colour and dash of a line: head panels colour by line (head) and dash the second run;
// task panels colour by run and dash the second run too.
Rgb series_line_color(const SeriesChartLayout::Panel& panel, size_t line, size_t run);
bool series_line_dashed(size_t run);

// ConfigError for no run, more than two, a run without points, or two runs that share no measure.
SeriesChartLayout layout_series_chart(const std::vector<SeriesRun>& runs, const SeriesChartOptions& opts = {});
// Draws the chart of layout L (from these runs and options) on a white surface at least L's size.
// With up_to set, only the points up to that step are drawn and a cursor marks it in every panel
// (a frame of viz/series_animation.h); the axes stay those of the whole series.
inline constexpr int64_t kWholeSeries = INT64_MAX;
void draw_series_chart(cairo_t* cr, const SeriesChartLayout& L, const std::vector<SeriesRun>& runs,
                       const SeriesChartOptions& opts, int64_t up_to = kWholeSeries);
// Writes PNG/SVG/PDF by extension (viz/figure.h).
void render_series_chart(const std::string& path, const std::vector<SeriesRun>& runs, const SeriesChartOptions& opts = {});

}  // namespace attnscope::viz
