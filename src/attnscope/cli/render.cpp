// `attnscope render TRACE --view heatmap|head|model|overlay|stats [--layer L] [--head H|mean|all]
//  [--cmap NAME] [--vmax W] [--scale sqrt|linear] -o OUT.png|.svg|.pdf`: a static picture of a trace (viz/).
#include <cstdio>
#include <filesystem>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/colormap.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/render_view.h"

namespace attnscope::cli {
namespace {

struct RenderFlags {
  std::string trace, out;
  viz::RenderRequest request;
};

void run_render(RenderFlags f) {
  viz::image_format_for(f.out);  // a bad extension or colour map fails before reading the trace
  (void)viz::colormap(f.request.colormap);
  const io::Trace trace = io::read_trace(f.trace);
  f.request.base_dir = std::filesystem::path(f.trace).parent_path().string();
  viz::render_view(trace, f.request, f.out);
  std::fprintf(stderr, "wrote %s\n", f.out.c_str());
}

void setup_render(CLI::App& app) {
  auto* sub = app.add_subcommand("render", "Static picture of a trace: heatmap, head view, model view, image overlay");
  auto f = std::make_shared<RenderFlags>();
  sub->add_option("TRACE", f->trace, "Trace file (NAME.attn.safetensors)")->required();
  sub->add_option("--view", f->request.view,
                  "heatmap (one head, mean, or --head all for a grid; a stats-only layer draws its statistics) | head | "
                  "model | overlay | stats (per query: entropy, max weight, most-attended key)")
      ->check(CLI::IsMember({"heatmap", "head", "model", "overlay", "stats"}));
  sub->add_option("--layer", f->request.layer, "Layer (index, negative from the end, or name; default 0)");
  sub->add_option("--head", f->request.head, "Head index, 'mean' for the head average, or 'all' (default: mean)");
  add_output_flag(sub, f->out);
  sub->add_option("--cmap", f->request.colormap, "Colour map: viridis, magma, cividis");
  add_color_scale_flags(sub, f->request.scale);
  sub->add_option("--threshold", f->request.threshold, "Head view: smallest weight drawn as a line")->check(in_range(0.0, 1.0));
  sub->add_option("--size", f->request.size, "Heatmap: px of the cell area's longest side (cells stay 2..40 px, so short inputs draw smaller); grids/model view: px per thumbnail; stats: px of the query axis")
      ->check(in_range(16, 16000));
  sub->callback([f] { run_render(*f); });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_render);
