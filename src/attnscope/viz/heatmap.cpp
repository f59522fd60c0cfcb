#include "attnscope/viz/heatmap.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/color.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/segments.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {

namespace {
constexpr double kMargin = 12, kLabelFont = 11;
constexpr double kLabelPitch = 13;  // px per label line: thinner spacing overlaps
constexpr double kAxisTitle = 18;  // px: the band of an axis title
constexpr double kMaxLabel = 140;   // px: longer labels are ellipsized
constexpr double kBarW = 14, kBarGap = 14, kBarText = kColorbarText;
constexpr double kMinCell = 2;      // px: below this, cells are aggregated
constexpr double kSegBand = 14;     // px: the band of the segment letters

double widest(cairo_t* cr, const std::vector<std::string>& labels, int64_t step) {
  double w = 0;
  for (size_t i = 0; step > 0 && i < labels.size(); i += static_cast<size_t>(step))
    w = std::max(w, measure_text(cr, display_token(labels[i]), Font{kLabelFont}, kMaxLabel).w);
  return w;
}
}  // namespace

Heatmap::Heatmap(const io::TraceLayer& layer, int64_t head, std::vector<std::string> query_labels,
                 std::vector<std::string> key_labels, HeatmapOptions opts)
    : qlabels_(std::move(query_labels)), klabels_(std::move(key_labels)), opts_(std::move(opts)) {
  ATTNSCOPE_CHECK(layer.queries >= 1 && layer.keys >= 1, ShapeError, "heatmap of an empty attention map");
  (void)colormap(opts_.colormap);  // unknown names fail before any work
  check_color_scale(opts_.scale);
  ATTNSCOPE_CHECK(opts_.budget >= 16 && opts_.budget <= 16000, ConfigError,
                  "heatmap size budget " + std::to_string(opts_.budget) + " px outside 16..16000");
  rows_ = layer.queries;
  cols_ = layer.keys;
  // Segments that do not match the axis are dropped rather than drawn misplaced.
  if (static_cast<int64_t>(opts_.query_segments.size()) != rows_) opts_.query_segments.clear();
  if (static_cast<int64_t>(opts_.key_segments.size()) != cols_) opts_.key_segments.clear();
  qseg_w_ = opts_.query_segments.empty() ? 0 : kSegBand;
  kseg_h_ = opts_.key_segments.empty() ? 0 : kSegBand;
  const int64_t max_cells = static_cast<int64_t>(opts_.budget / kMinCell);
  grid_ = aggregate_max(layer, head, max_cells, max_cells);
  const int64_t longest = std::max(grid_.rows, grid_.cols);
  cell_ = std::clamp(std::floor(opts_.budget / double(longest)), kMinCell, 40.0);
  plot_w_ = cell_ * double(grid_.cols);
  plot_h_ = cell_ * double(grid_.rows);
  scale_ = viewer_scale(layer, head, opts_.scale);

  if (opts_.query_title.empty())
    opts_.query_title = layer.query_seq == layer.key_seq ? "query" : layer.query_seq + " (query)";
  if (opts_.key_title.empty()) opts_.key_title = layer.query_seq == layer.key_seq ? "key" : layer.key_seq + " (key)";
  ScratchContext ms;
  if (opts_.labels) {
    // px per token along each axis, then one label every step tokens.
    const double qpx = plot_h_ / double(rows_), kpx = plot_w_ / double(cols_);
    qstep_ = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(kLabelPitch / qpx)));
    kstep_ = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(kLabelPitch / kpx)));
    qlabel_w_ = widest(ms.get(), qlabels_, qstep_) + 6;
    klabel_h_ = widest(ms.get(), klabels_, kstep_) + 6;
  }
  if (opts_.subtitle.empty()) {
    opts_.subtitle = std::to_string(rows_) + " queries \u00D7 " + std::to_string(cols_) + " keys";
    if (grid_.fr > 1 || grid_.fc > 1)
      opts_.subtitle += "; each cell = max of " + std::to_string(grid_.fr) + "\u00D7" + std::to_string(grid_.fc) +
                        " weights";
    if (opts_.labels && (qstep_ > 1 || kstep_ > 1))
      opts_.subtitle += "; labels: 1 in " + std::to_string(std::max(qstep_, kstep_));
    if (scale_.curve() == ScaleCurve::sqrt) opts_.subtitle += "; \u221A colour scale";
  }
  const FigureHeader header{opts_.title, opts_.subtitle};
  const double top = kMargin + header.height() + 8;
  const double axis = opts_.labels ? kAxisTitle : 0;  // room for the axis titles
  plot_x_ = kMargin + axis + qseg_w_ + qlabel_w_;
  plot_y_ = top + kseg_h_;
  const double bar_h = std::max(plot_h_, 120.0);
  width_ = static_cast<int>(std::ceil(plot_x_ + plot_w_ + kBarGap + kBarW + kBarText + kMargin));
  width_ = std::max(width_, header.min_width(kMargin));
  height_ = static_cast<int>(std::ceil(plot_y_ + std::max(plot_h_ + klabel_h_ + axis, bar_h) + kMargin));
}

void Heatmap::cell_rect(int64_t q, int64_t k, double& x, double& y, double& w, double& h) const {
  const double cw = plot_w_ / double(grid_.cols), ch = plot_h_ / double(grid_.rows);
  x = plot_x_ + double(k / grid_.fc) * cw;
  y = plot_y_ + double(q / grid_.fr) * ch;
  w = cw;
  h = ch;
}

void Heatmap::draw(cairo_t* cr, double ox, double oy) const {
  const Colormap& cmap = colormap(opts_.colormap);
  cairo_save(cr);
  cairo_translate(cr, ox, oy);
  FigureHeader{opts_.title, opts_.subtitle}.draw(cr, kMargin, kMargin);

  draw_cells(cr, plot_x_, plot_y_, plot_w_, plot_h_, grid_, cmap, scale_);
  draw_colorbar(cr, plot_x_ + plot_w_ + kBarGap, plot_y_, kBarW, std::max(plot_h_, 120.0), cmap, scale_, kLabelFont);
  draw_segments(cr);

  set_source(cr, kInk);
  if (qstep_ > 0) {
    const double qpx = plot_h_ / double(rows_);
    for (int64_t q = 0; q < rows_; q += qstep_)
      draw_text(cr, display_token(qlabels_[static_cast<size_t>(q)]), plot_x_ - 4, plot_y_ + (double(q) + 0.5) * qpx,
                Font{kLabelFont}, Align::end, Align::center, kMaxLabel);
  }
  if (kstep_ > 0) {
    const double kpx = plot_w_ / double(cols_);
    for (int64_t k = 0; k < cols_; k += kstep_)
      draw_text(cr, display_token(klabels_[static_cast<size_t>(k)]), plot_x_ + (double(k) + 0.5) * kpx,
                plot_y_ + plot_h_ + 4, Font{kLabelFont}, Align::start, Align::center, kMaxLabel, 90);
  }
  if (opts_.labels) {  // axis titles: the query axis reads bottom to top at the left edge
    const Font f{kLabelFont, true};
    draw_text(cr, opts_.query_title, kMargin + kAxisTitle / 2, plot_y_ + plot_h_ / 2, f, Align::center, Align::center,
              std::max(plot_h_, 60.0), -90);
    draw_text(cr, opts_.key_title, plot_x_ + plot_w_ / 2, plot_y_ + plot_h_ + klabel_h_ + kAxisTitle / 2, f, Align::center,
              Align::center, std::max(plot_w_, 60.0));
  }
  cairo_restore(cr);
}

void Heatmap::draw_segments(cairo_t* cr) const {
  const auto& qs = opts_.query_segments;
  const auto& ks = opts_.key_segments;
  if (qs.empty() && ks.empty()) return;
  const double qpx = plot_h_ / double(rows_), kpx = plot_w_ / double(cols_);
  cairo_save(cr);
  set_source(cr, Rgb{1, 1, 1});
  cairo_set_line_width(cr, 2);
  for (int64_t i : segment_breaks(qs)) {
    cairo_move_to(cr, plot_x_, plot_y_ + double(i) * qpx);
    cairo_line_to(cr, plot_x_ + plot_w_, plot_y_ + double(i) * qpx);
  }
  for (int64_t i : segment_breaks(ks)) {
    cairo_move_to(cr, plot_x_ + double(i) * kpx, plot_y_);
    cairo_line_to(cr, plot_x_ + double(i) * kpx, plot_y_ + plot_h_);
  }
  cairo_stroke(cr);
  cairo_restore(cr);
  // Each part's letter at its first token: left of the query labels, above the key columns.
  set_source(cr, kSegmentInk);
  const Font f{kLabelFont, true};
  for (int64_t i : segment_starts(qs))
    draw_text(cr, segment_name(qs[static_cast<size_t>(i)]), plot_x_ - qlabel_w_ - qseg_w_ / 2,
              plot_y_ + (double(i) + 0.5) * qpx, f, Align::center, Align::center);
  for (int64_t i : segment_starts(ks))
    draw_text(cr, segment_name(ks[static_cast<size_t>(i)]), plot_x_ + (double(i) + 0.5) * kpx,
              plot_y_ - kseg_h_ / 2, f, Align::center, Align::center);
}

Heatmap trace_heatmap(const io::Trace& trace, const io::TraceLayer& layer, int64_t head, HeatmapOptions opts) {
  if (opts.query_segments.empty()) opts.query_segments = segments_of(trace, layer.query_seq, layer.queries);
  if (opts.key_segments.empty()) opts.key_segments = segments_of(trace, layer.key_seq, layer.keys);
  return Heatmap(layer, head, focus::query_labels(trace, layer), focus::key_labels(trace, layer), std::move(opts));
}

std::string heatmap_title(const io::Trace& trace, const io::TraceLayer& layer, int64_t head) {
  std::string t;
  if (auto it = trace.meta.find("model"); it != trace.meta.end() && !it->second.empty()) t = it->second + " \u00B7 ";
  t += "layer '" + layer.name + "' \u00B7 ";
  if (head != focus::kHeadMean) t += "head " + std::to_string(head);
  else t += layer.heads == 1 ? std::string("1 head") : "mean of " + std::to_string(layer.heads) + " heads";
  return t;
}

Heatmap render_heatmap(const io::Trace& trace, int64_t layer, int64_t head, const std::string& path,
                       HeatmapOptions opts) {
  ATTNSCOPE_CHECK(layer >= 0 && layer < static_cast<int64_t>(trace.layers.size()), ConfigError,
                  "layer " + std::to_string(layer) + " out of range (trace has " +
                      std::to_string(trace.layers.size()) + " layers)");
  const io::TraceLayer& L = trace.layers[static_cast<size_t>(layer)];
  io::validate_layer(trace, L);
  image_format_for(path);  // a bad extension fails before rendering
  if (opts.title.empty()) opts.title = heatmap_title(trace, L, head);
  Heatmap hm = trace_heatmap(trace, L, head, std::move(opts));
  write_figure(path, hm.width(), hm.height(), [&](cairo_t* cr) { hm.draw(cr, 0, 0); });
  return hm;
}

}  // namespace attnscope::viz
