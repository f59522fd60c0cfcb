#include "attnscope/data/image.h"

#include <filesystem>

#include <jpeglib.h>
#include <jerror.h>
#include <png.h>

#include <csetjmp>
#include <cstdio>

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

// Returns false with `why` set on failure. No local with a destructor is created after the setjmp
// (a longjmp skips destructors); `out` belongs to the caller and is sized before any scanline.
bool decode_jpeg(const std::string& bytes, const std::string& name, Image& out, std::string& why) {
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
  jpeg_read_header(&cinfo, TRUE);
  const int64_t w = cinfo.image_width, h = cinfo.image_height;
  if (!size_ok(w, h)) {
    jpeg_destroy_decompress(&cinfo);
    check_size(w, h, name);  // throws; no jump is pending any more
  }
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  out = rgb_image(cinfo.output_width, cinfo.output_height);
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.pixels.data() + static_cast<size_t>(cinfo.output_scanline) * cinfo.output_width * 3;  // [W, 3]
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
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
    std::string why;
    if (!decode_jpeg(bytes, name, im, why)) throw FormatError("cannot decode JPEG image '" + name + "': " + why);
    return im;
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
