// `attnscope render TRACE --view heatmap|head|model|overlay [--layer L] [--head H|mean|all]
//  [--cmap NAME] [--vmax W] [--scale sqrt|linear] -o OUT.png|.svg|.pdf`: a static picture of a trace (viz/).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/focus/selection.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/colormap.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/head_view.h"
#include "attnscope/viz/heatmap.h"
#include "attnscope/viz/image_overlay.h"
#include "attnscope/viz/model_view.h"

namespace attnscope::cli {
namespace {

struct RenderFlags {
  std::string trace, view = "heatmap", layer, head, out, cmap = "viridis";
  float threshold = 0.05f;
  viz::ColorScaleSpec scale;
  int size = 0;
};

void run_render(const RenderFlags& f) {
  viz::image_format_for(f.out);  // a bad extension fails before reading the trace
  (void)viz::colormap(f.cmap);
  const io::Trace trace = io::read_trace(f.trace);
  const int64_t layer = focus::resolve_layer(trace, f.layer);
  const io::TraceLayer& L = trace.layers[static_cast<size_t>(layer)];
  const bool all_heads = f.head == "all";
  const int64_t head = all_heads ? 0 : focus::resolve_head(L, f.head);
  if (f.view == "heatmap") {
    if (all_heads) {
      viz::ModelViewOptions o;
      o.colormap = f.cmap;
      o.scale = f.scale;
      if (f.size) o.thumb = f.size;
      viz::render_head_grid(trace, layer, f.out, o);
    } else {
      viz::HeatmapOptions o;
      o.colormap = f.cmap;
      o.scale = f.scale;
      if (f.size) o.budget = f.size;
      viz::render_heatmap(trace, layer, head, f.out, o);
    }
  } else if (f.view == "head") {
    viz::HeadViewOptions o;
    o.threshold = f.threshold;
    std::vector<int64_t> heads;  // empty = all
    if (!all_heads && !f.head.empty()) heads.push_back(head);
    viz::render_head_view(trace, layer, heads, f.out, o);
  } else if (f.view == "model") {
    viz::ModelViewOptions o;
    o.colormap = f.cmap;
    o.scale = f.scale;
    if (f.size) o.thumb = f.size;
    viz::render_model_view(trace, f.out, o);
  } else if (f.view == "overlay") {
    ATTNSCOPE_CHECK(!all_heads, ConfigError, "--view overlay takes one head or mean, not all");
    viz::OverlayOptions o;
    o.colormap = f.cmap;
    o.scale = f.scale;
    if (f.size) o.panel = f.size;
    o.base_dir = std::filesystem::path(f.trace).parent_path().string();
    viz::render_overlay(trace, layer, head, f.out, o);
  }
  std::fprintf(stderr, "wrote %s\n", f.out.c_str());
}

void setup_render(CLI::App& app) {
  auto* sub = app.add_subcommand("render", "Static picture of a trace: heatmap, head view, model view, image overlay");
  auto f = std::make_shared<RenderFlags>();
  sub->add_option("TRACE", f->trace, "Trace file (NAME.attn.safetensors)")->required();
  sub->add_option("--view", f->view, "heatmap (one head, mean, or --head all for a grid) | head | model | overlay")
      ->check(CLI::IsMember({"heatmap", "head", "model", "overlay"}));
  sub->add_option("--layer", f->layer, "Layer (index, negative from the end, or name; default 0)");
  sub->add_option("--head", f->head, "Head index, 'mean' for the head average, or 'all' (default: mean)");
  add_output_flag(sub, f->out);
  sub->add_option("--cmap", f->cmap, "Colour map: viridis, magma, cividis");
  add_color_scale_flags(sub, f->scale);
  sub->add_option("--threshold", f->threshold, "Head view: smallest weight drawn as a line")->check(CLI::Range(0.0, 1.0));
  sub->add_option("--size", f->size, "Heatmap: px of the cell area; grids/model view: px per thumbnail")
      ->check(CLI::Range(16, 16000));
  sub->callback([f] { run_render(*f); });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_render);
