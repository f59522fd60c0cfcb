// `attnscope animate TRACE [--layer L] [--head H|mean] [--fps F] [--size WxH] [--per-token S]
//  [--hold S] [--cmap NAME] [--vmax W] [--scale sqrt|linear] [--training] -o OUT.gif|.mp4|DIR/`:
// the token-by-token animation, or with --training (or several TRACE files) one frame per training snapshot.
#include <cstdio>
#include <filesystem>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/focus/selection.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/animate_trace.h"
#include "attnscope/viz/animation_output.h"
#include "attnscope/viz/colormap.h"
#include "attnscope/viz/token_animation.h"
#include "attnscope/viz/training_animation.h"

namespace attnscope::cli {
namespace {

struct AnimateFlags {
  std::vector<std::string> traces;
  std::string layer, head, out, size = "800x600", cmap = "viridis";
  double fps = 10, per_token = 0.5, hold = 2.0;
  bool training = false, quiet = false;
  viz::ColorScaleSpec scale;
};

void parse_size(const std::string& s, int& w, int& h) {
  const auto x = s.find('x');
  bool ok = x != std::string::npos && x > 0 && x + 1 < s.size() &&
            s.find_first_not_of("0123456789x") == std::string::npos && s.find('x', x + 1) == std::string::npos &&
            x <= 9 && s.size() - x - 1 <= 9;  // the range is checked with the target (16..4096)
  if (ok) {
    w = std::stoi(s.substr(0, x));
    h = std::stoi(s.substr(x + 1));
  }
  ATTNSCOPE_CHECK(ok, ConfigError, "--size '" + s + "': expected WxH, e.g. 800x600");
}

void run_animate(const AnimateFlags& f) {
  int w = 0, h = 0;
  parse_size(f.size, w, h);
  viz::check_animation_target({f.out, w, h, f.fps, f.cmap, {}});
  std::vector<io::Trace> traces;
  for (const auto& p : f.traces) traces.push_back(io::read_trace(p));
  const int64_t layer = focus::resolve_layer(traces[0], f.layer);
  const int64_t head = focus::resolve_head(traces[0].layers[static_cast<size_t>(layer)], f.head);
  viz::AnimationTarget target{f.out, w, h, f.fps, f.cmap, {}};

  if (f.training || traces.size() > 1) {
    std::vector<viz::TrainingFrame> frames;
    if (traces.size() == 1) {
      frames = viz::snapshot_frames(traces[0], layer);
    } else {
      frames = viz::trace_frames(traces, f.traces, layer);
    }
    viz::TrainingAnimationOptions o;
    o.width = w;
    o.height = h;
    o.seconds_per_frame = f.per_token;
    o.hold = f.hold;
    o.colormap = f.cmap;
    o.scale = f.scale;
    viz::check_training_animation(frames.size(), o);
    viz::write_animation(target, [&](viz::FrameSink& sink) {
      viz::render_training_animation(frames, head, o, sink, f.quiet);
    });
    std::fprintf(stderr, "wrote %s (%zu snapshots)\n", f.out.c_str(), frames.size());
    return;
  }

  viz::AnimationOptions o;
  o.width = w;
  o.height = h;
  o.fps = f.fps;
  o.seconds_per_token = f.per_token;
  o.hold = f.hold;
  o.colormap = f.cmap;
  o.scale = f.scale;
  o.image_dir = std::filesystem::path(f.traces[0]).parent_path().string();
  const int64_t frames = viz::write_token_animation(traces[0], layer, head, o, f.out, f.quiet);
  std::fprintf(stderr, "wrote %s (%lld frames, %.1f s)\n", f.out.c_str(), static_cast<long long>(frames),
               double(frames) / f.fps + f.hold);
}

void setup_animate(CLI::App& app) {
  auto* sub = app.add_subcommand("animate", "Token-by-token animation of a trace (GIF, MP4 or PNG frames)");
  auto f = std::make_shared<AnimateFlags>();
  sub->add_option("TRACE", f->traces, "Trace file(s); several files = one frame per file (training)")->required();
  add_layer_head_flags(sub, f->layer, f->head);
  add_output_flag(sub, f->out);
  sub->add_option("--fps", f->fps, "Frames per second (GIF: at most 50)")->check(in_range(0.01, 120.0));
  sub->add_option("--size", f->size, "Frame size WxH (default 800x600)");
  sub->add_option("--per-token", f->per_token, "Seconds each token (or snapshot) stays current (default 0.5)")
      ->check(in_range(0.001, 600.0));
  sub->add_option("--hold", f->hold, "Extra seconds on the last frame (default 2)")->check(in_range(0.0, 600.0));
  sub->add_option("--cmap", f->cmap, "Colour map: viridis, magma, cividis");
  add_color_scale_flags(sub, f->scale);
  sub->add_flag("--training", f->training, "One frame per training snapshot stored in the trace");
  sub->add_flag("-q,--quiet", f->quiet, "No progress output");
  sub->callback([f] { run_animate(*f); });
}

}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_animate);
