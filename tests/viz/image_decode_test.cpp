#include "attnscope/viz/image_decode.h"

#include <cairo.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "viz_test_util.h"

using namespace attnscope;

TEST(ImageDecode, PngRoundTripKeepsPixels) {
  viz::Frame src(7, 5);
  src.paint([](cairo_t* cr) {
    cairo_set_source_rgb(cr, 1, 0, 0);
    cairo_rectangle(cr, 0, 0, 3, 5);
    cairo_fill(cr);
  });
  const std::string path = fixture::out_path("decode.png");
  cairo_surface_t* s = cairo_image_surface_create_for_data(reinterpret_cast<unsigned char*>(src.px.data()),
                                                           CAIRO_FORMAT_RGB24, 7, 5, 28);
  ASSERT_EQ(cairo_surface_write_to_png(s, path.c_str()), CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy(s);
  viz::Frame f = viz::decode_image(read_file(path), "decode.png");
  ASSERT_EQ(f.width, 7);
  ASSERT_EQ(f.height, 5);
  EXPECT_EQ(f.at(1, 2) & 0xFFFFFFu, 0xFF0000u);
  EXPECT_EQ(f.at(5, 2) & 0xFFFFFFu, 0xFFFFFFu);
}

TEST(ImageDecode, MalformedFilesAreFormatErrors) {
  // A JPEG whose Huffman tables made stb_image read out of bounds (found by fuzz_viz).
  const std::string bad = read_file(std::string(ATTNSCOPE_SOURCE_DIR) + "/tests/viz/data/malformed_huffman.jpg");
  try {
    viz::Frame f = viz::decode_image(bad, "malformed_huffman.jpg");
    EXPECT_GT(f.width, 0);  // libjpeg may also decode it leniently: either is fine, no UB
  } catch (const FormatError&) {
  }
  EXPECT_THROW(viz::decode_image("\xFF\xD8\xFF", "short.jpg"), FormatError);
  EXPECT_THROW(viz::decode_image("GIF89a....", "x.gif"), FormatError);
  // A PNG header claiming 100000 x 100000 px is refused before decoding.
  std::string png = "\x89PNG\r\n\x1a\n";
  png += std::string("\0\0\0\x0dIHDR", 8);
  png += std::string("\x00\x01\x86\xa0\x00\x01\x86\xa0", 8);
  png += std::string(13, '\0');
  EXPECT_THROW(viz::decode_image(png, "huge.png"), ValueError);
}

TEST(ImageDecode, RealJpegsWhenSharedDataIsPresent) {
  const std::string dir = std::string(ATTNSCOPE_SOURCE_DIR) + "/../shared/data/flickr8k_subset/images_1000";
  if (!std::filesystem::exists(dir)) GTEST_SKIP() << "../shared/data/flickr8k_subset absent";
  int n = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".jpg" || ++n > 5) continue;
    viz::Frame f = viz::decode_image(read_file(e.path().string()), e.path().filename().string());
    EXPECT_GT(f.width, 50) << e.path();
  }
  EXPECT_GT(n, 0);
}
