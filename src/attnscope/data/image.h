// Image: decoded pixels, a plain u8 array any layer can read — a captioning model's input, the
// picture behind an image-attention overlay. Decoding an (untrusted) image file: JPEG through
// libjpeg(-turbo), PNG through libpng's simplified reader; both are fuzzed upstream (stb_image
// was dropped after fuzz_viz found out-of-bounds reads in its JPEG Huffman decoder). The size is
// read from the header and checked before any pixel buffer is allocated.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace attnscope::data {

struct Image {
  int64_t height = 0, width = 0, channels = 0;  // channels: 1 (grey), 3 (RGB) or 4 (RGBA)
  std::vector<uint8_t> pixels;                   // [height, width, channels] row-major
  const uint8_t* at(int64_t y, int64_t x) const {
    return pixels.data() + static_cast<size_t>((y * width + x) * channels);
  }
};

// Largest image read: 16384 px a side, 64 Mpx.
inline constexpr int64_t kMaxImageSide = 16384;
inline constexpr int64_t kMaxImagePixels = int64_t{1} << 26;

// JPEG or PNG bytes -> RGB (channels 3; PNG transparency composited over white; grey and CMYK
// JPEGs converted; a JPEG turned upright by its EXIF orientation, as viewers show it). FormatError
// when not a decodable JPEG/PNG, ValueError past the size limits. `name` is for messages.
Image decode_image(const std::string& bytes, const std::string& name);

// Largest image file read (bytes).
inline constexpr int64_t kMaxImageFileBytes = int64_t{256} << 20;
// Reads and decodes an image file. Only a regular file (after symlinks) of at most
// kMaxImageFileBytes is opened: a path naming /dev/zero or a FIFO (e.g. from a trace) is an
// IoError, never an endless read or a hang.
Image read_image_file(const std::string& path);

}  // namespace attnscope::data
