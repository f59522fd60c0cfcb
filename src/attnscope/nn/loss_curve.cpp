#include "attnscope/nn/loss_curve.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace attnscope::nn {

std::string ascii_loss_plot(const std::vector<float>& values, int width, int height) {
  std::vector<double> v;
  for (float x : values)
    if (std::isfinite(x)) v.push_back(x);
  if (v.empty() || width < 2 || height < 2) return "(no finite values to plot)\n";
  width = std::min<int>(width, static_cast<int>(v.size()));
  // Bucket means, one per column.
  std::vector<double> col(width);
  for (int c = 0; c < width; ++c) {
    const size_t lo = v.size() * c / width, hi = std::max(lo + 1, v.size() * (c + 1) / width);
    double s = 0;
    for (size_t i = lo; i < hi; ++i) s += v[i];
    col[c] = s / static_cast<double>(hi - lo);
  }
  const bool log_scale = *std::min_element(col.begin(), col.end()) > 0;
  auto f = [&](double y) { return log_scale ? std::log10(y) : y; };
  double lo = f(*std::min_element(col.begin(), col.end())), hi = f(*std::max_element(col.begin(), col.end()));
  if (hi - lo < 1e-12) hi = lo + 1;
  std::vector<std::string> grid(height, std::string(width, ' '));
  for (int c = 0; c < width; ++c) {
    const int r = static_cast<int>(std::lround((hi - f(col[c])) / (hi - lo) * (height - 1)));
    grid[std::clamp(r, 0, height - 1)][c] = '*';
  }
  auto label = [&](int r) {
    const double y = hi - (hi - lo) * r / (height - 1);
    char buf[16];
    std::snprintf(buf, sizeof buf, "%9.4g", log_scale ? std::pow(10.0, y) : y);
    return std::string(buf);
  };
  std::string out;
  for (int r = 0; r < height; ++r)
    out += (r == 0 || r == height - 1 || r == height / 2 ? label(r) : std::string(9, ' ')) + " |" +
           grid[r] + "\n";
  out += std::string(10, ' ') + "+" + std::string(width, '-') + "\n";
  const std::string last = std::to_string(values.size());
  out += std::string(10, ' ') + "0" + std::string(std::max<int>(1, width - static_cast<int>(last.size())), ' ') +
         last + (log_scale ? "  (step; log scale)\n" : "  (step)\n");
  return out;
}

}  // namespace attnscope::nn
