#include "attnscope/viz/cell_grid.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "attnscope/viz/color.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {

float CellGrid::max() const {
  float m = 0;
  for (float x : v) m = std::max(m, x);
  return m;
}

CellGrid aggregate_max(const focus::AttentionMap& m, int64_t max_rows, int64_t max_cols) {
  CellGrid g;
  g.fr = std::max<int64_t>(1, (m.rows + max_rows - 1) / std::max<int64_t>(1, max_rows));
  g.fc = std::max<int64_t>(1, (m.cols + max_cols - 1) / std::max<int64_t>(1, max_cols));
  g.rows = (m.rows + g.fr - 1) / g.fr;
  g.cols = (m.cols + g.fc - 1) / g.fc;
  g.v.assign(static_cast<size_t>(g.rows * g.cols), 0.0f);
  for (int64_t q = 0; q < m.rows; ++q) {
    float* out = g.v.data() + (q / g.fr) * g.cols;
    const float* in = m.w.data() + q * m.cols;
    for (int64_t k = 0; k < m.cols; ++k) out[k / g.fc] = std::max(out[k / g.fc], in[k]);
  }
  return g;
}

namespace {
// Paints a [rows, cols] RGB image scaled to the rectangle without smoothing.
void draw_image(cairo_t* cr, double x, double y, double w, double h, int cols, int rows,
                const std::vector<uint32_t>& px) {
  cairo_surface_t* img = cairo_image_surface_create_for_data(
      reinterpret_cast<unsigned char*>(const_cast<uint32_t*>(px.data())), CAIRO_FORMAT_RGB24, cols, rows, cols * 4);
  cairo_save(cr);
  cairo_rectangle(cr, x, y, w, h);
  cairo_clip(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, w / cols, h / rows);
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);
}

uint32_t pack(Rgb8 c) { return 0xFF000000u | (uint32_t(c.r) << 16) | (uint32_t(c.g) << 8) | c.b; }
}  // namespace

int64_t draw_cells(cairo_t* cr, double x, double y, double w, double h, const CellGrid& g, const Colormap& cmap,
                   float vmax) {
  const double inv = vmax > 0 ? 1.0 / vmax : 0.0;
  if (g.rows * g.cols > kVectorCells) {
    std::vector<uint32_t> px(static_cast<size_t>(g.rows * g.cols));  // [rows, cols]
    for (size_t i = 0; i < px.size(); ++i) px[i] = pack(cmap.rgb8(g.v[i] * inv));
    draw_image(cr, x, y, w, h, static_cast<int>(g.cols), static_cast<int>(g.rows), px);
    return 1;
  }
  // Shared rounded edges: neighbouring cells meet exactly, so no hairline seams in PNGs.
  cairo_save(cr);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  auto edge = [](double o, double len, int64_t i, int64_t n) { return std::round(o + len * double(i) / double(n)); };
  for (int64_t r = 0; r < g.rows; ++r) {
    const double y0 = edge(y, h, r, g.rows), y1 = edge(y, h, r + 1, g.rows);
    for (int64_t c = 0; c < g.cols; ++c) {
      const double x0 = edge(x, w, c, g.cols), x1 = edge(x, w, c + 1, g.cols);
      set_source(cr, to_rgb(cmap.rgb8(g.at(r, c) * inv)));
      cairo_rectangle(cr, x0, y0, std::max(1.0, x1 - x0), std::max(1.0, y1 - y0));
      cairo_fill(cr);
    }
  }
  cairo_restore(cr);
  return g.rows * g.cols;
}

void draw_colorbar(cairo_t* cr, double x, double y, double w, double h, const Colormap& cmap, double vmax,
                   double font_size) {
  std::vector<uint32_t> px(256);  // [256, 1], top row = highest value
  for (int i = 0; i < 256; ++i) px[static_cast<size_t>(i)] = pack(cmap.entry8(255 - i));
  draw_image(cr, x, y, w, h, 1, 256, px);
  set_source(cr, kFaint);
  cairo_set_line_width(cr, 1);
  cairo_rectangle(cr, x - 0.5, y - 0.5, w + 1, h + 1);
  cairo_stroke(cr);
  set_source(cr, kInk);
  char buf[32];
  for (int t = 0; t <= 2; ++t) {
    const double v = vmax * t / 2.0;
    std::snprintf(buf, sizeof buf, v >= 0.1 || v == 0 ? "%.2f" : "%.3f", v);
    draw_text(cr, buf, x + w + 4, y + h - h * t / 2.0, Font{font_size}, Align::start, Align::center);
  }
}

}  // namespace attnscope::viz
