// Colours shared by the views: a few fixed UI colours and one colour per head (the Tableau-10
// qualitative palette, distinguishable and colour-blind tolerant, as BertViz uses d3's).
#pragma once
#include <cairo.h>

#include <cstdint>

#include "attnscope/viz/colormap.h"

namespace attnscope::viz {

struct Rgb {
  double r = 0, g = 0, b = 0;
};

inline Rgb to_rgb(Rgb8 c) { return {c.r / 255.0, c.g / 255.0, c.b / 255.0}; }
inline void set_source(cairo_t* cr, Rgb c) { cairo_set_source_rgb(cr, c.r, c.g, c.b); }

inline constexpr Rgb kBackground{1, 1, 1};
inline constexpr Rgb kInk{0.13, 0.13, 0.13};        // text, axes
inline constexpr Rgb kFaint{0.62, 0.62, 0.62};      // secondary text, frames
inline constexpr Rgb kHighlight{0.86, 0.15, 0.15};  // the current token in animations
inline constexpr Rgb kSegmentInk{0x2d / 255.0, 0x5f / 255.0, 0xa8 / 255.0};  // A / B letters (the viewer's #2d5fa8)

// Head h's colour (cycles after 10 heads).
inline Rgb8 head_color8(int64_t h) {
  static constexpr Rgb8 kTab10[10] = {{31, 119, 180}, {255, 127, 14}, {44, 160, 44},  {214, 39, 40},
                                      {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127},
                                      {188, 189, 34},  {23, 190, 207}};
  return kTab10[static_cast<size_t>(((h % 10) + 10) % 10)];
}
inline Rgb head_color(int64_t h) { return to_rgb(head_color8(h)); }

// Black or white, whichever reads better on `bg` (relative luminance threshold).
inline Rgb text_on(Rgb8 bg) {
  const double y = 0.2126 * bg.r + 0.7152 * bg.g + 0.0722 * bg.b;
  return y > 140 ? Rgb{0, 0, 0} : Rgb{1, 1, 1};
}

}  // namespace attnscope::viz
