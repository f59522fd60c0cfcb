#include "attnscope/viz/training_animation.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/core/progress.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/focus/same_run.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/animation_output.h"
#include "attnscope/viz/cell_grid.h"
#include "attnscope/viz/color.h"
#include "attnscope/viz/heatmap.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {

std::vector<TrainingFrame> snapshot_frames(const io::Trace& trace, int64_t layer) {
  ATTNSCOPE_CHECK(!trace.snapshots.empty(), ValueError,
                  "the trace has no training snapshots (focus across training needs them)");
  std::vector<TrainingFrame> out;
  for (const auto& s : trace.snapshots) {
    ATTNSCOPE_CHECK(layer >= 0 && layer < static_cast<int64_t>(s.layers.size()), ConfigError,
                    "layer " + std::to_string(layer) + " out of range in snapshot '" + s.label + "'");
    out.push_back({s.label.empty() ? "step " + std::to_string(s.step) : s.label, &trace,
                   &s.layers[static_cast<size_t>(layer)]});
  }
  return out;
}

std::vector<TrainingFrame> trace_frames(const std::vector<io::Trace>& traces, const std::vector<std::string>& names,
                                        int64_t layer) {
  ATTNSCOPE_CHECK(traces.size() == names.size(), ConfigError, "trace_frames: one name per trace");
  std::vector<TrainingFrame> out;
  for (size_t i = 0; i < traces.size(); ++i) {
    const io::Trace& t = traces[i];
    if (i > 0) {
      const std::string why = focus::run_difference(traces[0], t);
      ATTNSCOPE_CHECK(why.empty(), ConfigError,
                      "'" + names[i] + "' is not a training snapshot of the run of '" + names[0] + "': " + why);
    }
    ATTNSCOPE_CHECK(layer >= 0 && layer < static_cast<int64_t>(t.layers.size()), ConfigError,
                    "'" + names[i] + "' has no layer " + std::to_string(layer));
    auto step = t.meta.find("step");
    out.push_back({step != t.meta.end() ? "step " + step->second : std::filesystem::path(names[i]).filename().string(), &t, &t.layers[static_cast<size_t>(layer)]});
  }
  return out;
}

void check_training_animation(size_t snapshots, const TrainingAnimationOptions& o) {
  (void)colormap(o.colormap);
  check_color_scale(o.scale);
  ATTNSCOPE_CHECK(snapshots > 0, ValueError, "no snapshots to animate");
  ATTNSCOPE_CHECK(o.width >= 160 && o.height >= 120 && o.width <= 7680 && o.height <= 4320, ConfigError,
                  "animation size outside 160x120..7680x4320");
  ATTNSCOPE_CHECK(o.seconds_per_frame > 0 && o.hold >= 0, ConfigError, "frame durations must be positive");
  char why[96];
  std::snprintf(why, sizeof why, "%zu snapshots \u00D7 %g s", snapshots, o.seconds_per_frame);
  check_animation_length(double(snapshots), double(snapshots) * o.seconds_per_frame + o.hold, why);
}

int64_t render_training_animation(const std::vector<TrainingFrame>& frames, int64_t head,
                                  const TrainingAnimationOptions& o, FrameSink& sink, bool quiet) {
  check_training_animation(frames.size(), o);
  std::vector<HeadRef> shown;
  for (const auto& f : frames) {
    io::validate_layer(*f.trace, *f.layer);
    focus::check_head(*f.layer, head);
    shown.push_back({f.layer, head});
  }
  const ColorScale scale = viewer_scale(shown, o.scale);
  Frame frame(o.width, o.height);
  Progress progress("animate", static_cast<int64_t>(frames.size()), quiet);
  for (size_t i = 0; i < frames.size(); ++i) {
    HeatmapOptions ho;
    ho.colormap = o.colormap;
    ho.scale = {scale.top(), scale.curve()};
    ho.title = frames[i].label + " \u00B7 " + heatmap_title(*frames[i].trace, *frames[i].layer, head);
    ho.subtitle = "snapshot " + std::to_string(i + 1) + " of " + std::to_string(frames.size()) +
                  "; one colour scale for all snapshots";
    // Largest cell budget whose picture fits the frame.
    auto make = [&](int budget) {
      ho.budget = budget;
      return trace_heatmap(*frames[i].trace, *frames[i].layer, head, ho);
    };
    int budget = std::max(16, std::min(o.width, o.height) - 40);
    Heatmap hm = make(budget);
    for (int tries = 0; tries < 8 && (hm.width() > o.width || hm.height() > o.height) && budget > 16; ++tries) {
      const double s = std::min(double(o.width) / hm.width(), double(o.height) / hm.height());
      budget = std::max(16, static_cast<int>(budget * s * 0.97));
      hm = make(budget);
    }
    frame.paint([&](cairo_t* cr) {
      hm.draw(cr, std::max(0.0, (o.width - hm.width()) / 2.0), std::max(0.0, (o.height - hm.height()) / 2.0));
    });
    sink.add(frame, o.seconds_per_frame + (i + 1 == frames.size() ? o.hold : 0.0));
    progress.tick();
  }
  progress.finish();
  sink.finish();
  return static_cast<int64_t>(frames.size());
}

}  // namespace attnscope::viz
