// PNG frame sequence: DIR/frame_00000.png, ... one file per distinct frame, plus DIR/frames.json
// listing each file with its duration in milliseconds (for other tools to assemble). Each file
// is written atomically; the directory is created if needed.
#pragma once
#include <string>
#include <vector>

#include "attnscope/viz/frame_sink.h"

namespace attnscope::viz {

class PngSequenceWriter : public FrameSink {
 public:
  explicit PngSequenceWriter(const std::string& dir);
  void add(const Frame& frame, double seconds) override;
  void finish() override;
  const std::vector<std::string>& files() const { return files_; }

 private:
  std::string dir_;
  std::vector<std::string> files_;
  std::vector<double> seconds_;
  bool finished_ = false;
};

}  // namespace attnscope::viz
