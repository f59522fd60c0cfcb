#include "attnscope/data/image_transform.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"

namespace attnscope::data {

Image resize_image(const Image& im, int64_t side) {
  if (im.width < 1 || im.height < 1 || im.channels < 1 || side < 1 ||
      im.pixels.size() != static_cast<size_t>(im.width * im.height * im.channels))
    throw ValueError("resize_image: an image without pixels");
  if (im.width == side && im.height == side && im.channels == 3) return im;
  Image out;
  out.height = out.width = side;
  out.channels = 3;
  out.pixels.resize(static_cast<size_t>(side * side * 3));
  for (int64_t y = 0; y < side; ++y)
    for (int64_t x = 0; x < side; ++x) {
      const double sy = std::clamp((y + 0.5) * im.height / side - 0.5, 0.0, im.height - 1.0);
      const double sx = std::clamp((x + 0.5) * im.width / side - 0.5, 0.0, im.width - 1.0);
      const int64_t y0 = static_cast<int64_t>(sy), x0 = static_cast<int64_t>(sx);
      const int64_t y1 = std::min(y0 + 1, im.height - 1), x1 = std::min(x0 + 1, im.width - 1);
      const double fy = sy - y0, fx = sx - x0;
      for (int64_t ch = 0; ch < 3; ++ch) {
        const int64_t c = std::min(ch, im.channels - 1);
        const double v = (1 - fy) * ((1 - fx) * im.at(y0, x0)[c] + fx * im.at(y0, x1)[c]) +
                         fy * ((1 - fx) * im.at(y1, x0)[c] + fx * im.at(y1, x1)[c]);
        out.pixels[static_cast<size_t>((y * side + x) * 3 + ch)] = static_cast<uint8_t>(std::lround(std::clamp(v, 0.0, 255.0)));
      }
    }
  return out;
}

Image augment_image(const Image& im, int64_t max_shift, Rng& rng) {
  const int64_t dx = max_shift > 0 ? static_cast<int64_t>(rng.below(2 * max_shift + 1)) - max_shift : 0;
  const int64_t dy = max_shift > 0 ? static_cast<int64_t>(rng.below(2 * max_shift + 1)) - max_shift : 0;
  const bool flip = rng.below(2) == 1;
  Image out = im;
  for (int64_t y = 0; y < im.height; ++y)
    for (int64_t x = 0; x < im.width; ++x) {
      const int64_t fx = flip ? im.width - 1 - x : x;
      const int64_t sx = std::clamp<int64_t>(fx + dx, 0, im.width - 1), sy = std::clamp<int64_t>(y + dy, 0, im.height - 1);
      std::copy_n(im.at(sy, sx), im.channels, out.pixels.data() + static_cast<size_t>((y * im.width + x) * im.channels));
    }
  return out;
}

}  // namespace attnscope::data
