#include "attnscope/viz/figure.h"

#include <cairo-pdf.h>
#include <cairo-svg.h>

#include <algorithm>
#include <cctype>
#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/viz/color.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {

ImageFormat image_format_for(const std::string& path) {
  const auto dot = path.rfind('.');
  std::string ext = dot == std::string::npos ? "" : path.substr(dot + 1);
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext == "png") return ImageFormat::png;
  if (ext == "svg") return ImageFormat::svg;
  if (ext == "pdf") return ImageFormat::pdf;
  throw ConfigError("cannot tell the picture format of '" + path + "': use a .png, .svg or .pdf name");
}

double FigureHeader::width() const {
  ScratchContext sc;
  double w = 0;
  if (!title.empty()) w = measure_text(sc.get(), title, Font{kTitleFont, true}).w;
  if (!subtitle.empty()) w = std::max(w, measure_text(sc.get(), subtitle, Font{kSubFont}).w);
  return w;
}

double FigureHeader::height() const {
  ScratchContext sc;
  double h = 0;
  if (!title.empty()) h += measure_text(sc.get(), title, Font{kTitleFont, true}).h;
  if (!title.empty() && !subtitle.empty()) h += kGap;
  if (!subtitle.empty()) h += measure_text(sc.get(), subtitle, Font{kSubFont}).h;
  return h;
}

int FigureHeader::min_width(double margin) const { return static_cast<int>(std::ceil(width() + 2 * margin)); }

double FigureHeader::draw(cairo_t* cr, double x, double y) const {
  double h = 0;
  if (!title.empty()) {
    set_source(cr, kInk);
    h += draw_text(cr, title, x, y, Font{kTitleFont, true}).h;
    if (!subtitle.empty()) h += kGap;
  }
  if (!subtitle.empty()) {
    set_source(cr, kFaint);
    h += draw_text(cr, subtitle, x, y + h, Font{kSubFont}).h;
  }
  return h;
}

namespace {
// Why cairo could not write a file, in the words every other output uses (core/fs.cpp).
std::string write_failure(const std::string& path, cairo_status_t st) {
  if (st == CAIRO_STATUS_NO_MEMORY) return "cannot write '" + path + "': out of memory";
  return "cannot write '" + path + "': disk full or I/O error";
}
}  // namespace

void check_cairo(cairo_t* cr, const char* what) {
  const cairo_status_t st = cairo_status(cr);
  if (st != CAIRO_STATUS_SUCCESS) throw Error(std::string(what) + ": cairo: " + cairo_status_to_string(st));
}

void write_figure(const std::string& path, int width, int height, const std::function<void(cairo_t*)>& draw) {
  const ImageFormat fmt = image_format_for(path);
  ATTNSCOPE_CHECK(width >= 1 && height >= 1 && width <= 16384 && height <= 16384, ValueError,
                  "picture size " + std::to_string(width) + "x" + std::to_string(height) + " outside 1..16384");
  write_atomic_with(path, [&](const std::string& tmp) {
    cairo_surface_t* surface = nullptr;
    switch (fmt) {
      case ImageFormat::png: surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height); break;
      case ImageFormat::svg: surface = cairo_svg_surface_create(tmp.c_str(), width, height); break;
      case ImageFormat::pdf: surface = cairo_pdf_surface_create(tmp.c_str(), width, height); break;
    }
    cairo_t* cr = cairo_create(surface);
    struct Cleanup {
      cairo_t* cr;
      cairo_surface_t* s;
      ~Cleanup() {
        cairo_destroy(cr);
        cairo_surface_destroy(s);
      }
    } cleanup{cr, surface};
    if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
      throw IoError(write_failure(path, cairo_surface_status(surface)));
    set_source(cr, kBackground);
    cairo_paint(cr);
    draw(cr);
    check_cairo(cr, path.c_str());
    if (fmt == ImageFormat::png) {
      const cairo_status_t st = cairo_surface_write_to_png(surface, tmp.c_str());
      if (st != CAIRO_STATUS_SUCCESS) throw IoError(write_failure(path, st));
    } else {
      cairo_surface_finish(surface);
      if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS)
        throw IoError(write_failure(path, cairo_surface_status(surface)));
    }
  });
}

}  // namespace attnscope::viz
