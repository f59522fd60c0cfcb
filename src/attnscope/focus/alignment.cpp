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
  AerCounts c;
  c.add(a, sure, possible);
  return c.aer();
}

void AerCounts::add(const Links& a, const Links& s, const Links& possible) {
  predicted += static_cast<int64_t>(a.size());
  sure += static_cast<int64_t>(s.size());
  for (const auto& l : a) {
    const bool in_s = s.count(l) > 0;
    hit_sure += in_s;
    hit_possible += in_s || possible.count(l) > 0;  // P is extended by S
  }
}

AerCounts& AerCounts::operator+=(const AerCounts& o) {
  predicted += o.predicted;
  sure += o.sure;
  hit_sure += o.hit_sure;
  hit_possible += o.hit_possible;
  return *this;
}

double AerCounts::aer() const {
  const double denom = static_cast<double>(predicted + sure);
  return denom == 0 ? 0.0 : 1.0 - static_cast<double>(hit_sure + hit_possible) / denom;
}
double AerCounts::precision() const { return predicted ? static_cast<double>(hit_possible) / predicted : 0.0; }
double AerCounts::recall() const { return sure ? static_cast<double>(hit_sure) / sure : 0.0; }

}  // namespace attnscope::focus
