// A tiny captioned-photo folder written by the tests themselves (no ../shared): images of one
// coloured square on grey (red, green or blue, left or right), half PNG and half JPEG, five
// captions each in a Flickr8k-style CSV (some quoted, with commas) or a COCO-style JSON.
#pragma once
#include <jpeglib.h>
#include <png.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace caption_fixture {

inline std::vector<uint8_t> square_pixels(int side, int colour, bool left) {
  std::vector<uint8_t> px(static_cast<size_t>(side * side * 3), 110);
  for (int y = side / 4; y < 3 * side / 4; ++y)
    for (int x = 0; x < side / 2; ++x) {
      uint8_t* p = px.data() + (y * side + x + (left ? 0 : side / 2)) * 3;
      p[0] = p[1] = p[2] = 20;
      p[colour] = 235;
    }
  return px;
}

inline std::string png_bytes(const std::vector<uint8_t>& px, int w, int h) {
  png_image img{};
  img.version = PNG_IMAGE_VERSION;
  img.width = static_cast<png_uint_32>(w);
  img.height = static_cast<png_uint_32>(h);
  img.format = PNG_FORMAT_RGB;
  png_alloc_size_t n = 0;
  png_image_write_to_memory(&img, nullptr, &n, 0, px.data(), 0, nullptr);
  std::string out(n, '\0');
  png_image_write_to_memory(&img, out.data(), &n, 0, px.data(), 0, nullptr);
  out.resize(n);
  return out;
}

// `px` is [h, w, 3] RGB, or [h, w, 4] CMYK when `cmyk` (libjpeg then writes Adobe's marker, so the
// decoder reads the values as inverted inks). `app1`, when given, is written as an APP1 segment
// (e.g. EXIF).
inline std::string jpeg_bytes(const std::vector<uint8_t>& px, int w, int h, const std::string& app1 = "", bool cmyk = false) {
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* buf = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buf, &size);
  c.image_width = static_cast<JDIMENSION>(w);
  c.image_height = static_cast<JDIMENSION>(h);
  const int ch = cmyk ? 4 : 3;
  c.input_components = ch;
  c.in_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, 95, TRUE);
  jpeg_start_compress(&c, TRUE);
  if (!app1.empty())
    jpeg_write_marker(&c, JPEG_APP0 + 1, reinterpret_cast<const JOCTET*>(app1.data()), static_cast<unsigned>(app1.size()));
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(px.data() + static_cast<size_t>(c.next_scanline) * w * ch);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  std::string out(reinterpret_cast<char*>(buf), size);
  jpeg_destroy_compress(&c);
  free(buf);
  return out;
}

inline void write(const std::filesystem::path& p, const std::string& bytes) { std::ofstream(p, std::ios::binary) << bytes; }

inline const char* colour_name(int c) { return c == 0 ? "red" : c == 1 ? "green" : "blue"; }

// n images in dir/images/, captions in dir/captions.csv (or .json); returns the caption file.
inline std::string make_folder(const std::filesystem::path& dir, int n, bool json = false, int side = 40) {
  namespace fs = std::filesystem;
  fs::remove_all(dir);
  fs::create_directories(dir / "images");
  std::string csv = "image,caption\n", images = "", notes = "";
  for (int i = 0; i < n; ++i) {
    const int colour = i % 3;
    const bool left = (i / 3) % 2 == 0;
    const std::string name = "img" + std::to_string(i) + (i % 2 ? ".jpg" : ".png");
    const auto px = square_pixels(side, colour, left);
    write(dir / "images" / name, i % 2 ? jpeg_bytes(px, side, side) : png_bytes(px, side, side));
    const std::string c = colour_name(colour), where = left ? "left" : "right";
    const std::vector<std::string> caps = {
        "A " + c + " square on the " + where + " .", "\"A " + c + " square , on the " + where + " .\"",
        "a " + c + " box at the " + where, "The " + c + " square is on the " + where + " .",
        "\"A \"\"" + c + "\"\" square\""};
    for (const auto& cap : caps) csv += name + "," + cap + "\n";
    images += std::string(images.empty() ? "" : ",") + "{\"id\": " + std::to_string(i) + ", \"file_name\": \"" + name + "\"}";
    for (int k = 0; k < 5; ++k)
      notes += std::string(notes.empty() ? "" : ",") + "{\"image_id\": " + std::to_string(i) + ", \"caption\": \"a " + c +
               " square on the " + where + (k ? " side" : "") + "\"}";
  }
  if (json) {
    write(dir / "captions.json", "{\"images\": [" + images + "], \"annotations\": [" + notes + "]}");
    return (dir / "captions.json").string();
  }
  write(dir / "captions.csv", csv);
  return (dir / "captions.csv").string();
}

}  // namespace caption_fixture
