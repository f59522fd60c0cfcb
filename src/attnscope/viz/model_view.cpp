#include "attnscope/viz/model_view.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/cell_grid.h"
#include "attnscope/viz/color.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/heatmap.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {

namespace {
constexpr double kMargin = 14, kGap = 6, kLabelW = 110, kTop = 64;

void check_opts(const ModelViewOptions& o) {
  (void)colormap(o.colormap);
  check_color_scale(o.scale);
  ATTNSCOPE_CHECK(o.thumb >= 16 && o.thumb <= 1024, ConfigError,
                  "thumbnail size " + std::to_string(o.thumb) + " px outside 16..1024");
}

void thumb(cairo_t* cr, double x, double y, double size, const io::TraceLayer& L, int64_t head, const Colormap& cmap,
           const ColorScale& scale) {
  const CellGrid g = aggregate_max(L, head, static_cast<int64_t>(size), static_cast<int64_t>(size));
  // Thumbnails as images: a figure of dozens of grids would otherwise be megabytes of rectangles.
  draw_cells(cr, x, y, size, size, g, cmap, scale, CellMarks::image);
}

std::string model_name(const io::Trace& t) {
  auto it = t.meta.find("model");
  return it != t.meta.end() && !it->second.empty() ? it->second + " \u00B7 " : "";
}
}  // namespace

ModelViewInfo render_model_view(const io::Trace& trace, const std::string& path, ModelViewOptions opts) {
  check_opts(opts);
  image_format_for(path);
  std::vector<int64_t> shown;
  for (size_t l = 0; l < trace.layers.size(); ++l)
    if (trace.layers[l].keep != io::TraceKeep::stats) {
      io::validate_layer(trace, trace.layers[l]);
      shown.push_back(static_cast<int64_t>(l));
    }
  // No layer with weights: the one message (and exit code) every view gives a stats-only layer.
  if (shown.empty() && !trace.layers.empty()) focus::check_head(trace.layers[0], 0);
  ATTNSCOPE_CHECK(!shown.empty(), ValueError, "model view: the trace has no attention layers");
  ModelViewInfo info;
  info.rows = static_cast<int64_t>(shown.size());
  for (int64_t l : shown) info.cols = std::max(info.cols, trace.layers[static_cast<size_t>(l)].heads);
  const double t = opts.thumb;
  info.width = static_cast<int>(std::ceil(kMargin + kLabelW + double(info.cols) * (t + kGap) + kMargin));
  info.height = static_cast<int>(std::ceil(kTop + double(info.rows) * (t + kGap) + kMargin));
  const FigureHeader header{
      model_name(trace) + "model view: " + std::to_string(info.rows) + " layers \u00D7 heads",
      "rows: layers, columns: heads; " +
          std::string(opts.scale.vmax > 0 ? "one colour scale" : "each thumbnail its own colour scale") + " (" +
          opts.colormap + ", " + std::string(scale_curve_name(opts.scale.curve)) + ")"};
  info.width = std::max({info.width, 460, header.min_width(kMargin)});
  const Colormap& cmap = colormap(opts.colormap);
  write_figure(path, info.width, info.height, [&](cairo_t* cr) {
    header.draw(cr, kMargin, kMargin);
    set_source(cr, kInk);
    for (int64_t h = 0; h < info.cols; ++h)
      draw_text(cr, std::to_string(h), kMargin + kLabelW + double(h) * (t + kGap) + t / 2, kTop - 4, Font{10},
                Align::center, Align::end);
    for (size_t r = 0; r < shown.size(); ++r) {
      const io::TraceLayer& L = trace.layers[static_cast<size_t>(shown[r])];
      const double y = kTop + double(r) * (t + kGap);
      set_source(cr, kInk);
      draw_text(cr, L.name, kMargin + kLabelW - 8, y + t / 2, Font{11}, Align::end, Align::center, kLabelW - 10);
      for (int64_t h = 0; h < L.heads; ++h)
        thumb(cr, kMargin + kLabelW + double(h) * (t + kGap), y, t, L, h, cmap, viewer_scale(L, h, opts.scale));
    }
  });
  return info;
}

ModelViewInfo render_head_grid(const io::Trace& trace, int64_t layer, const std::string& path,
                               ModelViewOptions opts) {
  check_opts(opts);
  ATTNSCOPE_CHECK(layer >= 0 && layer < static_cast<int64_t>(trace.layers.size()), ConfigError,
                  "layer " + std::to_string(layer) + " out of range (trace has " +
                      std::to_string(trace.layers.size()) + " layers)");
  image_format_for(path);
  const io::TraceLayer& L = trace.layers[static_cast<size_t>(layer)];
  io::validate_layer(trace, L);
  std::vector<HeadRef> heads;
  for (int64_t h = 0; h < L.heads; ++h) heads.push_back({&L, h});
  const ColorScale scale = viewer_scale(heads, opts.scale);
  ModelViewInfo info;
  info.cols = static_cast<int64_t>(std::ceil(std::sqrt(double(L.heads))));
  info.rows = (L.heads + info.cols - 1) / info.cols;
  const double t = std::max(opts.thumb, 160), cap = 18;
  info.width = static_cast<int>(std::ceil(2 * kMargin + double(info.cols) * (t + 2 * kGap) + 70));
  const FigureHeader header{
      model_name(trace) + "layer '" + L.name + "' \u00B7 " + std::to_string(L.heads) + " heads",
      std::to_string(L.queries) + " queries \u00D7 " + std::to_string(L.keys) + " keys; one colour scale for all heads"};
  info.width = std::max({info.width, 460, header.min_width(kMargin)});
  info.height = static_cast<int>(std::ceil(kTop + double(info.rows) * (t + cap + 2 * kGap) + kMargin));
  const Colormap& cmap = colormap(opts.colormap);
  write_figure(path, info.width, info.height, [&](cairo_t* cr) {
    header.draw(cr, kMargin, kMargin);
    for (int64_t h = 0; h < L.heads; ++h) {
      const double x = kMargin + double(h % info.cols) * (t + 2 * kGap);
      const double y = kTop + double(h / info.cols) * (t + cap + 2 * kGap);
      set_source(cr, kInk);
      draw_text(cr, "head " + std::to_string(h), x, y, Font{11});
      thumb(cr, x, y + cap, t, L, h, cmap, scale);
    }
    draw_colorbar(cr, info.width - kMargin - 56, kTop + cap, 12, std::min(t * double(info.rows), 240.0), cmap, scale,
                  10);
  });
  return info;
}

}  // namespace attnscope::viz
