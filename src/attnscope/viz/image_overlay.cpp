#include "attnscope/viz/image_overlay.h"

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/data/image.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/color.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/heatmap.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {

std::pair<int64_t, int64_t> image_grid(const io::Trace& trace, const io::TraceLayer& layer) {
  const io::TraceSequence* s = trace.find_sequence(layer.key_seq);
  if (s && s->grid_h > 0 && s->grid_w > 0 && s->grid_h * s->grid_w == layer.keys) return {s->grid_h, s->grid_w};
  return {0, 0};
}

Frame load_trace_image(const io::Trace& trace, const std::string& base_dir) {
  if (!trace.image.empty()) {
    const io::TraceImage& im = trace.image;
    try {
      return to_frame(data::Image{im.height, im.width, im.channels, im.pixels});
    } catch (const ShapeError&) {
      throw ShapeError("trace image pixels do not match their shape [h, w, c]");
    }
  }
  ATTNSCOPE_CHECK(!trace.image_path.empty(), ValueError, "the trace has neither image pixels nor an image path");
  // A relative path is relative to the trace file (docs/TRACE_FORMAT.md), never to the working
  // directory; only a bounded regular file is read (data::read_image_file).
  std::string path = trace.image_path;
  if (std::filesystem::path(path).is_relative() && !base_dir.empty())
    path = (std::filesystem::path(base_dir) / path).string();
  try {
    return to_frame(data::read_image_file(path));
  } catch (const IoError& e) {
    throw IoError("trace image: " + std::string(e.what()));
  }
}

void draw_overlay(cairo_t* cr, double& x, double& y, double& w, double& h, const Frame& img, const float* weights,
                  int64_t gh, int64_t gw, const ColorScale& scale, const Colormap& cmap) {
  const double s = std::min(w / img.width, h / img.height);
  const double iw = img.width * s, ih = img.height * s;
  x += (w - iw) / 2;
  y += (h - ih) / 2;
  w = iw;
  h = ih;
  cairo_surface_t* photo = cairo_image_surface_create_for_data(
      reinterpret_cast<unsigned char*>(const_cast<uint32_t*>(img.px.data())), CAIRO_FORMAT_RGB24, img.width,
      img.height, img.width * 4);
  cairo_save(cr);
  cairo_rectangle(cr, x, y, w, h);
  cairo_clip(cr);
  cairo_save(cr);
  cairo_translate(cr, x, y);
  cairo_scale(cr, s, s);
  cairo_set_source_surface(cr, photo, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_GOOD);
  cairo_paint(cr);
  cairo_restore(cr);
  cairo_surface_destroy(photo);
  if (weights && gh > 0 && gw > 0) {
    // [gh, gw] premultiplied ARGB: colour cmap(t), opacity 0.75 t; bilinear upsampling by Cairo.
    std::vector<uint32_t> px(static_cast<size_t>(gh * gw));
    for (size_t i = 0; i < px.size(); ++i) {
      const double t = scale.t(weights[i]), a = 0.75 * t;
      const Rgb8 c = cmap.rgb8(t);
      px[i] = uint32_t(std::lround(a * 255)) << 24 | uint32_t(std::lround(c.r * a)) << 16 |
              uint32_t(std::lround(c.g * a)) << 8 | uint32_t(std::lround(c.b * a));
    }
    cairo_surface_t* field = cairo_image_surface_create_for_data(reinterpret_cast<unsigned char*>(px.data()),
                                                                 CAIRO_FORMAT_ARGB32, int(gw), int(gh), int(gw) * 4);
    cairo_translate(cr, x, y);
    cairo_scale(cr, w / double(gw), h / double(gh));
    cairo_set_source_surface(cr, field, 0, 0);
    cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BILINEAR);
    cairo_pattern_set_extend(cairo_get_source(cr), CAIRO_EXTEND_PAD);
    cairo_paint(cr);
    cairo_surface_destroy(field);
  }
  cairo_restore(cr);
}

void render_overlay(const io::Trace& trace, int64_t layer, int64_t head, const std::string& path,
                    const OverlayOptions& opts) {
  const Colormap& cmap = colormap(opts.colormap);
  check_color_scale(opts.scale);
  ATTNSCOPE_CHECK(layer >= 0 && layer < static_cast<int64_t>(trace.layers.size()), ConfigError,
                  "layer " + std::to_string(layer) + " out of range");
  ATTNSCOPE_CHECK(opts.panel >= 32 && opts.panel <= 2048 && opts.max_panels >= 1, ConfigError,
                  "overlay panel size must be in 32..2048 px");
  image_format_for(path);
  const io::TraceLayer& L = trace.layers[static_cast<size_t>(layer)];
  io::validate_layer(trace, L);
  const auto grid = image_grid(trace, L);  // no structured binding: clang < 16 cannot capture one
  const int64_t gh = grid.first, gw = grid.second;
  ATTNSCOPE_CHECK(gh > 0, ConfigError,
                  "layer '" + L.name + "' does not attend over an image grid (its key sequence has no grid shape)");
  const Frame img = load_trace_image(trace, opts.base_dir);
  const focus::AttentionMap m = focus::head_map(L, head);  // [Q, gh*gw]
  const auto words = focus::query_labels(trace, L);
  const int64_t n = std::min<int64_t>(m.rows, opts.max_panels);
  const int64_t cols = std::min<int64_t>(n, 5), rows = (n + cols - 1) / cols;
  // Panels take the image's aspect (P px on the long side), the word above each.
  const double P = opts.panel, cap = 22, M = 12, top = 40;
  const double pw = img.width >= img.height ? P : P * img.width / img.height;
  const double ph = img.width >= img.height ? P * img.height / img.width : P;
  const int W = static_cast<int>(std::ceil(2 * M + double(cols) * (pw + M)));
  const int H = static_cast<int>(std::ceil(top + double(rows) * (ph + cap + M) + M));
  const FigureHeader header{heatmap_title(trace, L, head), ""};
  write_figure(path, std::max({W, 360, header.min_width(M)}), H, [&](cairo_t* cr) {
    header.draw(cr, M, M);
    for (int64_t q = 0; q < n; ++q) {
      const float* row = m.w.data() + q * m.cols;
      const ColorScale scale = ColorScale::fit(opts.scale, std::span<const float>(row, static_cast<size_t>(m.cols)));
      double x = M + double(q % cols) * (pw + M), y = top + double(q / cols) * (ph + cap + M) + cap, w = pw, h = ph;
      draw_overlay(cr, x, y, w, h, img, row, gh, gw, scale, cmap);
      set_source(cr, kInk);
      draw_text(cr, display_token(words[static_cast<size_t>(q)]), x + w / 2, y - 4, Font{13, true}, Align::center,
                Align::end, pw);
    }
  });
}

}  // namespace attnscope::viz
