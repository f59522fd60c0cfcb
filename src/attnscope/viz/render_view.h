// One static picture of a trace, chosen by name — heatmap (one head, the mean, or a grid of all
// heads), head view, model view or image overlay — written to a .png/.svg/.pdf path. What
// `attnscope render` draws and what the Python module's `render` returns as bytes.
#pragma once
#include <string>

#include "attnscope/io/trace.h"
#include "attnscope/viz/color_scale.h"

namespace attnscope::viz {

struct RenderRequest {
  std::string view = "heatmap";  // heatmap | head | model | overlay | stats (heatmap of a stats-only layer: stats)
  std::string layer;             // index, negative from the end, or name ("": 0)
  std::string head;              // index, "mean" ("" too) or "all"
  std::string colormap = "viridis";
  ColorScaleSpec scale;
  float threshold = 0.05f;       // head view: smallest weight drawn as a line
  int size = 0;                  // px of the cell area / per thumbnail / of the overlay (0: default)
  std::string base_dir;          // overlay: directory a relative image path is read from
};

// ConfigError for an unknown view, colour map, layer or head (naming what exists), or for the
// overlay with every head; the picture's own errors otherwise (viz/figure.h).
void render_view(const io::Trace& trace, const RenderRequest& r, const std::string& path);

}  // namespace attnscope::viz
