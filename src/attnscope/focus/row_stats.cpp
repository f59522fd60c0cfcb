#include "attnscope/focus/row_stats.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

#include "attnscope/core/error.h"
#include "attnscope/focus/trace_row.h"

namespace attnscope::focus {

namespace {

// Head h's statistics: the stored ones, or computed from its rows.
RowStats head_stats(const io::TraceLayer& L, int64_t h) {
  const size_t Q = static_cast<size_t>(L.queries), at = static_cast<size_t>(h) * Q;
  RowStats s;
  if (L.keep == io::TraceKeep::stats) {
    auto slice = [&](const auto& v) {
      using V = std::decay_t<decltype(v)>;
      return v.size() >= at + Q ? V(v.begin() + static_cast<std::ptrdiff_t>(at), v.begin() + static_cast<std::ptrdiff_t>(at + Q)) : V{};
    };
    s.entropy = slice(L.entropy);
    s.max_weight = slice(L.max_weight);
    s.argmax = slice(L.argmax);
    return s;
  }
  s.entropy.assign(Q, 0.0f);
  s.max_weight.assign(Q, 0.0f);
  s.argmax.assign(Q, -1);
  std::vector<float> r(static_cast<size_t>(L.keys));  // [N]
  for (int64_t q = 0; q < L.queries; ++q) {
    std::fill(r.begin(), r.end(), 0.0f);
    add_row(L, h, q, 0, L.keys, r);
    double e = 0;
    for (size_t k = 0; k < r.size(); ++k)
      if (r[k] > 0) {
        e -= double(r[k]) * std::log(double(r[k]));
        if (r[k] > s.max_weight[static_cast<size_t>(q)]) {
          s.max_weight[static_cast<size_t>(q)] = r[k];
          s.argmax[static_cast<size_t>(q)] = static_cast<int32_t>(k);
        }
      }
    s.entropy[static_cast<size_t>(q)] = static_cast<float>(e);
  }
  return s;
}

}  // namespace

RowStats row_stats(const io::TraceLayer& L, int64_t head) {
  ATTNSCOPE_CHECK(head == kHeadMean || (head >= 0 && head < L.heads), ConfigError,
                  "head " + std::to_string(head) + " out of range: layer '" + L.name + "' has " +
                      std::to_string(L.heads) + " heads (0.." + std::to_string(L.heads - 1) + " or mean)");
  if (head != kHeadMean) return head_stats(L, head);
  RowStats m;
  std::vector<float> best;  // [Q] the max weight of the head the argmax comes from
  for (int64_t h = 0; h < L.heads; ++h) {
    RowStats s = head_stats(L, h);
    if (h == 0) {
      m = s;
      best = s.max_weight;
      continue;
    }
    for (size_t q = 0; q < m.entropy.size() && q < s.entropy.size(); ++q) m.entropy[q] += s.entropy[q];
    for (size_t q = 0; q < m.max_weight.size() && q < s.max_weight.size(); ++q) {
      if (q < m.argmax.size() && q < s.argmax.size() && s.max_weight[q] > best[q]) {
        best[q] = s.max_weight[q];
        m.argmax[q] = s.argmax[q];
      }
      m.max_weight[q] += s.max_weight[q];
    }
  }
  for (float& e : m.entropy) e /= static_cast<float>(L.heads);
  for (float& w : m.max_weight) w /= static_cast<float>(L.heads);
  return m;
}

}  // namespace attnscope::focus
