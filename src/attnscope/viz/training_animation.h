// Focus across training: one frame per training snapshot, the heatmap of one layer/head at
// that step, on one colour scale for all frames (so a head sharpening over training shows as
// the map brightening, not as a rescaled picture).
#pragma once
#include <string>
#include <vector>

#include "attnscope/io/trace.h"
#include "attnscope/viz/color_scale.h"
#include "attnscope/viz/frame_sink.h"

namespace attnscope::viz {

struct TrainingFrame {
  std::string label;         // "epoch 3", "step 1200"
  const io::Trace* trace;    // sequences (tokens) come from here
  const io::TraceLayer* layer;
};

// Snapshots of trace.layers[layer] from trace.snapshots, in order (ValueError if none).
std::vector<TrainingFrame> snapshot_frames(const io::Trace& trace, int64_t layer);
// One frame per trace (snapshots saved as separate files, `names` = their paths): labelled
// "step S" from the trace's meta "step", else by its file name. ConfigError, naming both files and the
// difference, when a trace is not a snapshot of the first one's run (focus::run_difference: other
// model or other text) or has no layer `layer`.
std::vector<TrainingFrame> trace_frames(const std::vector<io::Trace>& traces, const std::vector<std::string>& names,
                                        int64_t layer);

struct TrainingAnimationOptions {
  int width = 800, height = 600;
  double seconds_per_frame = 0.5;
  double hold = 2.0;
  std::string colormap = "viridis";
  ColorScaleSpec scale;  // one scale for all snapshots (automatic: pooled over them)
};

// Renders one frame per snapshot into sink (and finishes it). Returns the frame count.
// Checks the options and the length of an animation of `snapshots` frames (ConfigError), before
// anything is drawn or opened.
void check_training_animation(size_t snapshots, const TrainingAnimationOptions& opts);

int64_t render_training_animation(const std::vector<TrainingFrame>& frames, int64_t head,
                                  const TrainingAnimationOptions& opts, FrameSink& sink, bool quiet = true);

}  // namespace attnscope::viz
