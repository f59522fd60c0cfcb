// data::decode_image: JPEG and PNG bytes (an untrusted file) to plain RGB pixels.
#include "attnscope/data/image.h"

#include <gtest/gtest.h>
#include <png.h>

#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "shared_data.h"

using namespace attnscope;

namespace {

// A w x h RGBA PNG: left third opaque red, a half-transparent blue pixel at (6, 0), the rest
// transparent.
std::string make_png(int w, int h) {
  std::vector<uint8_t> px(static_cast<size_t>(w * h * 4), 0);  // [h, w, 4]
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < 3; ++x) {
      uint8_t* p = px.data() + (y * w + x) * 4;
      p[0] = 255, p[3] = 255;
    }
  uint8_t* blue = px.data() + 6 * 4;
  blue[2] = 255, blue[3] = 128;
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  img.width = w;
  img.height = h;
  img.format = PNG_FORMAT_RGBA;
  png_alloc_size_t n = 0;
  EXPECT_TRUE(png_image_write_to_memory(&img, nullptr, &n, 0, px.data(), 0, nullptr));
  std::string out(n, '\0');
  EXPECT_TRUE(png_image_write_to_memory(&img, out.data(), &n, 0, px.data(), 0, nullptr));
  out.resize(n);
  return out;
}

}  // namespace

TEST(ImageDecode, PngToRgbOverWhite) {
  const data::Image im = data::decode_image(make_png(7, 5), "decode.png");
  ASSERT_EQ(im.width, 7);
  ASSERT_EQ(im.height, 5);
  ASSERT_EQ(im.channels, 3);
  ASSERT_EQ(im.pixels.size(), 7u * 5u * 3u);
  EXPECT_EQ(std::vector<uint8_t>(im.at(2, 1), im.at(2, 1) + 3), (std::vector<uint8_t>{255, 0, 0}));
  EXPECT_EQ(std::vector<uint8_t>(im.at(2, 5), im.at(2, 5) + 3), (std::vector<uint8_t>{255, 255, 255}));
  const uint8_t* half = im.at(0, 6);  // blue at half opacity over white: pale blue
  EXPECT_EQ(half[2], 255);
  EXPECT_GT(half[0], 60);
  EXPECT_LT(half[0], 250);
}

TEST(ImageDecode, MalformedFilesAreFormatErrors) {
  // A JPEG whose Huffman tables made stb_image read out of bounds (found by fuzz_viz).
  const std::string bad = read_file(std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/data/malformed_huffman.jpg");
  try {
    data::Image im = data::decode_image(bad, "malformed_huffman.jpg");
    EXPECT_GT(im.width, 0);  // libjpeg may also decode it leniently: either is fine, no UB
  } catch (const FormatError&) {
  }
  EXPECT_THROW(data::decode_image("\xFF\xD8\xFF", "short.jpg"), FormatError);
  EXPECT_THROW(data::decode_image("GIF89a....", "x.gif"), FormatError);
  std::string cut = make_png(7, 5);
  cut.resize(cut.size() - 20);  // IDAT cut short
  EXPECT_THROW(data::decode_image(cut, "cut.png"), FormatError);
  // A PNG header claiming 100000 x 100000 px is refused before decoding.
  std::string png = "\x89PNG\r\n\x1a\n";
  png += std::string("\0\0\0\x0dIHDR", 8);
  png += std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0", 8);
  png += std::string("\x08\x02\x00\x00\x00", 5);
  png += std::string(4, '\0');  // CRC (libpng may check it first: then a FormatError)
  try {
    data::decode_image(png, "huge.png");
    FAIL() << "a 100000 x 100000 PNG was decoded";
  } catch (const ValueError& e) {
    EXPECT_NE(std::string(e.what()).find("100000x100000"), std::string::npos) << e.what();
  } catch (const FormatError&) {
  }
}

TEST(ImageDecode, RealJpegsWhenSharedDataIsPresent) {
  const std::string dir = attnscope::testing::shared_data_dir() + "/flickr8k_subset/images_1000";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "../shared/data/flickr8k_subset absent";
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".jpg" || ++n > 5) continue;
    data::Image im = data::decode_image(read_file(e.path().string()), e.path().filename().string());
    EXPECT_GT(im.width, 50) << e.path();
    EXPECT_EQ(im.pixels.size(), static_cast<size_t>(im.width * im.height * 3));
  }
  EXPECT_GT(n, 0);
}
