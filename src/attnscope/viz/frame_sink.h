// FrameSink: where animation frames go (GIF, MP4, PNG sequence). Frames arrive in order with
// the time each stays on screen; finish() completes the output. Encoders write to the path
// they are given; callers make the final file appear atomically (animation_output.h).
#pragma once
#include <cstdint>

#include "attnscope/viz/frame.h"

namespace attnscope::viz {

class FrameSink {
 public:
  virtual ~FrameSink() = default;
  // Appends a frame shown for `seconds` (> 0). Frames have the sink's size.
  virtual void add(const Frame& frame, double seconds) = 0;
  // Flushes and closes the output. No frame may follow.
  virtual void finish() = 0;
};

}  // namespace attnscope::viz
