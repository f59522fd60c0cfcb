// Helpers for rendering tests: read back PNGs, count SVG elements, check XML well-formedness.
#pragma once
#include <cairo.h>

#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/core/fs.h"
#include "attnscope/viz/frame.h"

namespace attnscope::fixture {

inline std::string out_path(const std::string& name) {
  return std::string(ATTNSCOPE_BINARY_DIR) + "/test_out_viz_" + name;
}

// Loads a PNG into a Frame (ARGB32); width 0 when unreadable.
inline viz::Frame load_png(const std::string& path) {
  cairo_surface_t* s = cairo_image_surface_create_from_png(path.c_str());
  viz::Frame f;
  if (cairo_surface_status(s) == CAIRO_STATUS_SUCCESS) {
    f = viz::Frame(cairo_image_surface_get_width(s), cairo_image_surface_get_height(s));
    const int stride = cairo_image_surface_get_stride(s);
    const unsigned char* data = cairo_image_surface_get_data(s);
    for (int y = 0; y < f.height; ++y)
      for (int x = 0; x < f.width; ++x)
        f.px[static_cast<size_t>(y * f.width + x)] = *reinterpret_cast<const uint32_t*>(data + y * stride + 4 * x);
  }
  cairo_surface_destroy(s);
  return f;
}

inline size_t count(const std::string& hay, const std::string& needle) {
  size_t n = 0;
  for (size_t p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

// A small well-formedness check: tags nest and close in order, attributes are quoted, comments,
// declarations and CDATA are skipped. Returns "" when well formed, else what went wrong.
inline std::string xml_problem(const std::string& x) {
  std::vector<std::string> stack;
  size_t i = 0;
  while ((i = x.find('<', i)) != std::string::npos) {
    if (x.compare(i, 4, "<!--") == 0) { i = x.find("-->", i); if (i == std::string::npos) return "open comment"; continue; }
    if (x.compare(i, 9, "<![CDATA[") == 0) { i = x.find("]]>", i); if (i == std::string::npos) return "open CDATA"; continue; }
    if (x.compare(i, 2, "<?") == 0 || x.compare(i, 2, "<!") == 0) { i = x.find('>', i); if (i == std::string::npos) return "open decl"; continue; }
    size_t j = i + 1;
    char quote = 0;
    for (; j < x.size(); ++j) {
      if (quote) { if (x[j] == quote) quote = 0; continue; }
      if (x[j] == '"' || x[j] == '\'') quote = x[j];
      else if (x[j] == '>') break;
    }
    if (j >= x.size()) return "unterminated tag at " + std::to_string(i);
    std::string tag = x.substr(i + 1, j - i - 1);
    const bool closing = !tag.empty() && tag[0] == '/';
    const bool empty = !tag.empty() && tag.back() == '/';
    std::string name = tag.substr(closing ? 1 : 0);
    name = name.substr(0, name.find_first_of(" \t\r\n/"));
    if (closing) {
      if (stack.empty() || stack.back() != name) return "mismatched </" + name + ">";
      stack.pop_back();
    } else if (!empty) {
      stack.push_back(name);
    }
    i = j + 1;
  }
  return stack.empty() ? "" : "unclosed <" + stack.back() + ">";
}

}  // namespace attnscope::fixture
