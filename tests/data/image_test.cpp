// data::decode_image: JPEG and PNG bytes (an untrusted file) to plain RGB pixels.
#include "attnscope/data/image.h"

#include <gtest/gtest.h>
#include <png.h>

#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "caption_fixture.h"
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

namespace {

// An EXIF APP1 segment whose first directory holds one entry, Orientation = `o`; little- or
// big-endian.
std::string exif(int o, bool little) {
  std::string t = little ? std::string("II*\0\x08\0\0\0", 8) : std::string("MM\0*\0\0\0\x08", 8);
  const auto u16 = [&](int v) { t += little ? std::string{char(v & 255), char(v >> 8)} : std::string{char(v >> 8), char(v & 255)}; };
  u16(1);
  u16(0x0112), u16(3), u16(little ? 1 : 0), u16(little ? 0 : 1), u16(o), u16(0);  // tag, SHORT, count 1, value
  return std::string("Exif\0\0", 6) + t;
}

bool red_at(const data::Image& im, double fx, double fy) {
  const uint8_t* p = im.at(static_cast<int64_t>(fy * static_cast<double>(im.height)), static_cast<int64_t>(fx * static_cast<double>(im.width)));
  return p[0] > 180 && p[2] < 80;
}

}  // namespace

// Phones store a photo as the sensor saw it and an EXIF orientation that turns it upright; the
// decoder applies it, as viewers do. Stored: 32 x 16, the top-left quadrant red, the rest blue.
TEST(ImageDecode, JpegTurnedUprightByExifOrientation) {
  const int w = 32, h = 16;
  std::vector<uint8_t> px(static_cast<size_t>(w * h * 3));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const bool red = x < w / 2 && y < h / 2;
      uint8_t* p = px.data() + (y * w + x) * 3;
      p[0] = red ? 240 : 10, p[1] = 10, p[2] = red ? 10 : 240;
    }
  // Where the red quadrant is shown for orientations 1..8 (0 TL, 1 TR, 2 BR, 3 BL).
  const int corner[9] = {0, 0, 1, 2, 3, 0, 1, 2, 3};
  const double cx[4] = {0.25, 0.75, 0.75, 0.25}, cy[4] = {0.25, 0.25, 0.75, 0.75};
  for (bool little : {true, false})
    for (int o = 1; o <= 8; ++o) {
      const data::Image im = data::decode_image(caption_fixture::jpeg_bytes(px, w, h, exif(o, little)), "o.jpg");
      SCOPED_TRACE("orientation " + std::to_string(o) + (little ? " II" : " MM"));
      EXPECT_EQ(im.width, o >= 5 ? h : w);
      EXPECT_EQ(im.height, o >= 5 ? w : h);
      for (int c = 0; c < 4; ++c) EXPECT_EQ(red_at(im, cx[c], cy[c]), c == corner[o]) << "corner " << c;
    }
  // Broken or odd EXIF leaves the pixels as stored: out-of-range value, a directory past the end,
  // no EXIF header at all.
  std::string far = exif(6, true);
  far[10] = '\x7f';  // the first directory's offset: 127, past the segment's end
  for (const std::string& app1 : {exif(9, true), exif(6, true).substr(0, 20), far, std::string("XMP data")}) {
    const data::Image im = data::decode_image(caption_fixture::jpeg_bytes(px, w, h, app1), "odd.jpg");
    EXPECT_EQ(im.width, w);
    EXPECT_TRUE(red_at(im, 0.25, 0.25));
  }
}

// CMYK JPEGs (print files, some scans) decode to RGB; libjpeg writes Adobe's marker, whose inks
// are stored inverted (255 = no ink), as Photoshop's are.
TEST(ImageDecode, CmykJpegToRgb) {
  const int w = 16, h = 8;
  std::vector<uint8_t> px(static_cast<size_t>(w * h * 4));
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      uint8_t* p = px.data() + (y * w + x) * 4;
      const bool red = x < w / 2;  // red = magenta + yellow ink; the right half 50% black only
      p[0] = 255, p[1] = red ? 0 : 255, p[2] = red ? 0 : 255, p[3] = red ? 255 : 128;
    }
  const data::Image im = data::decode_image(caption_fixture::jpeg_bytes(px, w, h, "", true), "cmyk.jpg");
  ASSERT_EQ(im.channels, 3);
  ASSERT_EQ(im.pixels.size(), static_cast<size_t>(w * h * 3));
  const uint8_t* red = im.at(4, 2);
  EXPECT_GT(red[0], 235);
  EXPECT_LT(red[1], 20);
  EXPECT_LT(red[2], 20);
  const uint8_t* grey = im.at(4, 12);
  for (int c = 0; c < 3; ++c) EXPECT_NEAR(grey[c], 128, 10);
}
