#include "attnscope/viz/gif_writer.h"

#include <gif_lib.h>

#include <cmath>

#include "attnscope/core/error.h"

namespace attnscope::viz {

namespace {
constexpr int kTransparent = 255;

[[noreturn]] void fail(const std::string& path, int err) {
  const char* msg = GifErrorString(err);
  throw IoError("cannot write GIF '" + path + "': " + (msg ? msg : "giflib error " + std::to_string(err)));
}
}  // namespace

GifWriter::GifWriter(const std::string& path, int width, int height, const GifPalette& palette)
    : path_(path), w_(width), h_(height), quant_(palette) {
  ATTNSCOPE_CHECK(width >= 1 && height >= 1 && width <= 65535 && height <= 65535, ConfigError,
                  "GIF size " + std::to_string(width) + "x" + std::to_string(height) + " outside 1..65535");
  ATTNSCOPE_CHECK(!palette.colors.empty() && palette.colors.size() <= 255, ValueError,
                  "GIF palette needs 1..255 colours");
  int err = 0;
  gif_ = EGifOpenFileName(path.c_str(), false, &err);
  if (!gif_) fail(path, err);
  GifColorType colors[256] = {};
  for (size_t i = 0; i < palette.colors.size(); ++i)
    colors[i] = {palette.colors[i].r, palette.colors[i].g, palette.colors[i].b};
  ColorMapObject* cmap = GifMakeMapObject(256, colors);
  EGifSetGifVersion(gif_, true);  // GIF89a: delays, transparency, looping
  const int rc = EGifPutScreenDesc(gif_, w_, h_, 8, 0, cmap);
  GifFreeMapObject(cmap);
  if (rc != GIF_OK) fail(path, gif_->Error);
  // NETSCAPE2.0 application block: loop forever.
  const unsigned char app[] = "NETSCAPE2.0";
  const unsigned char loop[] = {1, 0, 0};
  if (EGifPutExtensionLeader(gif_, APPLICATION_EXT_FUNC_CODE) != GIF_OK ||
      EGifPutExtensionBlock(gif_, 11, app) != GIF_OK || EGifPutExtensionBlock(gif_, 3, loop) != GIF_OK ||
      EGifPutExtensionTrailer(gif_) != GIF_OK)
    fail(path, gif_->Error);
}

GifWriter::~GifWriter() {
  if (gif_) {
    int err = 0;
    EGifCloseFile(gif_, &err);
  }
}

void GifWriter::add(const Frame& frame, double seconds) {
  ATTNSCOPE_CHECK(gif_, Error, "GIF '" + path_ + "': frame added after finish");
  ATTNSCOPE_CHECK(frame.width == w_ && frame.height == h_, ShapeError,
                  "GIF frame " + std::to_string(frame.width) + "x" + std::to_string(frame.height) + " in a " +
                      std::to_string(w_) + "x" + std::to_string(h_) + " animation");
  ATTNSCOPE_CHECK(seconds > 0 && std::isfinite(seconds), ValueError, "GIF frame duration must be > 0");
  std::vector<uint8_t> idx(frame.px.size());  // [h, w]
  for (size_t i = 0; i < idx.size(); ++i) idx[i] = quant_.index(frame.px[i]);
  if (has_pending_ && idx == pending_) {
    pending_seconds_ += seconds;
    return;
  }
  flush_pending();
  pending_ = std::move(idx);
  pending_seconds_ = seconds;
  has_pending_ = true;
}

void GifWriter::flush_pending() {
  if (!has_pending_) return;
  // Changed rectangle against what is on screen.
  int x0 = 0, y0 = 0, x1 = w_ - 1, y1 = h_ - 1;
  if (has_shown_) {
    x0 = w_, y0 = h_, x1 = -1, y1 = -1;
    for (int y = 0; y < h_; ++y) {
      const uint8_t* a = pending_.data() + static_cast<size_t>(y) * w_;
      const uint8_t* b = shown_.data() + static_cast<size_t>(y) * w_;
      for (int x = 0; x < w_; ++x)
        if (a[x] != b[x]) {
          x0 = std::min(x0, x), x1 = std::max(x1, x), y0 = std::min(y0, y), y1 = std::max(y1, y);
        }
    }
    if (x1 < 0) x0 = y0 = x1 = y1 = 0;  // cannot happen (equal frames merged); keep one pixel
  }
  // Delay on the running clock: rounding errors do not accumulate over hundreds of frames.
  const int start_cs = static_cast<int>(std::lround(clock_ * 100));
  clock_ += pending_seconds_;
  const int delay = std::max(1, static_cast<int>(std::lround(clock_ * 100)) - start_cs);
  GraphicsControlBlock gcb{};
  gcb.DisposalMode = DISPOSE_DO_NOT;
  gcb.UserInputFlag = false;
  gcb.DelayTime = std::min(delay, 65535);
  gcb.TransparentColor = has_shown_ ? kTransparent : NO_TRANSPARENT_COLOR;
  GifByteType ext[4];
  EGifGCBToExtension(&gcb, ext);
  if (EGifPutExtension(gif_, GRAPHICS_EXT_FUNC_CODE, 4, ext) != GIF_OK) fail(path_, gif_->Error);
  const int rw = x1 - x0 + 1, rh = y1 - y0 + 1;
  if (EGifPutImageDesc(gif_, x0, y0, rw, rh, false, nullptr) != GIF_OK) fail(path_, gif_->Error);
  std::vector<GifPixelType> line(static_cast<size_t>(rw));
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      const size_t i = static_cast<size_t>(y) * w_ + x;
      line[static_cast<size_t>(x - x0)] = has_shown_ && pending_[i] == shown_[i] ? kTransparent : pending_[i];
    }
    if (EGifPutLine(gif_, line.data(), rw) != GIF_OK) fail(path_, gif_->Error);
  }
  shown_.swap(pending_);
  has_shown_ = true;
  has_pending_ = false;
  ++written_;
}

void GifWriter::finish() {
  if (!gif_) return;
  flush_pending();
  int err = 0;
  const int rc = EGifCloseFile(gif_, &err);
  gif_ = nullptr;
  if (rc != GIF_OK) fail(path_, err);
}

}  // namespace attnscope::viz
