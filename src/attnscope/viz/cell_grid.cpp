#include "attnscope/viz/cell_grid.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "attnscope/focus/trace_row.h"
#include "attnscope/viz/color.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {

float CellGrid::max() const {
  float m = 0;
  for (float x : v) m = std::max(m, x);
  return m;
}

namespace {
int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
}  // namespace

CellGrid aggregate_blocks(const io::TraceLayer& L, int64_t head, int64_t fr, int64_t fc) {
  focus::check_head(L, head);
  CellGrid g;
  g.fr = std::max<int64_t>(1, fr);
  g.fc = std::max<int64_t>(1, fc);
  g.rows = ceil_div(L.queries, g.fr);
  g.cols = ceil_div(L.keys, g.fc);
  g.v.assign(static_cast<size_t>(g.rows * g.cols), 0.0f);  // [rows, cols]
  if (L.keep == io::TraceKeep::dense) {
    std::vector<float> line(static_cast<size_t>(L.keys));  // [N] one query row
    for (int64_t q = 0; q < L.queries; ++q) {
      std::fill(line.begin(), line.end(), 0.0f);
      focus::add_row(L, head, q, 0, L.keys, line);
      float* out = g.v.data() + (q / g.fr) * g.cols;
      for (int64_t k = 0; k < L.keys; ++k) out[k / g.fc] = std::max(out[k / g.fc], line[static_cast<size_t>(k)]);
    }
    return g;
  }
  // Top-k: only the listed keys, O(NH * K) per row instead of O(N). For the head mean, a key's
  // weight is summed over heads (in head order, as focus::add_row) before the block max.
  const int64_t h0 = head == focus::kHeadMean ? 0 : head, h1 = head == focus::kHeadMean ? L.heads : head + 1;
  const float scale = head == focus::kHeadMean ? 1.0f / static_cast<float>(L.heads) : 1.0f;
  std::vector<std::pair<int32_t, float>> e;  // (key, weight) of one row
  for (int64_t q = 0; q < L.queries; ++q) {
    e.clear();
    for (int64_t h = h0; h < h1; ++h) {
      const int64_t r = h * L.queries + q;
      const int32_t* idx = L.topk_index.data() + r * L.k;  // [K] of topk_index [NH, Q, K]
      const float* w = L.topk_weight.data() + r * L.k;
      for (int64_t j = 0; j < L.k; ++j)
        if (idx[j] >= 0 && idx[j] < L.keys) e.emplace_back(idx[j], scale * w[j]);
    }
    if (h1 - h0 > 1) {
      std::stable_sort(e.begin(), e.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      size_t n = 0;
      for (size_t i = 0; i < e.size(); ++i) {
        if (n > 0 && e[n - 1].first == e[i].first) e[n - 1].second += e[i].second;
        else e[n++] = e[i];
      }
      e.resize(n);
    }
    float* out = g.v.data() + (q / g.fr) * g.cols;
    for (const auto& [k, w] : e) out[k / g.fc] = std::max(out[k / g.fc], w);
  }
  return g;
}

CellGrid aggregate_max(const io::TraceLayer& L, int64_t head, int64_t max_rows, int64_t max_cols) {
  return aggregate_blocks(L, head, ceil_div(L.queries, std::max<int64_t>(1, max_rows)),
                          ceil_div(L.keys, std::max<int64_t>(1, max_cols)));
}

ColorScale viewer_scale(std::span<const HeadRef> shown, const ColorScaleSpec& spec) {
  check_color_scale(spec);
  if (spec.vmax > 0) return ColorScale(spec.vmax, spec.curve);
  constexpr int64_t kTile = 256;  // serve::kTile: the viewer's tiles are 256 x 256 cells
  std::vector<float> pooled;
  for (const HeadRef& r : shown) {
    int64_t f = 1;
    while (ceil_div(std::max(r.layer->queries, r.layer->keys), f) > kTile) f *= 2;
    const CellGrid g = aggregate_blocks(*r.layer, r.head, f, f);
    pooled.insert(pooled.end(), g.v.begin(), g.v.end());
  }
  return ColorScale::fit(spec, pooled);
}

namespace {
// Paints a [rows, cols] RGB image scaled to the rectangle without smoothing. In vector files each
// cell is first repeated into a block of about its drawn size: cairo 1.16's SVG surface drops the
// nearest-neighbour filter, so a browser would smooth a 40 x 40 thumbnail drawn at 96 px into a
// blur; repeated pixels blur one pixel wide and cost little in the embedded PNG. Raster targets
// sample the grid directly (the same pixels, no copy).
void draw_image(cairo_t* cr, double x, double y, double w, double h, int cols, int rows,
                const std::vector<uint32_t>& grid) {
  const bool vector_target = cairo_surface_get_type(cairo_get_target(cr)) != CAIRO_SURFACE_TYPE_IMAGE;
  const int fx = vector_target ? std::max(1, static_cast<int>(std::ceil(w / cols))) : 1;
  const int fy = vector_target ? std::max(1, static_cast<int>(std::ceil(h / rows))) : 1;
  std::vector<uint32_t> big;  // [rows * fy, cols * fx]
  if (fx > 1 || fy > 1) {
    big.resize(static_cast<size_t>(rows) * fy * cols * fx);
    for (int r = 0; r < rows * fy; ++r)
      for (int c = 0; c < cols * fx; ++c)
        big[static_cast<size_t>(r) * cols * fx + c] = grid[static_cast<size_t>(r / fy) * cols + c / fx];
  }
  const std::vector<uint32_t>& px = big.empty() ? grid : big;
  const int pw = cols * fx, ph = rows * fy;
  cairo_surface_t* img = cairo_image_surface_create_for_data(
      reinterpret_cast<unsigned char*>(const_cast<uint32_t*>(px.data())), CAIRO_FORMAT_RGB24, pw, ph, pw * 4);
  cairo_save(cr);
  cairo_rectangle(cr, x, y, w, h);
  cairo_clip(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, w / pw, h / ph);
  cairo_set_source_surface(cr, img, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(img);
}

uint32_t pack(Rgb8 c) { return 0xFF000000u | (uint32_t(c.r) << 16) | (uint32_t(c.g) << 8) | c.b; }
}  // namespace

int64_t draw_cells(cairo_t* cr, double x, double y, double w, double h, const CellGrid& g, const Colormap& cmap,
                   const ColorScale& scale, CellMarks marks) {
  if (marks == CellMarks::image || g.rows * g.cols > kVectorCells) {
    std::vector<uint32_t> px(static_cast<size_t>(g.rows * g.cols));  // [rows, cols]
    for (size_t i = 0; i < px.size(); ++i) px[i] = pack(cmap.rgb8(scale.t(g.v[i])));
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
      set_source(cr, to_rgb(cmap.rgb8(scale.t(g.at(r, c)))));
      cairo_rectangle(cr, x0, y0, std::max(1.0, x1 - x0), std::max(1.0, y1 - y0));
      cairo_fill(cr);
    }
  }
  cairo_restore(cr);
  return g.rows * g.cols;
}

void draw_colorbar(cairo_t* cr, double x, double y, double w, double h, const Colormap& cmap, const ColorScale& scale,
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
    const double v = scale.value_at(t / 2.0);
    // As the viewer's bar: the top takes every larger weight; the bottom names a sqrt scale.
    const char* pre = t == 2 ? "\u2265 " : "";
    const char* post = t == 0 && scale.curve() == ScaleCurve::sqrt ? " (\u221A)" : "";
    std::snprintf(buf, sizeof buf, v >= 0.1 || v == 0 ? "%s%.2f%s" : "%s%.3f%s", pre, v, post);
    draw_text(cr, buf, x + w + 4, y + h - h * t / 2.0, Font{font_size}, Align::start, Align::center);
  }
}

}  // namespace attnscope::viz
