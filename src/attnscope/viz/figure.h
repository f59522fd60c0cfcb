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

// Throws Error with cairo's message if the context is in an error state (after drawing).
void check_cairo(cairo_t* cr, const char* what);

}  // namespace attnscope::viz
