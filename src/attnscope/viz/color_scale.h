// ColorScale: how a weight becomes a position t in [0, 1] on a colour map — the one rule of every
// static picture (heatmaps, grids, model view, overlays, animations) and the viewer's
// (web/util/color.js `normalize`, web/views/matrix.js for the top):
//   t = clamp(w / top, 0, 1) ^ gamma,   gamma 1 (linear) or 0.5 (sqrt);
//   top = the user's value, else the 99th percentile of the nonzero weights shown
//         (sorted ascending, index min(n - 1, floor(0.99 n))), else 1 for an all-zero picture.
// Why not the maximum: a causal row 0 is exactly 1.0 (query 0 sees one key), which would leave
// every other cell in the bottom of the map. Weights above the top take the top colour, and
// the colour bar says "≥ top". Defaults: percentile top, sqrt.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace attnscope::viz {

enum class ScaleCurve { linear, sqrt };

// "linear" or "sqrt"; ConfigError otherwise.
ScaleCurve parse_scale_curve(std::string_view name);
std::string_view scale_curve_name(ScaleCurve c);

// What was asked for: an explicit top (vmax > 0) or the automatic one (vmax == 0), and a curve.
struct ColorScaleSpec {
  float vmax = 0;
  ScaleCurve curve = ScaleCurve::sqrt;
};

// ConfigError for a negative or non-finite vmax.
void check_color_scale(const ColorScaleSpec& spec);

// The viewer's automatic top: the 99th percentile of the values > 0 (0 when there are none).
float percentile_top(std::span<const float> values);

class ColorScale {
 public:
  ColorScale() = default;  // top 1, linear
  ColorScale(float top, ScaleCurve curve);
  // The scale for a picture showing `values`: spec.vmax when given, else percentile_top(values)
  // (1 when that is 0).
  static ColorScale fit(const ColorScaleSpec& spec, std::span<const float> values);

  // Position on the colour map of weight w (double arithmetic, as the JavaScript twin).
  double t(double w) const;
  // The weight at position t (inverse of t() below the top): colour bar ticks.
  double value_at(double t) const;
  float top() const { return top_; }
  ScaleCurve curve() const { return curve_; }

 private:
  float top_ = 1;
  ScaleCurve curve_ = ScaleCurve::linear;
};

}  // namespace attnscope::viz
