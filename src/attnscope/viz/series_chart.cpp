#include "attnscope/viz/series_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

#include "attnscope/core/error.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {
namespace {

constexpr double kMargin = 16, kPanelTitle = 20, kAxisLeft = 46, kAxisBottom = 22, kGapX = 24, kGapY = 18;
constexpr double kLegendH = 22;
const Font kSmall{10, false, false}, kPanelFont{11, true, false};

std::string number(double v) {
  char b[32];
  std::snprintf(b, sizeof b, std::fabs(v) >= 100 || v == std::floor(v) ? "%.0f" : "%.2f", v);
  return b;
}

}  // namespace

double SeriesChartLayout::Panel::px(int64_t step) const {
  return x + w * static_cast<double>(step - step_min) / static_cast<double>(std::max<int64_t>(1, step_max - step_min));
}
double SeriesChartLayout::Panel::py(double v) const { return y + h * (1 - (v - v_min) / (v_max - v_min)); }

Rgb series_line_color(const SeriesChartLayout::Panel& panel, size_t line, size_t run) {
  return head_color(static_cast<int64_t>(panel.lines.empty() ? run : line));
}
bool series_line_dashed(size_t run) { return run > 0; }

SeriesChartLayout layout_series_chart(const std::vector<SeriesRun>& runs, const SeriesChartOptions& o) {
  if (runs.empty() || runs.size() > 2) throw ConfigError("a training chart shows one run or compares two");
  for (const auto& r : runs)
    if (!r.series || r.series->empty()) throw ConfigError("'" + r.label + "' holds no focus series points");
  if (o.panel_width < 40 || o.panel_height < 30 || o.columns < 1) throw ConfigError("training chart: panels too small");
  // Panels in measure order (task measures first), each with its lines; value and step ranges
  // over every run.
  std::vector<std::string> order;
  std::map<std::string, SeriesChartLayout::Panel> by_name;
  std::set<std::string> shared;
  for (size_t ri = 0; ri < runs.size(); ++ri) {
    std::set<std::string> mine;
    for (const std::string& m : runs[ri].series->measures()) {
      mine.insert(m);
      const auto [panel, line] = focus::panel_of(m);
      auto [it, fresh] = by_name.try_emplace(panel);
      if (fresh) {
        order.push_back(panel);
        it->second.name = panel;
        it->second.v_min = INFINITY;
        it->second.v_max = -INFINITY;
        it->second.step_min = INT64_MAX;
        it->second.step_max = INT64_MIN;
      }
      if (!line.empty() && std::find(it->second.lines.begin(), it->second.lines.end(), line) == it->second.lines.end())
        it->second.lines.push_back(line);
    }
    if (ri == 0) shared = mine;
    else std::erase_if(shared, [&](const std::string& m) { return !mine.count(m); });
  }
  if (runs.size() == 2 && shared.empty())
    throw ConfigError("'" + runs[0].label + "' and '" + runs[1].label + "' share no focus measure (runs of different tasks?)");
  for (const auto& r : runs)
    for (const auto& p : r.series->points)
      for (const auto& [m, v] : p.values) {
        auto& P = by_name[focus::panel_of(m).first];
        P.step_min = std::min(P.step_min, p.step);
        P.step_max = std::max(P.step_max, p.step);
        if (!std::isfinite(v)) continue;
        P.v_min = std::min(P.v_min, v);
        P.v_max = std::max(P.v_max, v);
      }
  SeriesChartLayout L;
  const int cols = std::min<int>(o.columns, static_cast<int>(order.size()));
  const int rows = (static_cast<int>(order.size()) + cols - 1) / cols;
  const double cell_w = kAxisLeft + o.panel_width + kGapX, cell_h = kPanelTitle + o.panel_height + kAxisBottom + kGapY;
  FigureHeader header{o.title, ""};
  const double top = kMargin + header.height() + 6;
  L.legend_y = top;
  L.width = std::max(header.min_width(kMargin), static_cast<int>(std::ceil(2 * kMargin + cols * cell_w)));
  L.height = static_cast<int>(std::ceil(top + kLegendH + rows * cell_h + kMargin));
  for (size_t i = 0; i < order.size(); ++i) {
    SeriesChartLayout::Panel P = by_name[order[i]];
    const int c = static_cast<int>(i) % cols, r = static_cast<int>(i) / cols;
    P.x = kMargin + c * cell_w + kAxisLeft;
    P.y = top + kLegendH + r * cell_h + kPanelTitle;
    P.w = o.panel_width;
    P.h = o.panel_height;
    if (!std::isfinite(P.v_min)) P.v_min = 0, P.v_max = 1;
    // Shares (task measures in [0, 1]) keep the whole [0, 1] axis: 90% reads as 90% in every panel.
    if (P.lines.empty() && P.v_min >= 0 && P.v_max <= 1) P.v_min = 0, P.v_max = 1;
    else {
      const double pad = P.v_max > P.v_min ? 0.05 * (P.v_max - P.v_min) : 0.5;
      P.v_min -= pad;
      P.v_max += pad;
    }
    if (P.step_max <= P.step_min) P.step_max = P.step_min + 1;
    L.panels.push_back(std::move(P));
  }
  return L;
}

void draw_series_chart(cairo_t* cr, const SeriesChartLayout& L, const std::vector<SeriesRun>& runs,
                       const SeriesChartOptions& o, int64_t up_to) {
  FigureHeader{o.title, ""}.draw(cr, kMargin, kMargin);
  // Legend: one sample per run (solid, dashed).
  double lx = kMargin;
  for (size_t r = 0; r < runs.size(); ++r) {
    set_source(cr, kInk);
    cairo_set_line_width(cr, 2);
    if (series_line_dashed(r)) {
      const double dash[] = {6, 4};
      cairo_set_dash(cr, dash, 2, 0);
    }
    cairo_move_to(cr, lx, L.legend_y + 8);
    cairo_line_to(cr, lx + 28, L.legend_y + 8);
    cairo_stroke(cr);
    cairo_set_dash(cr, nullptr, 0, 0);
    lx += 34 + draw_text(cr, runs[r].label, lx + 34, L.legend_y + 8, kSmall, Align::start, Align::center, 420).w + 24;
  }
  for (const auto& P : L.panels) {
    set_source(cr, kInk);
    draw_text(cr, P.name, P.x, P.y - 4, kPanelFont, Align::start, Align::end, P.w);
    // Frame and ticks: value range on the left, step range below.
    set_source(cr, kFaint);
    cairo_set_line_width(cr, 1);
    cairo_rectangle(cr, P.x - 0.5, P.y - 0.5, P.w + 1, P.h + 1);
    cairo_stroke(cr);
    set_source(cr, kInk);
    for (double v : {P.v_min, 0.5 * (P.v_min + P.v_max), P.v_max})
      draw_text(cr, number(v), P.x - 4, P.py(v), kSmall, Align::end, Align::center);
    draw_text(cr, std::to_string(P.step_min), P.x, P.y + P.h + 4, kSmall, Align::start, Align::start);
    draw_text(cr, std::to_string(P.step_max) + " steps", P.x + P.w, P.y + P.h + 4, kSmall, Align::end, Align::start);
    // Lines, clipped to the plot area.
    cairo_save(cr);
    cairo_rectangle(cr, P.x, P.y, P.w, P.h);
    cairo_clip(cr);
    cairo_set_line_width(cr, 2);
    cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
    const size_t lines = std::max<size_t>(1, P.lines.size());
    for (size_t r = 0; r < runs.size(); ++r)
      for (size_t li = 0; li < lines; ++li) {
        std::string measure;
        for (const auto& p : runs[r].series->points)
          for (const auto& [m, v] : p.values) {
            const auto [panel, line] = focus::panel_of(m);
            if (panel == P.name && (P.lines.empty() || line == P.lines[li])) measure = m;
          }
        if (measure.empty()) continue;
        bool open = false;
        for (const auto& p : runs[r].series->points) {
          if (p.step > up_to) break;  // points are in step order
          const auto it = p.values.find(measure);
          if (it == p.values.end() || !std::isfinite(it->second)) {
            open = false;  // a gap: the next point starts a new segment
            continue;
          }
          if (open) cairo_line_to(cr, P.px(p.step), P.py(it->second));
          else cairo_move_to(cr, P.px(p.step), P.py(it->second));
          open = true;
        }
        set_source(cr, series_line_color(P, li, r));
        if (series_line_dashed(r)) {
          const double dash[] = {6, 4};
          cairo_set_dash(cr, dash, 2, 0);
        }
        cairo_stroke(cr);
        cairo_set_dash(cr, nullptr, 0, 0);
      }
    // The animation's cursor: where training has got to in this frame.
    if (up_to != kWholeSeries && up_to >= P.step_min && up_to <= P.step_max) {
      set_source(cr, kFaint);
      cairo_set_line_width(cr, 1);
      cairo_move_to(cr, std::round(P.px(up_to)) + 0.5, P.y);
      cairo_line_to(cr, std::round(P.px(up_to)) + 0.5, P.y + P.h);
      cairo_stroke(cr);
    }
    cairo_restore(cr);
    // Head names beside head panels' lines (colour key).
    double ky = P.y + 2;
    for (size_t li = 0; li < P.lines.size() && li < 10; ++li) {
      set_source(cr, series_line_color(P, li, 0));
      ky += draw_text(cr, P.lines[li], P.x + P.w - 4, ky, kSmall, Align::end, Align::start).h;
    }
  }
}

void render_series_chart(const std::string& path, const std::vector<SeriesRun>& runs, const SeriesChartOptions& o) {
  const SeriesChartLayout L = layout_series_chart(runs, o);
  write_figure(path, L.width, L.height, [&](cairo_t* cr) { draw_series_chart(cr, L, runs, o); });
}

}  // namespace attnscope::viz
