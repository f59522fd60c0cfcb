#include "attnscope/focus/sink_tokens.h"

#include <algorithm>

#include "attnscope/core/error.h"

namespace attnscope::focus {

std::vector<double> leading_key_mass(const io::Trace& trace, int64_t max_keys, int64_t min_query) {
  std::vector<double> mass(static_cast<size_t>(std::max<int64_t>(max_keys, 0)), 0.0);
  int64_t rows = 0;
  for (const auto& L : trace.layers) {
    if (L.keep != io::TraceKeep::dense || L.query_seq != L.key_seq) continue;
    for (int64_t h = 0; h < L.heads; ++h)
      for (int64_t q = 0; q < L.queries; ++q) {
        if (q < min_query) continue;  // a trace of one forward from position 0: row q is position q
        const float* row = L.weights.data() + (h * L.queries + q) * L.keys;
        for (int64_t j = 0; j < std::min(max_keys, L.keys); ++j) mass[j] += row[j];
        ++rows;
      }
  }
  if (rows == 0) throw ConfigError("sink analysis: no dense self-attention rows at or after query " + std::to_string(min_query));
  for (double& m : mass) m /= static_cast<double>(rows);
  return mass;
}

int64_t sink_count(std::span<const double> mass) {
  // Sinks stand out: the leading run of keys drawing at least twice the median of these keys.
  std::vector<double> sorted(mass.begin(), mass.end());
  std::sort(sorted.begin(), sorted.end());
  const double median = sorted.empty() ? 0 : sorted[(sorted.size() - 1) / 2];  // the lower median
  int64_t s = 0;
  while (s < static_cast<int64_t>(mass.size()) && mass[s] >= 2 * median && mass[s] > 0) ++s;
  return std::max<int64_t>(s, 1);
}

}  // namespace attnscope::focus
