// Resizing to the model's side and the training augmentation (shift with repeated edges, flip).
#include <gtest/gtest.h>

#include "attnscope/core/error.h"
#include "attnscope/data/image_transform.h"

namespace attnscope::data {
namespace {

Image gradient(int64_t w, int64_t h) {
  Image im;
  im.width = w, im.height = h, im.channels = 3;
  for (int64_t y = 0; y < h; ++y)
    for (int64_t x = 0; x < w; ++x)
      for (int c = 0; c < 3; ++c) im.pixels.push_back(static_cast<uint8_t>(c == 0 ? x * 255 / (w - 1) : c == 1 ? y * 255 / (h - 1) : 7));
  return im;
}

TEST(ImageTransform, ResizeKeepsTheLayout) {
  const Image im = gradient(40, 20);
  const Image r = resize_image(im, 8);
  ASSERT_EQ(r.width, 8);
  ASSERT_EQ(r.height, 8);
  EXPECT_LT(r.at(0, 0)[0], 30);   // red grows left to right
  EXPECT_GT(r.at(0, 7)[0], 225);
  EXPECT_LT(r.at(0, 3)[1], 30);   // green top to bottom
  EXPECT_GT(r.at(7, 3)[1], 225);
  EXPECT_EQ(r.at(4, 4)[2], 7);
  EXPECT_EQ(resize_image(r, 8).pixels, r.pixels);  // already that size
  EXPECT_THROW(resize_image(Image{}, 8), ValueError);
}

TEST(ImageTransform, AugmentShiftsWithinBoundsAndFlips) {
  const Image im = gradient(16, 16);
  Rng rng(3);
  int flipped = 0;
  for (int i = 0; i < 40; ++i) {
    const Image a = augment_image(im, 2, rng);
    ASSERT_EQ(a.pixels.size(), im.pixels.size());
    const bool flip = a.at(8, 0)[0] > a.at(8, 15)[0];
    flipped += flip;
    // A shift of at most 2 px: the left column holds source column 0..2 (or 13..15 flipped).
    const int left = a.at(8, 0)[0] * 15 / 255;
    EXPECT_TRUE(flip ? left >= 13 : left <= 2) << left;
  }
  EXPECT_GT(flipped, 5);
  EXPECT_LT(flipped, 35);
}

}  // namespace
}  // namespace attnscope::data
