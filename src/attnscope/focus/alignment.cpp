#include "attnscope/focus/alignment.h"

#include <algorithm>

#include "attnscope/focus/topk.h"

namespace attnscope::focus {

AlignmentCount alignment_accuracy(const float* w, int64_t T, int64_t N,
                                  const std::vector<std::vector<int>>& gold) {
  AlignmentCount c;
  for (int64_t t = 0; t < T && t < static_cast<int64_t>(gold.size()); ++t) {
    if (gold[t].empty() || N == 0) continue;
    const int a = row_argmax(w + t * N, N);
    c.correct += std::find(gold[t].begin(), gold[t].end(), a) != gold[t].end();
    ++c.total;
  }
  return c;
}

Links argmax_links(const float* w, int64_t T, int64_t N) {
  Links links;
  if (N == 0) return links;
  for (int64_t t = 0; t < T; ++t)
    if (const int32_t a = row_argmax(w + t * N, N); a >= 0) links.insert({a, static_cast<int>(t)});  // a row with no weight links nothing
  return links;
}

double alignment_error_rate(const Links& a, const Links& sure, const Links& possible) {
  Links p = possible;
  p.insert(sure.begin(), sure.end());
  int64_t as = 0, ap = 0;
  for (const auto& l : a) {
    as += sure.count(l);
    ap += p.count(l);
  }
  const double denom = static_cast<double>(a.size() + sure.size());
  return denom == 0 ? 0.0 : 1.0 - (as + ap) / denom;
}

}  // namespace attnscope::focus
