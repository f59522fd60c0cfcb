// Statistics picture: what a layer's rows look like when the trace kept no weights (capture
// "stats"), or a summary of any layer. Per head shown (one, the mean, or every head), along the
// query axis: a strip of entropy as a fraction of ln N, a strip of the max weight (both coloured
// 0..1 by the colour map) and a panel with a dot at each query's most-attended key (a faint
// diagonal marks key = query for self-attention). Past `budget` queries a column covers several
// (strips: their mean; the panel: every key they point at), which the subtitle states.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/io/trace.h"

namespace attnscope::viz {

struct StatsViewOptions {
  std::string colormap = "viridis";
  int budget = 800;   // px: the longest query axis drawn
  std::string title;  // empty: heatmap_title's
};

struct StatsViewInfo {
  int width = 0, height = 0;
  int64_t bin = 1;           // queries per column
  int64_t columns = 0;       // drawn along the query axis
  double column_px = 1;      // px per column
  double plot_x = 0;         // x of the first column
  std::vector<double> entropy_y, max_y, argmax_y;  // per block: top of each row (px)
  double strip_h = 0, panel_h = 0;
};

// The picture of trace.layers[layer] for `heads` (indices or focus::kHeadMean; empty: the mean),
// written to path (.png/.svg/.pdf). ConfigError for a bad head or colour map, ValueError for a
// layer that kept none of entropy, max weight and argmax.
StatsViewInfo render_stats_view(const io::Trace& trace, int64_t layer, std::vector<int64_t> heads,
                                const std::string& path, StatsViewOptions opts = {});

}  // namespace attnscope::viz
