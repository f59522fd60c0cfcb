#include "attnscope/viz/head_view.h"

#include <algorithm>
#include <cmath>
#include <tuple>

#include "attnscope/core/error.h"
#include "attnscope/focus/attention_map.h"
#include "attnscope/focus/topk.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/viz/color.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/heatmap.h"
#include "attnscope/viz/segments.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {

namespace {
constexpr double kMargin = 14, kFont = 12, kMaxLabel = 160, kGap = 220;  // kGap: between columns
constexpr double kSegBand = 16;  // px: the band of a sentence pair's A / B letters
// One row of at least 2 px per token: 8,000 rows fit the 16,384-px image side. Checked before the
// per-head [Q, N] maps are built (a 280 KB top-k trace over a 2^20-key grid asked for 32 GB).
constexpr int64_t kMaxTokens = 8000;
}

HeadViewInfo render_head_view(const io::Trace& trace, int64_t layer, std::vector<int64_t> heads,
                              const std::string& path, HeadViewOptions opts) {
  ATTNSCOPE_CHECK(layer >= 0 && layer < static_cast<int64_t>(trace.layers.size()), ConfigError,
                  "layer " + std::to_string(layer) + " out of range (trace has " +
                      std::to_string(trace.layers.size()) + " layers)");
  ATTNSCOPE_CHECK(opts.threshold >= 0 && opts.threshold <= 1, ConfigError,
                  "head view threshold must be in [0, 1]");
  const io::TraceLayer& L = trace.layers[static_cast<size_t>(layer)];
  io::validate_layer(trace, L);
  image_format_for(path);
  ATTNSCOPE_CHECK(std::max(L.queries, L.keys) <= kMaxTokens, ConfigError,
                  "the head view draws one row per token; layer '" + L.name + "' has " +
                      std::to_string(L.queries) + " queries and " + std::to_string(L.keys) +
                      " keys (at most " + std::to_string(kMaxTokens) + "): use the heatmap view");
  if (heads.empty())
    for (int64_t h = 0; h < L.heads; ++h) heads.push_back(h);
  std::vector<focus::AttentionMap> maps;  // one [Q, N] per head shown
  for (int64_t h : heads) maps.push_back(focus::head_map(L, h));
  const auto ql = focus::query_labels(trace, L), kl = focus::key_labels(trace, L);
  const int64_t n = std::max(L.queries, L.keys);

  HeadViewInfo info;
  const double pitch = n <= 60 ? 18.0 : std::max(2.0, 1100.0 / double(n));  // px per token row
  info.label_step = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(13.0 / pitch)));
  // Measure labels for the column widths.
  double lw = 0, rw = 0;
  {
    ScratchContext sc;
    for (size_t i = 0; i < ql.size(); i += static_cast<size_t>(info.label_step))
      lw = std::max(lw, measure_text(sc.get(), display_token(ql[i]), Font{kFont}, kMaxLabel).w);
    for (size_t i = 0; i < kl.size(); i += static_cast<size_t>(info.label_step))
      rw = std::max(rw, measure_text(sc.get(), display_token(kl[i]), Font{kFont}, kMaxLabel).w);
  }
  if (opts.title.empty()) {
    opts.title = heatmap_title(trace, L, heads.size() == 1 ? heads[0] : 0);
    if (heads.size() > 1) opts.title = opts.title.substr(0, opts.title.rfind(" \u00B7 ")) + " \u00B7 " +
                                       std::to_string(heads.size()) + " heads";
  }
  // Header: the title, then a legend line (a swatch per head, the threshold at the right).
  const FigureHeader header{opts.title, ""};
  const double legend_y = kMargin + header.height() + 10;
  const double top = legend_y + 24;
  char thr[64];
  std::snprintf(thr, sizeof thr, "lines: weight \u2265 %.2f", static_cast<double>(opts.threshold));
  auto head_name = [&](size_t i) { return heads[i] == focus::kHeadMean ? std::string("mean") : std::to_string(heads[i]); };
  const size_t swatches = std::min<size_t>(heads.size(), 24);
  double legend_w = 0;
  {
    ScratchContext sc;
    for (size_t i = 0; i < swatches; ++i) legend_w += 14 + measure_text(sc.get(), head_name(i), Font{10}).w + 8;
    legend_w += 16 + measure_text(sc.get(), thr, Font{10}).w;
  }
  // Sentence pairs: a band for the A / B letters outside each label column (viz/segments.h).
  const auto qs = segments_of(trace, L.query_seq, L.queries), ks = segments_of(trace, L.key_seq, L.keys);
  const double band = qs.empty() && ks.empty() ? 0 : kSegBand;
  const double xl = kMargin + band + lw + 8, xr = xl + kGap;
  info.width = std::max({opts.width, static_cast<int>(std::ceil(xr + 8 + rw + band + kMargin)),
                         static_cast<int>(std::ceil(2 * kMargin + legend_w)), header.min_width(kMargin)});
  info.height = static_cast<int>(std::ceil(top + pitch * double(n) + kMargin));

  write_figure(path, info.width, info.height, [&](cairo_t* cr) {
    header.draw(cr, kMargin, kMargin);
    double lx = kMargin;
    for (size_t i = 0; i < swatches; ++i) {
      const Rgb c = heads[i] == focus::kHeadMean ? kInk : head_color(heads[i]);
      set_source(cr, c);
      cairo_rectangle(cr, lx, legend_y, 10, 10);
      cairo_fill(cr);
      set_source(cr, kInk);
      lx += 14 + draw_text(cr, head_name(i), lx + 13, legend_y + 5, Font{10}, Align::start, Align::center).w + 8;
    }
    set_source(cr, kFaint);
    draw_text(cr, thr, info.width - kMargin, legend_y + 5, Font{10}, Align::end, Align::center);

    auto row_y = [&](int64_t i) { return top + (double(i) + 0.5) * pitch; };
    // Lines first (lightest on top would hide the strong ones: draw in increasing weight).
    struct Line {
      float w;
      int64_t q, k;
      size_t head;
    };
    std::vector<Line> lines;
    // Per query and head, its `top` largest weights (focus::row_topk's order) at or above the threshold.
    const int top = opts.top > 0 ? opts.top : heads.size() > 1 ? 6 : 12;
    std::vector<int32_t> idx(static_cast<size_t>(top));
    std::vector<float> val(static_cast<size_t>(top));
    for (size_t hi = 0; hi < maps.size(); ++hi)
      for (int64_t q = 0; q < maps[hi].rows; ++q) {
        focus::row_topk(&maps[hi].at(q, 0), maps[hi].cols, top, idx.data(), val.data());
        for (int j = 0; j < top; ++j)
          if (idx[j] >= 0 && val[j] >= opts.threshold) lines.push_back({val[j], q, idx[j], hi});
      }
    std::sort(lines.begin(), lines.end(), [](const Line& a, const Line& b) { return a.w < b.w; });
    cairo_set_line_cap(cr, CAIRO_LINE_CAP_ROUND);
    for (const Line& ln : lines) {
      const Rgb c = heads[ln.head] == focus::kHeadMean ? Rgb{0.2, 0.35, 0.7} : head_color(heads[ln.head]);
      cairo_set_source_rgba(cr, c.r, c.g, c.b, std::min(1.0, 0.15 + 0.85 * ln.w));
      cairo_set_line_width(cr, std::max(0.5, std::min(pitch, 1.0 + 5.0 * ln.w)));
      // Curves as the viewer's (BertViz's): flat at both columns, so a row's lines fan out clearly.
      const double xm = (xl + xr) / 2;
      cairo_move_to(cr, xl, row_y(ln.q));
      cairo_curve_to(cr, xm, row_y(ln.q), xm, row_y(ln.k), xr, row_y(ln.k));
      cairo_stroke(cr);
    }
    info.lines = static_cast<int64_t>(lines.size());
    // Where a side's segment changes: a dashed rule across its label column, and each part's
    // letter at its first token in the band (the viewer's head view).
    const double right = xr + 8 + rw + band;
    for (const auto& [segs, x0, x1, letter_x] :
         {std::tuple{&qs, kMargin, xl, kMargin + band / 2}, std::tuple{&ks, xr, right, right - band / 2}}) {
      if (segs->empty()) continue;
      const double dash[] = {4, 3};
      cairo_save(cr);
      set_source(cr, kFaint);
      cairo_set_line_width(cr, 1);
      cairo_set_dash(cr, dash, 2, 0);
      for (int64_t i : segment_breaks(*segs)) {
        const double y = std::floor(row_y(i) - pitch / 2) + 0.5;  // on a pixel row: one crisp line in PNGs
        cairo_move_to(cr, x0, y);
        cairo_line_to(cr, x1, y);
      }
      cairo_stroke(cr);
      cairo_restore(cr);
      set_source(cr, kSegmentInk);
      for (int64_t i : segment_starts(*segs))
        draw_text(cr, segment_name((*segs)[static_cast<size_t>(i)]), letter_x, row_y(i), Font{kFont, true}, Align::center,
                  Align::center);
    }
    set_source(cr, kInk);
    for (int64_t q = 0; q < L.queries; q += info.label_step)
      draw_text(cr, display_token(ql[static_cast<size_t>(q)]), xl - 6, row_y(q), Font{kFont}, Align::end,
                Align::center, kMaxLabel);
    for (int64_t k = 0; k < L.keys; k += info.label_step)
      draw_text(cr, display_token(kl[static_cast<size_t>(k)]), xr + 6, row_y(k), Font{kFont}, Align::start,
                Align::center, kMaxLabel);
  });
  return info;
}

}  // namespace attnscope::viz
