#include "attnscope/viz/animation_output.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/viz/colormap.h"
#include "attnscope/viz/gif_writer.h"
#include "attnscope/viz/mp4_writer.h"
#include "attnscope/viz/png_sequence.h"

namespace attnscope::viz {

AnimationFormat animation_format_for(const std::string& path) {
  ATTNSCOPE_CHECK(!path.empty(), ConfigError, "empty output path");
  if (path.back() == '/' || std::filesystem::is_directory(path)) return AnimationFormat::png_dir;
  const auto dot = path.rfind('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == "gif") return AnimationFormat::gif;
  if (ext == "mp4") return AnimationFormat::mp4;
  throw ConfigError("cannot tell the animation format of '" + path +
                    "': use NAME.gif, NAME.mp4 or DIR/ (a PNG frame sequence)");
}

void check_animation_target(const AnimationTarget& t) {
  (void)colormap(t.colormap);
  // 4096 a side: a 4K frame is 64 MB of pixels; every encoder holds a few.
  ATTNSCOPE_CHECK(t.width >= 16 && t.height >= 16 && t.width <= 4096 && t.height <= 4096, ConfigError,
                  "frame size " + std::to_string(t.width) + "x" + std::to_string(t.height) + " outside 16..4096 px a side");
  // GIF delays are centiseconds and viewers slow down anything under 2 cs.
  if (animation_format_for(t.path) == AnimationFormat::gif)
    ATTNSCOPE_CHECK(t.fps <= 50, ConfigError, "GIF frames cannot be shorter than 20 ms: use a frame rate (fps) of 50 or less");
}

void check_animation_length(double frames, double seconds, const std::string& why) {
  if (frames <= kMaxAnimationFrames && seconds <= kMaxAnimationSeconds) return;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "the animation would have %.0f frames lasting %.0f s (%s); the limit is %.0f frames and %.0f s: "
                "use fewer seconds per token or a lower frame rate",
                frames, seconds, why.c_str(), kMaxAnimationFrames, kMaxAnimationSeconds);
  throw ConfigError(buf);
}

void write_animation(const AnimationTarget& t, const std::function<void(FrameSink&)>& render) {
  check_animation_target(t);
  const Colormap& cmap = colormap(t.colormap);
  switch (animation_format_for(t.path)) {
    case AnimationFormat::gif: {
      std::vector<const Frame*> samples;
      for (const Frame& f : t.photo_samples) samples.push_back(&f);
      const GifPalette palette = samples.empty() ? drawing_palette(cmap) : photo_palette(cmap, samples);
      write_atomic_with(t.path, [&](const std::string& tmp) {
        GifWriter gif(tmp, t.width, t.height, palette);
        render(gif);
        // giflib creates files 0600; give the usual rw-r--r--.
        std::error_code ec;
        std::filesystem::permissions(tmp, std::filesystem::perms(0644), ec);
      });
      break;
    }
    case AnimationFormat::mp4:
      write_atomic_with(t.path, [&](const std::string& tmp) {
        Mp4Writer mp4(tmp, t.width, t.height, t.fps);
        render(mp4);
      });
      break;
    case AnimationFormat::png_dir: {
      PngSequenceWriter seq(t.path);
      render(seq);
      break;
    }
  }
}

}  // namespace attnscope::viz
