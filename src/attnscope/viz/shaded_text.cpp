#include "attnscope/viz/shaded_text.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/viz/color.h"
#include "attnscope/viz/figure.h"
#include "attnscope/viz/text.h"

namespace attnscope::viz {

Rgb8 attention_shade(double t) {
  t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.0;
  auto mix = [t](double a, double b) { return static_cast<uint8_t>(std::lround(a + (b - a) * t)); };
  return {mix(255, 222), mix(255, 45), mix(255, 38)};
}

void render_shaded_text(const std::vector<std::string>& words, const std::vector<double>& weights,
                        const std::string& title, const std::string& path, const ShadedTextOptions& o) {
  if (words.empty()) throw ValueError("shaded text: no words to draw");
  if (words.size() != weights.size())
    throw ValueError("shaded text: " + std::to_string(words.size()) + " words but " + std::to_string(weights.size()) + " weights");
  double top = 0;
  for (double w : weights) {
    if (!std::isfinite(w) || w < 0) throw ValueError("shaded text: weights must be finite and non-negative");
    top = std::max(top, w);
  }
  image_format_for(path);
  const Font font{o.font_size, false, false}, head{o.font_size, true, false};
  const double pad = 16, gap = o.font_size * 0.35, box_pad = o.font_size * 0.25, line_h = o.font_size * 1.9;
  // Lay out first (wrap by measured widths), then draw at the final height.
  struct Placed {
    double x, y, w;
  };
  std::vector<Placed> placed;
  std::vector<std::string> shown;
  double x = pad, y = pad + line_h * 1.3;
  {
    ScratchContext sc;
    for (const auto& w : words) {
      shown.push_back(display_token(w));
      const double tw = measure_text(sc.get(), shown.back(), font, o.width - 2 * pad).w + 2 * box_pad;
      if (x > pad && x + tw > o.width - pad) {
        x = pad;
        y += line_h;
      }
      placed.push_back({x, y, tw});
      x += tw + gap;
    }
  }
  const int height = static_cast<int>(std::ceil(y + line_h + pad));
  write_figure(path, o.width, height, [&](cairo_t* cr) {
    set_source(cr, kInk);
    draw_text(cr, title, pad, pad, head, Align::start, Align::start, o.width - 2 * pad);
    for (size_t i = 0; i < words.size(); ++i) {
      const Rgb8 bg = attention_shade(top > 0 ? weights[i] / top : 0);
      set_source(cr, to_rgb(bg));
      cairo_rectangle(cr, placed[i].x, placed[i].y - box_pad, placed[i].w, o.font_size + 2 * box_pad);
      cairo_fill(cr);
      set_source(cr, text_on(bg));
      draw_text(cr, shown[i], placed[i].x + box_pad, placed[i].y, font, Align::start, Align::start, o.width - 2 * pad);
    }
  });
}

}  // namespace attnscope::viz
