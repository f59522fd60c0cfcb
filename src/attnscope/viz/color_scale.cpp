#include "attnscope/viz/color_scale.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "attnscope/core/error.h"

namespace attnscope::viz {

ScaleCurve parse_scale_curve(std::string_view name) {
  if (name == "linear") return ScaleCurve::linear;
  if (name == "sqrt") return ScaleCurve::sqrt;
  throw ConfigError("unknown colour scale '" + std::string(name) + "' (expected linear or sqrt)");
}

std::string_view scale_curve_name(ScaleCurve c) { return c == ScaleCurve::sqrt ? "sqrt" : "linear"; }

void check_color_scale(const ColorScaleSpec& spec) {
  ATTNSCOPE_CHECK(std::isfinite(spec.vmax) && spec.vmax >= 0, ConfigError,
                  "colour scale top must be a finite weight > 0 (0 = automatic), not " + std::to_string(spec.vmax));
}

float percentile_top(std::span<const float> values) {
  std::vector<float> nz;
  for (float v : values)
    if (v > 0) nz.push_back(v);
  if (nz.empty()) return 0;
  // Same index as web/views/matrix.js: Math.min(n - 1, Math.floor(n * 0.99)) over the sorted values.
  const size_t i = std::min(nz.size() - 1, static_cast<size_t>(std::floor(double(nz.size()) * 0.99)));
  std::nth_element(nz.begin(), nz.begin() + static_cast<std::ptrdiff_t>(i), nz.end());
  return nz[i];
}

ColorScale::ColorScale(float top, ScaleCurve curve) : top_(top > 0 ? top : 1), curve_(curve) {}

ColorScale ColorScale::fit(const ColorScaleSpec& spec, std::span<const float> values) {
  check_color_scale(spec);
  return ColorScale(spec.vmax > 0 ? spec.vmax : percentile_top(values), spec.curve);
}

double ColorScale::t(double w) const {
  const double x = std::min(1.0, std::max(0.0, w / double(top_)));
  return curve_ == ScaleCurve::sqrt ? std::pow(x, 0.5) : x;
}

double ColorScale::value_at(double t) const {
  return double(top_) * (curve_ == ScaleCurve::sqrt ? t * t : t);
}

}  // namespace attnscope::viz
