// Heatmap: query tokens (rows) x key tokens (columns) of one head or the head average, with
// token labels, a colour bar and a title. Readable for long inputs: labels are thinned to one
// per ~13 px, and past the pixel budget blocks of weights become one cell (their max), which
// the subtitle states. Drawn from the layer's rows at the output resolution (viz/cell_grid.h);
// colours by the viewer's scale (viz/color_scale.h: 99th-percentile top, sqrt by default).
// Sentence pairs are split by a white rule and their parts lettered A / B, as in the viewer.
#pragma once
#include <cairo.h>

#include <string>
#include <vector>

#include "attnscope/focus/attention_map.h"
#include "attnscope/viz/color_scale.h"
#include "attnscope/io/trace.h"
#include "attnscope/viz/cell_grid.h"

namespace attnscope::viz {

struct HeatmapOptions {
  std::string colormap = "viridis";
  int budget = 800;     // px: the longest side of the cell area
  ColorScaleSpec scale;  // colour scale top (0: the viewer's automatic one) and curve
  bool labels = true;   // token labels (thinned as needed) and the axis titles
  // Axis titles; empty: "query" / "key" for self-attention, "<sequence> (query)" / "<sequence>
  // (key)" when the two sides are different sequences (e.g. "target (query)", "source (key)").
  std::string query_title, key_title;
  std::string title;    // empty: none
  std::string subtitle; // empty: shape and aggregation
  // Sentence pairs (viz/segments.h): one segment id per query / key; empty = one segment. Where
  // the segment changes a white rule splits the cells, and each part's letter (A, B) stands in a
  // band beside the labels, as in the viewer. trace_heatmap fills them from the trace.
  std::vector<int32_t> query_segments, key_segments;
};

class Heatmap {
 public:
  // Head `head` (or focus::kHeadMean) of a dense or top-k layer (focus::check_head errors).
  Heatmap(const io::TraceLayer& layer, int64_t head, std::vector<std::string> query_labels,
          std::vector<std::string> key_labels, HeatmapOptions opts);
  int width() const { return width_; }
  int height() const { return height_; }
  // Draws with the picture's top-left corner at (x, y).
  void draw(cairo_t* cr, double x, double y) const;

  const CellGrid& grid() const { return grid_; }
  const ColorScale& scale() const { return scale_; }
  int64_t query_label_step() const { return qstep_; }  // one label every this many tokens (0: none)
  int64_t key_label_step() const { return kstep_; }
  const std::string& query_title() const { return opts_.query_title; }
  const std::string& key_title() const { return opts_.key_title; }
  // The rectangle of the cell holding weight (q, k), relative to the picture's corner.
  void cell_rect(int64_t q, int64_t k, double& x, double& y, double& w, double& h) const;

 private:
  void draw_segments(cairo_t* cr) const;

  CellGrid grid_;
  std::vector<std::string> qlabels_, klabels_;
  HeatmapOptions opts_;
  int64_t rows_ = 0, cols_ = 0;  // weights (Q, N)
  ColorScale scale_;
  int64_t qstep_ = 0, kstep_ = 0;
  double cell_ = 1;                          // px per cell
  double plot_x_ = 0, plot_y_ = 0, plot_w_ = 0, plot_h_ = 0;
  double qlabel_w_ = 0, klabel_h_ = 0;
  double qseg_w_ = 0, kseg_h_ = 0;  // px: the bands of the segment letters (0: no segments)
  int width_ = 0, height_ = 0;
};

// The heatmap of a layer of `trace`, labelled with its tokens and split at its sentence-pair
// segments (options left empty are filled from the trace): what every picture of a trace's
// layer draws (render, training and series animations).
Heatmap trace_heatmap(const io::Trace& trace, const io::TraceLayer& layer, int64_t head, HeatmapOptions opts);

// Default title of a layer/head picture: "model · layer 'name' · head h" (or "mean of H heads").
std::string heatmap_title(const io::Trace& trace, const io::TraceLayer& layer, int64_t head);

// The heatmap of one head (or focus::kHeadMean) of trace.layers[layer], written to path
// (.png/.svg/.pdf). Returns the figure (its size, grid, label steps) for the caller to report.
Heatmap render_heatmap(const io::Trace& trace, int64_t layer, int64_t head, const std::string& path,
                       HeatmapOptions opts = {});

}  // namespace attnscope::viz
