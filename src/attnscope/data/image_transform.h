// Image resampling and training-time augmentation on decoded pixels (data/image.h).
//   resize_image   bilinear at pixel centres to side x side RGB (an image already that size and
//                  RGB is returned unchanged), so every model sees one input size
//   augment_image  a random shift of up to max_shift pixels on each axis (edges repeated: the crop
//                  stays inside the picture's own colours) and a horizontal flip half the time
#pragma once
#include <cstdint>

#include "attnscope/core/rng.h"
#include "attnscope/data/image.h"

namespace attnscope::data {

// ValueError for an image without pixels or side < 1.
Image resize_image(const Image& image, int64_t side);

Image augment_image(const Image& image, int64_t max_shift, Rng& rng);

}  // namespace attnscope::data
