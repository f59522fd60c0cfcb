#include "attnscope/viz/render_view.h"

#include <vector>

#include "attnscope/core/error.h"
#include "attnscope/focus/selection.h"
#include "attnscope/viz/colormap.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/head_view.h"
#include "attnscope/viz/heatmap.h"
#include "attnscope/viz/image_overlay.h"
#include "attnscope/viz/model_view.h"
#include "attnscope/viz/stats_view.h"

namespace attnscope::viz {

void render_view(const io::Trace& trace, const RenderRequest& r, const std::string& path) {
  image_format_for(path);  // a bad extension or name fails before any drawing
  (void)colormap(r.colormap);
  check_color_scale(r.scale);
  if (r.view != "heatmap" && r.view != "head" && r.view != "model" && r.view != "overlay" && r.view != "stats")
    throw ConfigError("unknown view '" + r.view + "': use heatmap, head, model, overlay or stats");
  // The model view draws every layer and head: a choice of either would be ignored.
  ATTNSCOPE_CHECK(r.view != "model" || (r.layer.empty() && r.head.empty()), ConfigError,
                  "the model view draws every layer and head: a layer or head choice does not apply to it");
  const int64_t layer = focus::resolve_layer(trace, r.layer);
  const io::TraceLayer& L = trace.layers[static_cast<size_t>(layer)];
  const bool all_heads = r.head == "all";
  const int64_t head = all_heads ? 0 : focus::resolve_head(L, r.head);
  // A layer without weights is drawn by its statistics: its heatmap is the statistics picture.
  if (r.view == "stats" || (r.view == "heatmap" && L.keep == io::TraceKeep::stats)) {
    std::vector<int64_t> heads;
    if (all_heads)
      for (int64_t h = 0; h < L.heads; ++h) heads.push_back(h);
    else
      heads.push_back(head);
    StatsViewOptions o;
    o.colormap = r.colormap;
    if (r.size) o.budget = r.size;
    render_stats_view(trace, layer, heads, path, o);
  } else if (r.view == "heatmap") {
    if (all_heads) {
      ModelViewOptions o;
      o.colormap = r.colormap;
      o.scale = r.scale;
      if (r.size) o.thumb = r.size;
      render_head_grid(trace, layer, path, o);
    } else {
      HeatmapOptions o;
      o.colormap = r.colormap;
      o.scale = r.scale;
      if (r.size) o.budget = r.size;
      render_heatmap(trace, layer, head, path, o);
    }
  } else if (r.view == "head") {
    HeadViewOptions o;
    o.threshold = r.threshold;
    std::vector<int64_t> heads;  // empty = all
    if (!all_heads && !r.head.empty()) heads.push_back(head);
    render_head_view(trace, layer, heads, path, o);
  } else if (r.view == "model") {
    ModelViewOptions o;
    o.colormap = r.colormap;
    o.scale = r.scale;
    if (r.size) o.thumb = r.size;
    render_model_view(trace, path, o);
  } else {
    ATTNSCOPE_CHECK(!all_heads, ConfigError, "the overlay view takes one head or mean, not all");
    OverlayOptions o;
    o.colormap = r.colormap;
    o.scale = r.scale;
    if (r.size) o.panel = r.size;
    o.base_dir = r.base_dir;
    render_overlay(trace, layer, head, path, o);
  }
}

}  // namespace attnscope::viz
