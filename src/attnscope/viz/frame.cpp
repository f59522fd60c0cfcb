#include "attnscope/viz/frame.h"

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

}  // namespace attnscope::viz
