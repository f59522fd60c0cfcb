// Model view: a layers x heads grid of small heatmaps, the overview of where every head looks
// (BertViz's model view, as a file). Each thumbnail has its own colour scale (viz/color_scale.h:
// its 99th-percentile top unless one is given; stated on the picture): attention maxima differ
// by orders of magnitude between heads. Thumbnails are images (a PNG each inside SVG/PDF): 40
// heads of 40 tokens as vector cells made a 10 MB SVG.
#pragma once
#include <string>

#include "attnscope/viz/color_scale.h"

#include "attnscope/io/trace.h"

namespace attnscope::viz {

struct ModelViewOptions {
  std::string colormap = "viridis";
  ColorScaleSpec scale;  // model view: per thumbnail; head grid: one for all heads
  int thumb = 96;  // px per thumbnail side
};

struct ModelViewInfo {
  int width = 0, height = 0;
  int64_t rows = 0, cols = 0;  // layers, max heads
};

// All layers (or the ones with dense/top-k weights) of the trace.
ModelViewInfo render_model_view(const io::Trace& trace, const std::string& path, ModelViewOptions opts = {});

// The heads of one layer as a grid of heatmaps (near-square), one shared colour scale.
ModelViewInfo render_head_grid(const io::Trace& trace, int64_t layer, const std::string& path,
                               ModelViewOptions opts = {});

}  // namespace attnscope::viz
