#include "attnscope/viz/image_decode.h"

#include <cairo.h>
#include <jpeglib.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>

#include "attnscope/core/error.h"

namespace attnscope::viz {

namespace {

void check_size(int64_t w, int64_t h, const std::string& name) {
  ATTNSCOPE_CHECK(w > 0 && h > 0 && w <= 16384 && h <= 16384 && w * h <= (int64_t{1} << 26), ValueError,
                  "image '" + name + "' is " + std::to_string(w) + "x" + std::to_string(h) +
                      " px; at most 16384 px a side and 64 Mpx are read");
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
void jpeg_quiet(j_common_ptr, int) {}  // warnings (corrupt-but-decodable data) are not errors

// Returns false with `why` set on failure. No local with a destructor is created after the setjmp
// (a longjmp skips destructors); `out` belongs to the caller.
bool decode_jpeg(const std::string& bytes, const std::string& name, Frame& out, std::string& why) {
  jpeg_decompress_struct cinfo;
  JpegError err;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = jpeg_fail;
  err.mgr.emit_message = jpeg_quiet;
  err.message[0] = 0;
  JSAMPROW row = nullptr;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    why = err.message;
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
  jpeg_read_header(&cinfo, TRUE);
  const int64_t w = cinfo.image_width, h = cinfo.image_height;
  if (w <= 0 || h <= 0 || w > 16384 || h > 16384 || w * h > (int64_t{1} << 26)) {
    jpeg_destroy_decompress(&cinfo);
    check_size(w, h, name);  // throws; no jump is pending any more
  }
  cinfo.out_color_space = JCS_RGB;
  jpeg_start_decompress(&cinfo);
  out = Frame(static_cast<int>(cinfo.output_width), static_cast<int>(cinfo.output_height));
  // [W, 3] from libjpeg's pool: freed by jpeg_destroy even when a corrupt scanline jumps out
  // (a std::vector here would leak, its destructor skipped by longjmp).
  row = (*cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&cinfo), JPOOL_IMAGE, cinfo.output_width * 3, 1)[0];
  while (cinfo.output_scanline < cinfo.output_height) {
    const size_t y = cinfo.output_scanline;
    jpeg_read_scanlines(&cinfo, &row, 1);
    uint32_t* dst = out.px.data() + y * static_cast<size_t>(out.width);
    for (int x = 0; x < out.width; ++x)
      dst[x] = 0xFF000000u | uint32_t(row[3 * x]) << 16 | uint32_t(row[3 * x + 1]) << 8 | row[3 * x + 2];
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

struct PngStream {
  const std::string* bytes;
  size_t pos;
};

cairo_status_t png_read(void* closure, unsigned char* data, unsigned int length) {
  auto* s = static_cast<PngStream*>(closure);
  if (s->bytes->size() - s->pos < length) return CAIRO_STATUS_READ_ERROR;
  std::memcpy(data, s->bytes->data() + s->pos, length);
  s->pos += length;
  return CAIRO_STATUS_SUCCESS;
}

Frame decode_png(const std::string& bytes, const std::string& name) {
  // IHDR is the first chunk: signature (8), length (4), "IHDR" (4), width (4), height (4).
  ATTNSCOPE_CHECK(bytes.size() >= 24 && bytes.compare(12, 4, "IHDR") == 0, FormatError,
                  "cannot decode image '" + name + "': PNG without an IHDR header");
  auto be32 = [&](size_t at) {
    return int64_t{static_cast<unsigned char>(bytes[at])} << 24 | int64_t{static_cast<unsigned char>(bytes[at + 1])} << 16 |
           int64_t{static_cast<unsigned char>(bytes[at + 2])} << 8 | int64_t{static_cast<unsigned char>(bytes[at + 3])};
  };
  check_size(be32(16), be32(20), name);
  PngStream stream{&bytes, 0};
  cairo_surface_t* s = cairo_image_surface_create_from_png_stream(png_read, &stream);
  if (cairo_surface_status(s) != CAIRO_STATUS_SUCCESS) {
    const std::string why = cairo_status_to_string(cairo_surface_status(s));
    cairo_surface_destroy(s);
    throw FormatError("cannot decode image '" + name + "': " + why);
  }
  Frame f(cairo_image_surface_get_width(s), cairo_image_surface_get_height(s));
  // Composite over white (PNG alpha), whatever format Cairo picked.
  f.paint([&](cairo_t* cr) {
    cairo_set_source_surface(cr, s, 0, 0);
    cairo_paint(cr);
  });
  cairo_surface_destroy(s);
  return f;
}

}  // namespace

Frame decode_image(const std::string& bytes, const std::string& name) {
  if (bytes.size() >= 3 && static_cast<unsigned char>(bytes[0]) == 0xFF && static_cast<unsigned char>(bytes[1]) == 0xD8) {
    Frame f;
    std::string why;
    if (!decode_jpeg(bytes, name, f, why)) throw FormatError("cannot decode JPEG image '" + name + "': " + why);
    return f;
  }
  if (bytes.size() >= 8 && bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") == 0) return decode_png(bytes, name);
  throw FormatError("cannot decode image '" + name + "': not a JPEG or PNG file");
}

}  // namespace attnscope::viz
