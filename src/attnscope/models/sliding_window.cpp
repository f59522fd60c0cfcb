#include "attnscope/models/sliding_window.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"

namespace attnscope::models {

namespace {
// -log softmax(row)[target]
double nll(const float* row, int64_t V, int32_t target) {
  const float mx = *std::max_element(row, row + V);
  double z = 0;
  for (int64_t v = 0; v < V; ++v) z += std::exp(static_cast<double>(row[v] - mx));
  return std::log(z) - static_cast<double>(row[target] - mx);
}
}  // namespace

Perplexity sliding_window_perplexity(Model& model, std::span<const int32_t> ids, int64_t window) {
  const int64_t n = static_cast<int64_t>(ids.size());
  if (n < 2) throw ValueError("perplexity needs at least 2 tokens");
  if (window < 1) throw ValueError("a sliding window needs at least 1 token");
  Perplexity r;
  r.tokens = n;
  const int64_t first = std::min(window, n);
  model.reset();
  const ModelOutput head = model.forward(ids.first(first));
  for (int64_t t = 0; t + 1 < first; ++t) r.nll_sum += nll(head.values.data() + t * head.cols, head.cols, ids[t + 1]);
  for (int64_t t = first; t < n; ++t) {  // predict ids[t] from ids[t - window, t)
    model.reset();
    const ModelOutput out = model.forward(ids.subspan(t - window, window));
    r.nll_sum += nll(out.values.data() + (out.rows - 1) * out.cols, out.cols, ids[t]);
  }
  r.perplexity = std::exp(r.nll_sum / static_cast<double>(n - 1));
  return r;
}

}  // namespace attnscope::models
