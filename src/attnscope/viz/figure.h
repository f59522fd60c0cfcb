// Writing a picture to PNG, SVG or PDF (chosen by the file extension) with one drawing function,
// atomically (core/fs.h): a failed render never leaves a half-written file.
#pragma once
#include <cairo.h>

#include <functional>
#include <string>

namespace attnscope::viz {

enum class ImageFormat { png, svg, pdf };

// From the extension (.png, .svg, .pdf, case-insensitive); ConfigError otherwise.
ImageFormat image_format_for(const std::string& path);

// Creates a width x height surface of the path's format, clears it to white, calls draw, and
// writes the file. Throws IoError when the file cannot be written, ValueError for a size
// outside 1..16384.
void write_figure(const std::string& path, int width, int height, const std::function<void(cairo_t*)>& draw);

// The title block every picture starts with: a bold title and a faint subtitle (either may be
// empty), measured with the fonts it is drawn in. Pictures choose their width with min_width()
// so that a long model or layer name is never clipped.
struct FigureHeader {
  static constexpr double kTitleFont = 14, kSubFont = 11, kGap = 4;
  std::string title, subtitle;
  double width() const;   // px: the wider of the two lines
  double height() const;  // px: both lines and the gap between them
  // The smallest picture width that shows the header whole with `margin` px on both sides.
  int min_width(double margin) const;
  // Draws with its top-left corner at (x, y); returns height().
  double draw(cairo_t* cr, double x, double y) const;
};

// Throws Error with cairo's message if the context is in an error state (after drawing).
void check_cairo(cairo_t* cr, const char* what);

}  // namespace attnscope::viz
