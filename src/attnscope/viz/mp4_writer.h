// MP4 (H.264) through the ffmpeg program, fed raw frames on a pipe. ffmpeg is found on PATH (or
// at $ATTNSCOPE_FFMPEG); when it is missing, a ConfigError names the Debian package. Constant
// frame rate: a frame shown for longer is repeated (on a running clock, so durations add up).
#pragma once
#include <string>

#include "attnscope/viz/frame_sink.h"

namespace attnscope::viz {

// The ffmpeg executable, or "" when not installed.
std::string find_ffmpeg();

class Mp4Writer : public FrameSink {
 public:
  // Starts ffmpeg writing `path` (MP4 container whatever the name). Width and height must be even
  // (H.264 4:2:0); ConfigError otherwise.
  Mp4Writer(const std::string& path, int width, int height, double fps);
  ~Mp4Writer() override;
  void add(const Frame& frame, double seconds) override;
  void finish() override;
  int64_t frames_written() const { return written_; }

 private:
  void write_frame(const Frame& f);
  std::string path_, log_path_;
  int w_, h_;
  double fps_;
  int pid_ = -1, fd_ = -1;
  double clock_ = 0;
  int64_t written_ = 0;
};

}  // namespace attnscope::viz
