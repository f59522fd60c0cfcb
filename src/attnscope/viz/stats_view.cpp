#include "attnscope/viz/stats_view.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/focus/row_stats.h"
#include "attnscope/focus/trace_row.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/color.h"
#include "attnscope/viz/colormap.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/heatmap.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {

namespace {
constexpr double kMargin = 12, kFont = 11, kLabelPitch = 13, kMaxLabel = 140;
constexpr double kStrip = 14, kRowGap = 4, kBlockGap = 14, kLegendW = 120;

std::string head_name(int64_t h) { return h == focus::kHeadMean ? "mean of heads" : "head " + std::to_string(h); }
}  // namespace

StatsViewInfo render_stats_view(const io::Trace& trace, int64_t layer, std::vector<int64_t> heads,
                                const std::string& path, StatsViewOptions o) {
  ATTNSCOPE_CHECK(layer >= 0 && layer < static_cast<int64_t>(trace.layers.size()), ConfigError,
                  "layer " + std::to_string(layer) + " out of range (trace has " +
                      std::to_string(trace.layers.size()) + " layers)");
  const io::TraceLayer& L = trace.layers[static_cast<size_t>(layer)];
  io::validate_layer(trace, L);
  image_format_for(path);
  const Colormap& cmap = colormap(o.colormap);
  ATTNSCOPE_CHECK(o.budget >= 16 && o.budget <= 16000, ConfigError,
                  "statistics picture size " + std::to_string(o.budget) + " px outside 16..16000");
  ATTNSCOPE_CHECK(L.queries >= 1 && L.keys >= 1, ShapeError, "statistics of an empty attention layer");
  if (heads.empty()) heads.push_back(focus::kHeadMean);
  std::vector<focus::RowStats> stats;
  for (int64_t h : heads) stats.push_back(focus::row_stats(L, h));  // ConfigError for a bad head
  const focus::RowStats& s0 = stats.front();
  ATTNSCOPE_CHECK(!s0.entropy.empty() || !s0.max_weight.empty() || !s0.argmax.empty(), ValueError,
                  "layer '" + L.name + "' kept no entropy, max weight or argmax to draw");

  StatsViewInfo info;
  const int64_t Q = L.queries, N = L.keys;
  info.bin = (Q + o.budget - 1) / o.budget;
  info.columns = (Q + info.bin - 1) / info.bin;
  info.column_px = std::clamp(std::floor(double(o.budget) / double(info.columns)), 1.0, 24.0);
  const double plot_w = info.column_px * double(info.columns);
  const double panel_h = std::clamp(double(N) * info.column_px / double(info.bin), 48.0, heads.size() > 1 ? 80.0 : 200.0);
  info.strip_h = kStrip;
  info.panel_h = panel_h;

  const std::vector<std::string> qlabels = focus::query_labels(trace, L);
  const int64_t qstep = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(kLabelPitch * double(info.bin) / info.column_px)));
  ScratchContext ms;
  double label_h = 0;
  for (int64_t q = 0; q < Q; q += qstep)
    label_h = std::max(label_h, measure_text(ms.get(), display_token(qlabels[static_cast<size_t>(q)]), Font{kFont}, kMaxLabel).w);
  const std::string rows[3] = {"entropy / ln N", "max weight", "most-attended key"};
  double left = 0;
  for (const auto& r : rows) left = std::max(left, measure_text(ms.get(), r, Font{kFont}).w);
  info.plot_x = kMargin + left + 8;

  std::string title = o.title;
  if (title.empty()) {
    title = heatmap_title(trace, L, heads.size() == 1 ? heads[0] : focus::kHeadMean);
    if (heads.size() > 1) title = title.substr(0, title.rfind(" \u00B7 ")) + " \u00B7 " + std::to_string(heads.size()) + " heads";
  }
  FigureHeader header{title,
                      std::to_string(Q) + " queries \u00D7 " + std::to_string(N) + " keys \u00B7 row statistics" +
                          (L.keep == io::TraceKeep::stats ? " (the trace kept no weights)" : "") +
                          (info.bin > 1 ? "; 1 column = " + std::to_string(info.bin) + " queries" : "")};
  const double legend_y = kMargin + header.height() + 6;
  double y = legend_y + 16 + kBlockGap;
  const double block_label_h = 16;
  for (size_t b = 0; b < heads.size(); ++b) {
    y += block_label_h;
    info.entropy_y.push_back(y);
    info.max_y.push_back(y + kStrip + kRowGap);
    info.argmax_y.push_back(y + 2 * (kStrip + kRowGap));
    y += 2 * (kStrip + kRowGap) + panel_h + kBlockGap;
  }
  const double labels_y = y - kBlockGap + 4;
  info.width = std::max(static_cast<int>(std::ceil(info.plot_x + plot_w + 40 + kMargin)), header.min_width(kMargin));
  info.width = std::max(info.width, static_cast<int>(std::ceil(kMargin + kLegendW + 260)));
  info.height = static_cast<int>(std::ceil(labels_y + label_h + kMargin));

  write_figure(path, info.width, info.height, [&](cairo_t* cr) {
    header.draw(cr, kMargin, kMargin);
    // Legend: the strips' colour scale, 0 to 1.
    for (int i = 0; i < 64; ++i) {
      set_source(cr, to_rgb(cmap.rgb8((i + 0.5) / 64.0)));
      cairo_rectangle(cr, kMargin + 18 + kLegendW * i / 64.0, legend_y + 3, kLegendW / 64.0 + 0.5, 10);
      cairo_fill(cr);
    }
    set_source(cr, kInk);
    draw_text(cr, "0", kMargin + 14, legend_y + 8, Font{kFont}, Align::end, Align::center);
    draw_text(cr, "1   strips: entropy as a fraction of ln N, max weight", kMargin + 22 + kLegendW, legend_y + 8,
              Font{kFont}, Align::start, Align::center);
    const double cw = info.column_px;
    for (size_t b = 0; b < heads.size(); ++b) {
      const focus::RowStats& s = stats[b];
      set_source(cr, kInk);
      draw_text(cr, head_name(heads[b]), info.plot_x, info.entropy_y[b] - 3, Font{kFont, true}, Align::start, Align::end);
      const double ys[3] = {info.entropy_y[b], info.max_y[b], info.argmax_y[b]};
      const double hs[3] = {kStrip, kStrip, panel_h};
      for (int r = 0; r < 3; ++r) {
        set_source(cr, kInk);
        draw_text(cr, rows[r], info.plot_x - 8, ys[r] + std::min(hs[r], kStrip) / 2, Font{kFont}, Align::end, Align::center);
        set_source(cr, kFaint);
        cairo_set_line_width(cr, 1);
        cairo_rectangle(cr, info.plot_x - 0.5, ys[r] - 0.5, plot_w + 1, hs[r] + 1);
        cairo_stroke(cr);
      }
      // Strips: the mean over each column's queries, t in [0, 1].
      const double ln_n = N > 1 ? std::log(double(N)) : 1.0;
      for (int r = 0; r < 2; ++r) {
        const std::vector<float>& v = r == 0 ? s.entropy : s.max_weight;
        if (v.empty()) {
          set_source(cr, kFaint);
          draw_text(cr, "not kept", info.plot_x + 4, ys[r] + kStrip / 2, Font{kFont - 1}, Align::start, Align::center);
          continue;
        }
        for (int64_t c = 0; c < info.columns; ++c) {
          const int64_t q0 = c * info.bin, q1 = std::min(Q, q0 + info.bin);
          double sum = 0;
          for (int64_t q = q0; q < q1; ++q) sum += v[static_cast<size_t>(q)];
          const double t = std::clamp(sum / double(q1 - q0) / (r == 0 ? ln_n : 1.0), 0.0, 1.0);
          set_source(cr, to_rgb(cmap.rgb8(t)));
          cairo_rectangle(cr, info.plot_x + double(c) * cw, ys[r], cw + (cw > 2 ? 0 : 0.3), kStrip);
          cairo_fill(cr);
        }
      }
      // Panel: key 0 at the top; one dot per (column, key row) hit.
      const double py = ys[2], ky = panel_h / double(N);
      if (L.query_seq == L.key_seq) {
        set_source(cr, Rgb{0.85, 0.85, 0.85});
        cairo_move_to(cr, info.plot_x, py);
        cairo_line_to(cr, info.plot_x + std::min(plot_w, double(N) * cw / double(info.bin)), py + std::min(panel_h, double(Q) * ky));
        cairo_stroke(cr);
      }
      if (s.argmax.empty()) {
        set_source(cr, kFaint);
        draw_text(cr, "not kept", info.plot_x + 4, py + kStrip / 2, Font{kFont - 1}, Align::start, Align::center);
      } else {
        set_source(cr, Rgb{0.16, 0.29, 0.62});
        const double dot_h = std::max(3.0, ky), dot_w = std::max(2.0, cw);
        for (int64_t c = 0; c < info.columns; ++c) {
          std::set<int64_t> hit;  // panel pixel rows
          for (int64_t q = c * info.bin; q < std::min(Q, (c + 1) * info.bin); ++q) {
            const int32_t k = s.argmax[static_cast<size_t>(q)];
            if (k >= 0 && k < N) hit.insert(static_cast<int64_t>(std::floor(double(k) * ky)));
          }
          for (int64_t row : hit)
            cairo_rectangle(cr, info.plot_x + double(c) * cw + (cw - dot_w) / 2, py + std::min(double(row), panel_h - dot_h), dot_w, dot_h);
        }
        cairo_fill(cr);
      }
      set_source(cr, kFaint);
      draw_text(cr, "0", info.plot_x + plot_w + 4, py, Font{kFont - 1}, Align::start, Align::start);
      draw_text(cr, std::to_string(N - 1), info.plot_x + plot_w + 4, py + panel_h, Font{kFont - 1}, Align::start, Align::end);
    }
    // Query labels under the last block, read top to bottom as the heatmap's key labels.
    set_source(cr, kInk);
    for (int64_t q = 0; q < Q; q += qstep)
      draw_text(cr, display_token(qlabels[static_cast<size_t>(q)]), info.plot_x + (double(q) + 0.5) * cw / double(info.bin),
                labels_y, Font{kFont}, Align::start, Align::center, kMaxLabel, 90);
  });
  return info;
}

}  // namespace attnscope::viz
