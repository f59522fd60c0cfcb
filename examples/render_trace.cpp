// Draws a trace: the head-averaged heatmap of its last layer (PNG) and the model view, every
// layer x head as a thumbnail (SVG) — what `attnscope render` writes. The format follows the
// extension (.png, .svg, .pdf).
//   render_trace TRACE [OUT_PREFIX]
#include <attnscope/focus/selection.h>
#include <attnscope/focus/trace_row.h>
#include <attnscope/io/trace_io.h>
#include <attnscope/viz/heatmap.h>
#include <attnscope/viz/model_view.h>

#include <cstdio>
#include <string>

using namespace attnscope;

int main(int argc, char** argv) try {
  if (argc < 2) {
    std::fprintf(stderr, "usage: render_trace TRACE [OUT_PREFIX]\n");
    return 2;
  }
  const std::string prefix = argc > 2 ? argv[2] : "attention";
  const io::Trace trace = io::read_trace(argv[1]);
  const int64_t layer = focus::resolve_layer(trace, "-1");  // as --layer: index, -1 = last, or name
  const viz::Heatmap map = viz::render_heatmap(trace, layer, focus::kHeadMean, prefix + "_heatmap.png");
  std::printf("wrote %s_heatmap.png (%d x %d px)\n", prefix.c_str(), map.width(), map.height());
  const viz::ModelViewInfo view = viz::render_model_view(trace, prefix + "_model.svg");
  std::printf("wrote %s_model.svg (%lld layers x %lld heads)\n", prefix.c_str(), static_cast<long long>(view.rows),
              static_cast<long long>(view.cols));
} catch (const std::exception& e) {
  std::fprintf(stderr, "render_trace: %s\n", e.what());
  return 1;
}
