// Animated GIF through giflib: one global palette (gif_palette.h), looping forever. Identical
// consecutive frames merge into one longer frame; each new frame stores only the rectangle that
// changed, with unchanged pixels inside it transparent (smaller files, same picture). Frame
// delays are in centiseconds, rounded on the running clock so the total duration is exact.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/viz/frame_sink.h"
#include "attnscope/viz/gif_palette.h"

struct GifFileType;

namespace attnscope::viz {

class GifWriter : public FrameSink {
 public:
  // Opens path for writing (IoError). width/height in 1..65535.
  GifWriter(const std::string& path, int width, int height, const GifPalette& palette);
  ~GifWriter() override;
  void add(const Frame& frame, double seconds) override;
  void finish() override;
  int64_t frames_written() const { return written_; }

 private:
  void flush_pending();
  std::string path_;
  int w_, h_;
  GifFileType* gif_ = nullptr;
  Quantizer quant_;
  std::vector<uint8_t> pending_, shown_;  // [h, w] palette indices
  double pending_seconds_ = 0, clock_ = 0;
  bool has_pending_ = false, has_shown_ = false;
  int64_t written_ = 0;
};

}  // namespace attnscope::viz
