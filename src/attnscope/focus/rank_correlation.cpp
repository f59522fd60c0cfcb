#include "attnscope/focus/rank_correlation.h"

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

}  // namespace attnscope::focus
