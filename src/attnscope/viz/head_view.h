// Head view (the BertViz picture, as a file): query tokens in a left column, key tokens in a
// right column, a curve per strong weight (the viewer's rule: per query and head its `top`
// largest weights at or above a threshold), its width and opacity growing with the weight, its
// colour the head's (viz::head_color, the viewer's web/util/head_colors.js). Several heads
// overlay in their own colours with a legend; fewer lines per head keep the overlay readable.
#pragma once
#include <string>
#include <vector>

#include "attnscope/io/trace.h"

namespace attnscope::viz {

struct HeadViewOptions {
  float threshold = 0.05f;  // weights below are not drawn
  int top = 0;              // lines per query and head; 0: 12 for one head, 6 for several (as the viewer)
  int width = 0;            // 0: from the labels
  std::string title;        // empty: model, layer and heads
};

struct HeadViewInfo {
  int width = 0, height = 0;
  int64_t lines = 0;       // lines drawn (per query and head, its top weights >= threshold)
  int64_t label_step = 1;  // one token label every label_step rows
};

// heads: head indices, or {focus::kHeadMean} for the average; empty = all heads of the layer.
HeadViewInfo render_head_view(const io::Trace& trace, int64_t layer, std::vector<int64_t> heads,
                              const std::string& path, HeadViewOptions opts = {});

}  // namespace attnscope::viz
