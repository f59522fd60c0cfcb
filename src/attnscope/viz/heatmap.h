// Heatmap: query tokens (rows) x key tokens (columns) of one head or the head average, with
// token labels, a colour bar and a title. Readable for long inputs: labels are thinned to one
// per ~13 px, and past the pixel budget blocks of weights become one cell (their max), which
// the subtitle states.
#pragma once
#include <cairo.h>

#include <string>
#include <vector>

#include "attnscope/focus/attention_map.h"
#include "attnscope/io/trace.h"
#include "attnscope/viz/cell_grid.h"

namespace attnscope::viz {

struct HeatmapOptions {
  std::string colormap = "viridis";
  int budget = 800;     // px: the longest side of the cell area
  float vmax = 0;       // top of the colour scale; 0 = the largest weight shown
  bool labels = true;   // token labels (thinned as needed)
  std::string title;    // empty: none
  std::string subtitle; // empty: shape and aggregation
};

class Heatmap {
 public:
  Heatmap(const focus::AttentionMap& m, std::vector<std::string> query_labels, std::vector<std::string> key_labels,
          HeatmapOptions opts);
  int width() const { return width_; }
  int height() const { return height_; }
  // Draws with the picture's top-left corner at (x, y).
  void draw(cairo_t* cr, double x, double y) const;

  const CellGrid& grid() const { return grid_; }
  float vmax() const { return vmax_; }
  int64_t query_label_step() const { return qstep_; }  // one label every this many tokens (0: none)
  int64_t key_label_step() const { return kstep_; }
  // The rectangle of the cell holding weight (q, k), relative to the picture's corner.
  void cell_rect(int64_t q, int64_t k, double& x, double& y, double& w, double& h) const;

 private:
  CellGrid grid_;
  std::vector<std::string> qlabels_, klabels_;
  HeatmapOptions opts_;
  int64_t rows_ = 0, cols_ = 0;  // weights (Q, N)
  float vmax_ = 0;
  int64_t qstep_ = 0, kstep_ = 0;
  double cell_ = 1;                          // px per cell
  double plot_x_ = 0, plot_y_ = 0, plot_w_ = 0, plot_h_ = 0;
  double qlabel_w_ = 0, klabel_h_ = 0;
  int width_ = 0, height_ = 0;
};

// Default title of a layer/head picture: "model · layer 'name' · head h" (or "mean of H heads").
std::string heatmap_title(const io::Trace& trace, const io::TraceLayer& layer, int64_t head);

// The heatmap of one head (or focus::kHeadMean) of trace.layers[layer], written to path
// (.png/.svg/.pdf). Returns the figure (its size, grid, label steps) for the caller to report.
Heatmap render_heatmap(const io::Trace& trace, int64_t layer, int64_t head, const std::string& path,
                       HeatmapOptions opts = {});

}  // namespace attnscope::viz
