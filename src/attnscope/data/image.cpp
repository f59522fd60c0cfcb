#include "attnscope/data/image.h"

#include <filesystem>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <utility>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"

namespace attnscope::data {

namespace {

bool size_ok(int64_t w, int64_t h) {
  return w > 0 && h > 0 && w <= kMaxImageSide && h <= kMaxImageSide && w * h <= kMaxImagePixels;
}

void check_size(int64_t w, int64_t h, const std::string& name) {
  ATTNSCOPE_CHECK(size_ok(w, h), ValueError,
                  "image '" + name + "' is " + std::to_string(w) + "x" + std::to_string(h) +
                      " px; at most 16384 px a side and 64 Mpx are read");
}

Image rgb_image(int64_t w, int64_t h) {
  Image im;
  im.width = w;
  im.height = h;
  im.channels = 3;
  im.pixels.assign(static_cast<size_t>(w * h * 3), 0);
  return im;
}

// libjpeg reports errors through error_exit, which must not return: jump back to decode_jpeg.
struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void jpeg_fail(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}
// Warnings (corrupt-but-decodable data) are not errors, except a file that ends early: libjpeg
// would pad the missing rows with grey and a cut-off photo would train as if whole.
void jpeg_quiet(j_common_ptr cinfo, int level) {
  if (level < 0 && cinfo->err->msg_code == JWRN_JPEG_EOF) jpeg_fail(cinfo);
}

// The EXIF orientation (1..8, 1 = as stored) of a JPEG's APP1 segment: phones store photos as the
// sensor saw them and record the turn that displays them upright. Bounds-checked; 1 when absent.
int exif_orientation(const uint8_t* p, size_t n) {
  if (n < 14 || std::memcmp(p, "Exif\0\0", 6) != 0) return 1;
  p += 6, n -= 6;  // the TIFF header: byte order, 42, offset of the first directory
  const bool le = p[0] == 'I' && p[1] == 'I';
  if (!le && !(p[0] == 'M' && p[1] == 'M')) return 1;
  const auto u16 = [&](size_t at) { return le ? p[at] | p[at + 1] << 8 : p[at] << 8 | p[at + 1]; };
  const auto u32 = [&](size_t at) { return le ? uint32_t(u16(at)) | uint32_t(u16(at + 2)) << 16 : uint32_t(u16(at)) << 16 | u16(at + 2); };
  const size_t ifd = u32(4);
  if (ifd > n || n - ifd < 2) return 1;
  const size_t count = u16(ifd);
  for (size_t i = 0; i < count; ++i) {
    const size_t e = ifd + 2 + 12 * i;  // tag, type, count, value
    if (e > n || n - e < 12) return 1;
    if (u16(e) == 0x0112 && u16(e + 2) == 3) {  // Orientation, SHORT
      const int o = u16(e + 8);
      return o >= 1 && o <= 8 ? o : 1;
    }
  }
  return 1;
}

// Turns the stored pixels upright by EXIF orientation `o`: display pixel (x, y) reads stored pixel
// (sx, sy); orientations 5-8 swap width and height.
Image orient(Image in, int o) {
  if (o == 1) return in;
  const int64_t W = in.width, H = in.height;
  const bool swap = o >= 5;
  Image out = rgb_image(swap ? H : W, swap ? W : H);
  for (int64_t y = 0; y < out.height; ++y)
    for (int64_t x = 0; x < out.width; ++x) {
      int64_t sx = x, sy = y;
      switch (o) {
        case 2: sx = W - 1 - x; break;                      // mirrored
        case 3: sx = W - 1 - x, sy = H - 1 - y; break;      // turned 180
        case 4: sy = H - 1 - y; break;                      // flipped
        case 5: sx = y, sy = x; break;                      // transposed
        case 6: sx = y, sy = H - 1 - x; break;              // shown turned 90 clockwise
        case 7: sx = W - 1 - y, sy = H - 1 - x; break;      // transversed
        case 8: sx = W - 1 - y, sy = x; break;              // shown turned 90 anticlockwise
      }
      std::memcpy(out.pixels.data() + (y * out.width + x) * 3, in.at(sy, sx), 3);
    }
  return out;
}

// Returns false with `why` set on failure. No local with a destructor is created after the setjmp
// (a longjmp skips destructors); `out` belongs to the caller and is sized before any scanline.
bool decode_jpeg(const std::string& bytes, const std::string& name, Image& out, int& orientation, std::string& why) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  err.mgr.emit_message = jpeg_quiet;
  err.message[0] = 0;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    why = err.message;
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
  jpeg_save_markers(&cinfo, JPEG_APP0 + 1, 0xFFFF);
  jpeg_read_header(&cinfo, TRUE);
  for (jpeg_saved_marker_ptr m = cinfo.marker_list; m; m = m->next)
    if (m->marker == JPEG_APP0 + 1 && orientation == 1) orientation = exif_orientation(m->data, m->data_length);
  const int64_t w = cinfo.image_width, h = cinfo.image_height;
  if (!size_ok(w, h)) {
    jpeg_destroy_decompress(&cinfo);
    check_size(w, h, name);  // throws; no jump is pending any more
  }
  // libjpeg converts grey and YCbCr to RGB but not CMYK (print files, some scans): read those as
  // CMYK and convert below.
  const bool cmyk = cinfo.jpeg_color_space == JCS_CMYK || cinfo.jpeg_color_space == JCS_YCCK;
  const int ch = cmyk ? 4 : 3;
  cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
  jpeg_start_decompress(&cinfo);
  out = rgb_image(cinfo.output_width, cinfo.output_height);
  out.pixels.resize(static_cast<size_t>(out.width * out.height * ch));
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.pixels.data() + static_cast<size_t>(cinfo.output_scanline) * cinfo.output_width * ch;  // [W, ch]
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  // Adobe's writers (Photoshop, libjpeg's own CMYK) store the inks inverted and say so with their
  // marker: then 255 - value is the ink.
  const bool inverted = cinfo.saw_Adobe_marker;
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  if (cmyk) {  // in place, front to back: pixel i's RGB (3i..3i+2) never overtakes its CMYK (4i..)
    uint8_t* px = out.pixels.data();
    const size_t n = static_cast<size_t>(out.width * out.height);
    for (size_t i = 0; i < n; ++i) {
      const int k = inverted ? px[4 * i + 3] : 255 - px[4 * i + 3];
      for (int c = 0; c < 3; ++c) {
        const int v = inverted ? px[4 * i + c] : 255 - px[4 * i + c];
        px[3 * i + c] = static_cast<uint8_t>((v * k + 127) / 255);
      }
    }
    out.pixels.resize(n * 3);
  }
  return true;
}

Image decode_png(const std::string& bytes, const std::string& name) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&png, bytes.data(), bytes.size())) {
    const std::string why = png.message;
    png_image_free(&png);
    throw FormatError("cannot decode image '" + name + "': " + why);
  }
  if (!size_ok(png.width, png.height)) {
    png_image_free(&png);
    check_size(png.width, png.height, name);
  }
  png.format = PNG_FORMAT_RGB;
  Image out = rgb_image(png.width, png.height);
  const png_color white{255, 255, 255};  // transparency is composited over white
  if (!png_image_finish_read(&png, &white, out.pixels.data(), 0, nullptr)) {
    const std::string why = png.message;
    png_image_free(&png);
    throw FormatError("cannot decode image '" + name + "': " + why);
  }
  return out;
}

}  // namespace

Image decode_image(const std::string& bytes, const std::string& name) {
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF && static_cast<unsigned char>(bytes[1]) == 0xD8) {
    Image im;
    int orientation = 1;
    std::string why;
    if (!decode_jpeg(bytes, name, im, orientation, why)) throw FormatError("cannot decode JPEG image '" + name + "': " + why);
    return orient(std::move(im), orientation);
  }
  if (bytes.size() >= 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) return decode_png(bytes, name);
  throw FormatError("cannot decode image '" + name + "': not a JPEG or PNG file");
}

Image read_image_file(const std::string& path) {
  std::error_code ec;
  const auto st = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(st)) throw IoError("image '" + path + "' not found");
  if (!std::filesystem::is_regular_file(st)) throw IoError("image '" + path + "' is not a regular file");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > static_cast<uintmax_t>(kMaxImageFileBytes))
    throw IoError("image '" + path + "' is larger than " + std::to_string(kMaxImageFileBytes >> 20) + " MB");
  return decode_image(read_file(path), path);
}

}  // namespace attnscope::data
