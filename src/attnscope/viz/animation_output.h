// Choosing the animation encoder from the output path: NAME.gif (giflib), NAME.mp4 (ffmpeg),
// or DIR/ (a PNG frame sequence; a trailing slash or an existing directory). GIF and MP4 files
// appear atomically: a failed or interrupted render leaves no partial file.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "attnscope/viz/frame.h"
#include "attnscope/viz/frame_sink.h"

namespace attnscope::viz {

enum class AnimationFormat { gif, mp4, png_dir };

// ConfigError for anything else.
AnimationFormat animation_format_for(const std::string& path);

struct AnimationTarget {
  std::string path;
  int width = 800, height = 600;
  double fps = 10;
  std::string colormap = "viridis";
  // GIF palette: for frames holding a photograph, sample frames to choose colours from;
  // empty = a drawing (colour map, greys, UI colours).
  std::vector<Frame> photo_samples;
};

// Opens the encoder for target.path and calls render(sink); render must call sink.finish().
// ConfigError when the target cannot be written (format, GIF frame rate): callers check before
// drawing anything.
void check_animation_target(const AnimationTarget& target);

// Bounds on an animation's length, so that a slip (600 s per token at 50 fps: a million frames)
// is refused in one line before anything is drawn, rather than encoding for hours.
inline constexpr double kMaxAnimationFrames = 10000;
inline constexpr double kMaxAnimationSeconds = 1800;
// ConfigError when `frames` frames lasting `seconds` in all exceed a bound; `why` says where the
// count comes from (e.g. "35 tokens x 600 s x 50 fps").
void check_animation_length(double frames, double seconds, const std::string& why);

void write_animation(const AnimationTarget& target, const std::function<void(FrameSink&)>& render);

}  // namespace attnscope::viz
