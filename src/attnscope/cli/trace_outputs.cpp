#include "attnscope/cli/trace_outputs.h"

#include "attnscope/cli/common.h"
#include "attnscope/cli/output_names.h"

#include <cstdio>

#include "attnscope/core/fs.h"
#include "attnscope/focus/selection.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/serve/html_export.h"
#include "attnscope/viz/animate_trace.h"
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
}

void check_trace_outputs(const TraceOutputs& o, const std::vector<std::string>& inputs) {
  check_trace_output_name(o.trace, "--trace");
  check_output_name(o.png, "--png", {".png"});
  check_output_name(o.svg, "--svg", {".svg"});
  check_output_name(o.gif, "--gif", {".gif"});
  check_output_name(o.mp4, "--mp4", {".mp4"});
  check_output_name(o.html, "--html", {".html", ".htm"});
  for (const std::string* out : {&o.trace, &o.png, &o.svg, &o.gif, &o.mp4, &o.html}) check_not_an_input(*out, inputs);
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
    viz::render_heatmap(trace, layer, head, *path, viz::HeatmapOptions{});
    std::fprintf(stderr, "wrote %s\n", path->c_str());
  }
  for (const std::string* path : {&o.gif, &o.mp4}) {
    if (path->empty()) continue;
    const int64_t frames = viz::write_token_animation(trace, layer, head, viz::AnimationOptions{}, *path);
    std::fprintf(stderr, "wrote %s (%lld frames)\n", path->c_str(), static_cast<long long>(frames));
  }
  if (!o.html.empty()) {
    write_file_atomic(o.html, serve::export_html(serve::TraceSource(trace), serve::AssetStore()));
    std::fprintf(stderr, "wrote %s\n", o.html.c_str());
  }
}

}  // namespace attnscope::cli
