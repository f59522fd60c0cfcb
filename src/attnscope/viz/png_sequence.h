// PNG frame sequence: DIR/frame_00000.png, ... one file per distinct frame, plus DIR/frames.json
// listing each file with its duration in milliseconds (for other tools to assemble). Each file
// is written atomically; the directory is created if needed. The sequence appears whole or not
// at all: until frames.json is written, an error (destructor before finish) or SIGINT/SIGTERM
// (core/interrupt_cleanup.h) removes the frames written so far.
#pragma once
#include <string>
#include <vector>

#include "attnscope/core/interrupt_cleanup.h"
#include "attnscope/viz/frame_sink.h"

namespace attnscope::viz {

class PngSequenceWriter : public FrameSink {
 public:
  explicit PngSequenceWriter(const std::string& dir);
  ~PngSequenceWriter() override;
  PngSequenceWriter(const PngSequenceWriter&) = delete;
  PngSequenceWriter& operator=(const PngSequenceWriter&) = delete;
  void add(const Frame& frame, double seconds) override;
  void finish() override;
  const std::vector<std::string>& files() const { return files_; }

 private:
  std::string dir_;
  std::vector<std::string> files_;
  std::vector<double> seconds_;
  std::vector<RemoveOnInterrupt> pending_;  // frames written, removed if the sequence never completes
  RemoveOnInterrupt dir_guard_;             // the directory, when this writer created it
  bool created_ = false;
  bool finished_ = false;
};

}  // namespace attnscope::viz
