// One-call animation writers over a trace, shared by `attnscope animate`, `translate --gif`
// and the demo: pick the encoder from the path (.gif / .mp4 / DIR/), render, write atomically.
#pragma once
#include <cstdint>
#include <string>

#include "attnscope/io/trace.h"
#include "attnscope/viz/token_animation.h"
#include "attnscope/viz/training_animation.h"

namespace attnscope::viz {

// The token-by-token animation of (layer, head); head -1 = head average. Returns the frame count.
int64_t write_token_animation(const io::Trace& trace, int64_t layer, int64_t head, const AnimationOptions& opts,
                              const std::string& path, bool quiet = true);
// Focus across training: one frame per snapshot of trace.snapshots (ValueError if none).
int64_t write_snapshot_animation(const io::Trace& trace, int64_t layer, int64_t head,
                                 const TrainingAnimationOptions& opts, double fps, const std::string& path,
                                 bool quiet = true);

}  // namespace attnscope::viz
