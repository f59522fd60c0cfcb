#include "attnscope/focus/rank_correlation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "attnscope/core/error.h"

namespace attnscope::focus {

double kendall_tau(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    throw ValueError("kendall_tau: " + std::to_string(a.size()) + " and " + std::to_string(b.size()) + " values");
  const size_t n = a.size();
  double concordant = 0, discordant = 0, ties_a = 0, ties_b = 0;
  for (size_t i = 0; i < n; ++i)
    for (size_t j = i + 1; j < n; ++j) {
      const double da = a[i] - a[j], db = b[i] - b[j];
      if (da == 0) ties_a += 1;
      if (db == 0) ties_b += 1;
      if (da == 0 || db == 0) continue;
      ((da > 0) == (db > 0) ? concordant : discordant) += 1;
    }
  const double n0 = n * (n - 1) / 2.0;
  const double denom = std::sqrt((n0 - ties_a) * (n0 - ties_b));
  if (!(denom > 0)) return std::numeric_limits<double>::quiet_NaN();
  return (concordant - discordant) / denom;
}

namespace {
// Ranks 1..n, ties given their mean rank.
std::vector<double> ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  for (size_t i = 0; i < v.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t x, size_t y) { return v[x] < v[y]; });
  std::vector<double> r(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double mean = 0.5 * static_cast<double>(i + j) + 1.0;
    for (size_t k = i; k <= j; ++k) r[order[k]] = mean;
    i = j + 1;
  }
  return r;
}
}  // namespace

double spearman_rho(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size())
    throw ValueError("spearman_rho: " + std::to_string(a.size()) + " and " + std::to_string(b.size()) + " scores");
  const size_t n = a.size();
  if (n < 2) return std::nan("");
  const std::vector<double> ra = ranks(a), rb = ranks(b);
  const double mean = 0.5 * static_cast<double>(n + 1);
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < n; ++i) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) * (ra[i] - mean);
    sbb += (rb[i] - mean) * (rb[i] - mean);
  }
  if (saa == 0 || sbb == 0) return std::nan("");
  return sab / std::sqrt(saa * sbb);
}

}  // namespace attnscope::focus
