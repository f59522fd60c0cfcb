#include "attnscope/io/trace_keep.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "attnscope/core/error.h"

namespace attnscope::io {

namespace {
void require_dense(const TraceLayer& l, const char* op) {
  if (l.keep != TraceKeep::dense || l.weights.size() != static_cast<size_t>(l.heads * l.queries * l.keys))
    throw ShapeError(std::string(op) + ": layer '" + l.name + "' has no dense weights [heads, queries, keys]");
}
}  // namespace

namespace {
// Stats of src's dense rows written into dst (which may be src).
void fill_row_stats(const TraceLayer& src, TraceLayer& l) {
  require_dense(src, "compute_row_stats");
  const int64_t rows = src.heads * src.queries, K = src.keys;
  l.entropy.assign(rows, 0.0f);
  l.max_weight.assign(rows, 0.0f);
  l.argmax.assign(rows, -1);
  for (int64_t r = 0; r < rows; ++r) {
    const float* w = src.weights.data() + r * K;  // (K,)
    double h = 0;
    float best = 0;
    int32_t arg = -1;
    for (int64_t k = 0; k < K; ++k) {
      if (w[k] > 0) h -= static_cast<double>(w[k]) * std::log(static_cast<double>(w[k]));
      if (w[k] > best) best = w[k], arg = static_cast<int32_t>(k);
    }
    l.entropy[r] = static_cast<float>(h);
    l.max_weight[r] = best;
    l.argmax[r] = arg;
  }
}

// Everything but the dense weights (which are what the reductions drop).
TraceLayer without_weights(const TraceLayer& l) {
  TraceLayer out;
  out.name = l.name, out.query_seq = l.query_seq, out.key_seq = l.key_seq, out.mechanism = l.mechanism;
  out.heads = l.heads, out.queries = l.queries, out.keys = l.keys;
  out.lse = l.lse;
  out.extras = l.extras;
  return out;
}
}  // namespace

void compute_row_stats(TraceLayer& l) { fill_row_stats(l, l); }

TraceLayer keep_topk(const TraceLayer& dense, int64_t k) {
  require_dense(dense, "keep_topk");
  if (k < 1) throw ConfigError("top-k needs k >= 1, got " + std::to_string(k));
  TraceLayer out = without_weights(dense);
  fill_row_stats(dense, out);
  const int64_t rows = dense.heads * dense.queries, K = dense.keys;
  k = std::max<int64_t>(1, std::min(k, K));
  out.keep = TraceKeep::topk;
  out.k = k;
  out.topk_index.assign(rows * k, -1);
  out.topk_weight.assign(rows * k, 0.0f);
  std::vector<int32_t> order(K);
  for (int64_t r = 0; r < rows; ++r) {
    const float* w = dense.weights.data() + r * K;  // (K,)
    std::iota(order.begin(), order.end(), 0);
    std::partial_sort(order.begin(), order.begin() + std::min(k, K), order.end(),
                      [w](int32_t a, int32_t b) { return w[a] != w[b] ? w[a] > w[b] : a < b; });
    for (int64_t j = 0; j < std::min(k, K); ++j) {
      out.topk_index[r * k + j] = order[j];
      out.topk_weight[r * k + j] = w[order[j]];
    }
  }
  return out;
}

TraceLayer keep_stats(const TraceLayer& dense) {
  TraceLayer out = without_weights(dense);
  fill_row_stats(dense, out);
  out.keep = TraceKeep::stats;
  return out;
}

TraceLayer keep_as(TraceLayer dense, const std::string& capture) {
  if (capture == "dense") return dense;
  if (capture == "stats") return keep_stats(dense);
  if (capture.rfind("topk:", 0) == 0 && capture.size() > 5 && capture.size() < 15 &&
      capture.find_first_not_of("0123456789", 5) == std::string::npos)
    return keep_topk(dense, std::stoll(capture.substr(5)));
  throw ConfigError("capture: expected dense, stats or topk:K, got '" + capture + "'");
}

}  // namespace attnscope::io
