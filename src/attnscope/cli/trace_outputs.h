// The picture flags shared by verbs that produce a trace (translate, demo, ...):
// --trace OUT.attn.safetensors, --png/--svg (heatmap), --gif/--mp4 (token-by-token animation),
// --html (standalone viewer). Pure wiring over io/, viz/ and serve/.
#pragma once
#include <CLI/CLI.hpp>
#include <string>

#include "attnscope/io/trace.h"
#include "attnscope/viz/color_scale.h"

namespace attnscope::cli {

struct TraceOutputs {
  std::string trace, png, svg, gif, mp4, html;
  std::string layer = "-1", head = "mean";  // last layer, head average
  // The heatmap's look, spelled as `render` spells it: --size (px of the cell area's longest
  // side), --cmap, --vmax, --scale (the GIF takes the colour map and scale too).
  int size = 0;  // 0: the heatmap's default
  std::string cmap = "viridis";
  viz::ColorScaleSpec scale;
  bool any() const { return !trace.empty() || !png.empty() || !svg.empty() || !gif.empty() || !mp4.empty() || !html.empty(); }
};

void add_trace_output_flags(CLI::App* sub, TraceOutputs& o);
// Each flag's file has its kind (--png NAME.png, --trace NAME.attn.safetensors, ...) and is not
// one of `inputs`: ConfigError otherwise. Call before any work.
void check_trace_outputs(const TraceOutputs& o, const std::vector<std::string>& inputs = {});
// Writes every requested output (atomically) and prints one line per file to stderr.
void write_trace_outputs(const io::Trace& trace, const TraceOutputs& o);

}  // namespace attnscope::cli
