#include "attnscope/cli/trace_outputs.h"

#include "attnscope/cli/common.h"
#include "attnscope/cli/output_names.h"

#include <cstdio>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/focus/selection.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/serve/html_export.h"
#include "attnscope/viz/animate_trace.h"
#include "attnscope/viz/colormap.h"
#include "attnscope/viz/heatmap.h"

namespace attnscope::cli {

void add_trace_output_flags(CLI::App* sub, TraceOutputs& o) {
  sub->add_option("--trace", o.trace, "Write the attention trace (NAME.attn.safetensors)");
  sub->add_option("--png", o.png, "Write the attention heatmap as PNG");
  sub->add_option("--svg", o.svg, "Write the attention heatmap as SVG");
  sub->add_option("--gif", o.gif, "Write the token-by-token animation (GIF)");
  sub->add_option("--mp4", o.mp4, "Write the token-by-token animation (MP4, through ffmpeg)");
  sub->add_option("--html", o.html, "Write a standalone offline viewer (HTML)");
  add_layer_head_flags(sub, o.layer, o.head);
  sub->add_option("--size", o.size,
                  "Heatmap (--png/--svg): px of the cell area's longest side (cells stay 2..40 px), as render's")
      ->check(in_range(16, 16000));
  sub->add_option("--cmap", o.cmap, "Colour map of the pictures: viridis, magma, cividis");
  add_color_scale_flags(sub, o.scale);
}

void check_trace_outputs(const TraceOutputs& o, const std::vector<std::string>& inputs) {
  check_trace_output_name(o.trace, "--trace");
  check_output_name(o.png, "--png", {".png"});
  check_output_name(o.svg, "--svg", {".svg"});
  check_output_name(o.gif, "--gif", {".gif"});
  check_output_name(o.mp4, "--mp4", {".mp4"});
  check_output_name(o.html, "--html", {".html", ".htm"});
  for (const std::string* out : {&o.trace, &o.png, &o.svg, &o.gif, &o.mp4, &o.html}) check_not_an_input(*out, inputs);
  // Picture flags without a picture would be ignored silently.
  const bool picture = !o.png.empty() || !o.svg.empty() || !o.gif.empty() || !o.mp4.empty();
  ATTNSCOPE_CHECK(picture || (o.size == 0 && o.cmap == "viridis" && o.scale.vmax == 0 && o.scale.curve == viz::ColorScaleSpec{}.curve),
                  ConfigError, "--size, --cmap, --vmax and --scale shape a picture: add --png, --svg, --gif or --mp4");
  ATTNSCOPE_CHECK(o.size == 0 || !o.png.empty() || !o.svg.empty(), ConfigError,
                  "--size sets the heatmap (--png/--svg); the animation (--gif/--mp4) has its own frame size");
  (void)viz::colormap(o.cmap);
  viz::check_color_scale(o.scale);
}

void write_trace_outputs(const io::Trace& trace, const TraceOutputs& o) {
  if (!o.any()) return;
  check_trace_outputs(o);
  // Layer and head matter only to pictures: a trace without attention layers (a captioner without
  // attention) can still be written and viewed.
  int64_t layer = 0, head = 0;
  if (!o.png.empty() || !o.svg.empty() || !o.gif.empty() || !o.mp4.empty()) {
    layer = focus::resolve_layer(trace, o.layer);
    head = focus::resolve_head(trace.layers[static_cast<size_t>(layer)], o.head);
  }
  if (!o.trace.empty()) {
    io::write_trace(trace, o.trace);
    std::fprintf(stderr, "wrote %s\n", o.trace.c_str());
  }
  for (const std::string* path : {&o.png, &o.svg}) {
    if (path->empty()) continue;
    viz::HeatmapOptions ho;
    ho.colormap = o.cmap;
    ho.scale = o.scale;
    if (o.size > 0) ho.budget = o.size;
    viz::render_heatmap(trace, layer, head, *path, ho);
    std::fprintf(stderr, "wrote %s\n", path->c_str());
  }
  for (const std::string* path : {&o.gif, &o.mp4}) {
    if (path->empty()) continue;
    viz::AnimationOptions ao;
    ao.colormap = o.cmap;
    ao.scale = o.scale;
    const int64_t frames = viz::write_token_animation(trace, layer, head, ao, *path);
    std::fprintf(stderr, "wrote %s (%lld frames)\n", path->c_str(), static_cast<long long>(frames));
  }
  if (!o.html.empty()) {
    write_file_atomic(o.html, serve::export_html(serve::TraceSource(trace), serve::AssetStore()));
    std::fprintf(stderr, "wrote %s\n", o.html.c_str());
  }
}

}  // namespace attnscope::cli
