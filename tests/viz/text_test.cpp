#include "attnscope/viz/text.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>

using namespace attnscope;

namespace {

struct Box {
  double x0, y0, x1, y1;
};

// Ink of one draw_text call on a white canvas: the bounding box of the non-white pixels.
Box ink_of(const std::string& text, viz::Align ha, viz::Align va, double max_width, double angle,
           viz::TextSize& size) {
  const int n = 600;
  cairo_surface_t* s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, n, n);
  cairo_t* cr = cairo_create(s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  size = viz::draw_text(cr, text, n / 2.0, n / 2.0, viz::Font{14}, ha, va, max_width, angle);
  cairo_surface_flush(s);
  const unsigned char* d = cairo_image_surface_get_data(s);
  const int stride = cairo_image_surface_get_stride(s);
  Box b{1e9, 1e9, -1e9, -1e9};
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x)
      if ((*reinterpret_cast<const uint32_t*>(d + y * stride + 4 * x) & 0xFFFFFF) != 0xFFFFFF) {
        b.x0 = std::min(b.x0, double(x));
        b.y0 = std::min(b.y0, double(y));
        b.x1 = std::max(b.x1, double(x + 1));
        b.y1 = std::max(b.y1, double(y + 1));
      }
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  return b;
}

double offset(viz::Align a, double extent) {
  return a == viz::Align::start ? 0 : a == viz::Align::center ? -extent / 2 : -extent;
}

}  // namespace

// A label's ink lies in the box its anchor, alignments and returned size define, whatever the
// text's direction: right-to-left words (Arabic, Hebrew), mixed runs, ellipsized or not, rotated
// as the heatmap's key labels. Right-to-left text was drawn right-aligned in its max_width box
// (inside the heatmap cells, beside the GIF boxes).
TEST(Text, EachLabelsInkLiesInItsBoxWhateverItsDirection) {
  const std::string labels[] = {"hello", "\u0645\u0631\u062D\u0628\u0627", "\u05E9\u05DC\u05D5\u05DD",
                                "abc \u05E9\u05DC\u05D5\u05DD", "\u05E9\u05DC\u05D5\u05DD abc",
                                "\u0627\u0644\u0643\u062A\u0627\u0628 \u0627\u0644\u0643\u0628\u064A\u0631 \u062C\u062F\u0627"};
  const viz::Align aligns[] = {viz::Align::start, viz::Align::center, viz::Align::end};
  for (const std::string& text : labels)
    for (double max_width : {-1.0, 250.0, 40.0})
      for (double angle : {0.0, 90.0})
        for (viz::Align ha : aligns)
          for (viz::Align va : aligns) {
            viz::TextSize s;
            const Box ink = ink_of(text, ha, va, max_width, angle, s);
            SCOPED_TRACE(text + " max_width " + std::to_string(max_width) + " angle " + std::to_string(angle) +
                         " ha " + std::to_string(int(ha)) + " va " + std::to_string(int(va)));
            ASSERT_LT(ink.x0, ink.x1) << "nothing drawn";
            if (max_width > 0) {
              EXPECT_LE(s.w, max_width + 0.5);
            }
            // The box in the text's own frame, then on the canvas (90 deg: x' = -y, y' = x).
            const double lx = offset(ha, s.w), ly = offset(va, s.h), c = 300, tol = 1.5;
            const Box box = angle == 0 ? Box{c + lx, c + ly, c + lx + s.w, c + ly + s.h}
                                       : Box{c - ly - s.h, c + lx, c - ly, c + lx + s.w};
            EXPECT_GE(ink.x0, box.x0 - tol);
            EXPECT_LE(ink.x1, box.x1 + tol);
            EXPECT_GE(ink.y0, box.y0 - tol);
            EXPECT_LE(ink.y1, box.y1 + tol);
          }
}
