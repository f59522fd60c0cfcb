// GIF palettes (at most 256 colours) that keep colour maps free of banding: the palette holds
// the colour map itself densely (every ~1.3 table entries, so the nearest palette colour of any
// map colour is within ~2 levels per channel), a grey ramp for antialiased text, the UI and
// head colours, and — for photographs — colours chosen by median cut from sample frames.
// Mapping is exact nearest-colour (weighted RGB distance), memoized per 24-bit colour.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/viz/colormap.h"
#include "attnscope/viz/frame.h"

namespace attnscope::viz {

struct GifPalette {
  std::vector<Rgb8> colors;  // <= 255 (index 255 stays free for transparency)
};

// Colour map + greys + UI/head colours, for drawings (no photographs): 255 colours.
GifPalette drawing_palette(const Colormap& cmap);
// For frames with a photograph: a smaller fixed part (colour map, greys, UI) and the rest by
// median cut over the sample frames' pixels.
GifPalette photo_palette(const Colormap& cmap, const std::vector<const Frame*>& samples);

// Nearest palette index of a 24-bit colour, memoized (16 MiB table, filled lazily).
class Quantizer {
 public:
  explicit Quantizer(const GifPalette& p);
  uint8_t index(uint32_t argb) {
    const uint32_t c = argb & 0xFFFFFFu;
    if (!(known_[c >> 6] >> (c & 63) & 1)) fill(c);
    return lut_[c];
  }

 private:
  void fill(uint32_t c);
  GifPalette p_;
  std::vector<uint8_t> lut_;     // [2^24]
  std::vector<uint64_t> known_;  // [2^24 / 64] bitset
};

}  // namespace attnscope::viz
