#include "attnscope/viz/frame.h"

#include "attnscope/core/error.h"
#include "attnscope/viz/color.h"
#include "attnscope/viz/figure.h"

namespace attnscope::viz {

void Frame::paint(const std::function<void(cairo_t*)>& draw) {
  // ARGB32 rows are 4*width bytes (cairo_format_stride_for_width gives exactly that), so the
  // surface draws straight into px.
  cairo_surface_t* s = cairo_image_surface_create_for_data(reinterpret_cast<unsigned char*>(px.data()),
                                                           CAIRO_FORMAT_ARGB32, width, height, width * 4);
  cairo_t* cr = cairo_create(s);
  set_source(cr, kBackground);
  cairo_paint(cr);
  struct Cleanup {
    cairo_t* cr;
    cairo_surface_t* s;
    ~Cleanup() {
      cairo_destroy(cr);
      cairo_surface_flush(s);
      cairo_surface_destroy(s);
    }
  } cleanup{cr, s};
  draw(cr);
  check_cairo(cr, "frame");
}

Frame to_frame(const data::Image& im) {
  ATTNSCOPE_CHECK(im.height > 0 && im.width > 0 && im.height <= data::kMaxImageSide && im.width <= data::kMaxImageSide &&
                      (im.channels == 1 || im.channels == 3 || im.channels == 4) &&
                      im.pixels.size() == static_cast<size_t>(im.height * im.width * im.channels),
                  ShapeError, "image pixels do not match their shape [h, w, c]");
  Frame f(static_cast<int>(im.width), static_cast<int>(im.height));
  for (size_t i = 0; i < f.px.size(); ++i) {
    const uint8_t* p = im.pixels.data() + i * static_cast<size_t>(im.channels);
    const uint32_t r = p[0], g = im.channels >= 3 ? p[1] : p[0], b = im.channels >= 3 ? p[2] : p[0];
    f.px[i] = 0xFF000000u | r << 16 | g << 8 | b;
  }
  return f;
}

}  // namespace attnscope::viz
