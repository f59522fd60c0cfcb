// Frame: one rendered animation frame, an opaque RGB image in Cairo's ARGB32 layout
// (0xAARRGGBB per pixel in native endianness), drawable through a Cairo context.
#pragma once
#include <cairo.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "attnscope/data/image.h"

namespace attnscope::viz {

struct Frame {
  int width = 0, height = 0;
  std::vector<uint32_t> px;  // [height, width] 0xAARRGGBB

  Frame() = default;
  Frame(int w, int h) : width(w), height(h), px(static_cast<size_t>(w) * static_cast<size_t>(h), 0xFFFFFFFFu) {}
  uint32_t at(int x, int y) const { return px[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)]; }
  static uint8_t r(uint32_t p) { return static_cast<uint8_t>(p >> 16); }
  static uint8_t g(uint32_t p) { return static_cast<uint8_t>(p >> 8); }
  static uint8_t b(uint32_t p) { return static_cast<uint8_t>(p); }

  // Clears to white and runs draw on a Cairo context over this frame's pixels.
  void paint(const std::function<void(cairo_t*)>& draw);
};

// The pixels of a decoded or embedded image as an opaque frame (grey spread to RGB; an alpha
// channel is ignored). ShapeError when the pixels do not match [height, width, channels].
Frame to_frame(const data::Image& image);

}  // namespace attnscope::viz
