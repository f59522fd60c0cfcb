#include "attnscope/focus/trace_keep.h"

#include <algorithm>
#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/focus/topk.h"

namespace attnscope::focus {

namespace {

void require_dense(const io::TraceLayer& l, const char* op) {
  if (l.keep != io::TraceKeep::dense || l.weights.size() != static_cast<size_t>(l.heads * l.queries * l.keys))
    throw ShapeError(std::string(op) + ": layer '" + l.name + "' has no dense weights [heads, queries, keys]");
}

// Stats of src's dense rows written into dst (which may be src).
void fill_row_stats(const io::TraceLayer& src, io::TraceLayer& l) {
  require_dense(src, "compute_row_stats");
  const int64_t rows = src.heads * src.queries, K = src.keys;
  l.entropy.assign(rows, 0.0f);
  l.max_weight.assign(rows, 0.0f);
  l.argmax.assign(rows, -1);
  for (int64_t r = 0; r < rows; ++r) {
    const float* w = src.weights.data() + r * K;  // (K,)
    double h = 0;
    for (int64_t k = 0; k < K; ++k)
      if (w[k] > 0) h -= static_cast<double>(w[k]) * std::log(static_cast<double>(w[k]));
    l.entropy[r] = static_cast<float>(h);
    l.argmax[r] = row_argmax(w, K);
    l.max_weight[r] = l.argmax[r] < 0 ? 0.0f : w[l.argmax[r]];
  }
}

// Everything but the dense weights (which are what the reductions drop).
io::TraceLayer without_weights(const io::TraceLayer& l) {
  io::TraceLayer out;
  out.name = l.name, out.query_seq = l.query_seq, out.key_seq = l.key_seq, out.mechanism = l.mechanism;
  out.heads = l.heads, out.queries = l.queries, out.keys = l.keys;
  out.lse = l.lse;
  out.extras = l.extras;
  return out;
}

}  // namespace

void compute_row_stats(io::TraceLayer& l) { fill_row_stats(l, l); }

io::TraceLayer keep_topk(const io::TraceLayer& dense, int64_t k) {
  require_dense(dense, "keep_topk");
  if (k < 1) throw ConfigError("top-k needs k >= 1, got " + std::to_string(k));
  io::TraceLayer out = without_weights(dense);
  fill_row_stats(dense, out);
  const int64_t rows = dense.heads * dense.queries, K = dense.keys;
  k = std::max<int64_t>(1, std::min(k, K));
  out.keep = io::TraceKeep::topk;
  out.k = k;
  out.topk_index.assign(rows * k, -1);
  out.topk_weight.assign(rows * k, 0.0f);
  for (int64_t r = 0; r < rows; ++r)
    row_topk(dense.weights.data() + r * K, K, k, out.topk_index.data() + r * k, out.topk_weight.data() + r * k);
  return out;
}

io::TraceLayer keep_stats(const io::TraceLayer& dense) {
  io::TraceLayer out = without_weights(dense);
  fill_row_stats(dense, out);
  out.keep = io::TraceKeep::stats;
  return out;
}

io::TraceLayer keep_as(io::TraceLayer dense, io::TraceKeep mode, int64_t k) {
  switch (mode) {
    case io::TraceKeep::dense: return dense;
    case io::TraceKeep::stats: return keep_stats(dense);
    case io::TraceKeep::topk: return keep_topk(dense, k);
  }
  return dense;
}

void keep_as(io::Trace& trace, io::TraceKeep mode, int64_t k) {
  if (mode == io::TraceKeep::topk && k < 1) throw ConfigError("top-k needs k >= 1, got " + std::to_string(k));
  for (auto& l : trace.layers)
    if (l.keep == io::TraceKeep::dense) l = keep_as(std::move(l), mode, k);
  for (auto& s : trace.snapshots)
    for (auto& l : s.layers)
      if (l.keep == io::TraceKeep::dense) l = keep_as(std::move(l), mode, k);
}

std::string clamp_topk(io::Trace& trace) {
  int64_t asked = 0, kept = 0;
  std::vector<io::TraceLayer*> layers;
  for (auto& L : trace.layers) layers.push_back(&L);
  for (auto& s : trace.snapshots)
    for (auto& L : s.layers) layers.push_back(&L);
  for (io::TraceLayer* layer : layers) {
    io::TraceLayer& L = *layer;
    if (L.keep != io::TraceKeep::topk || L.k <= L.keys || L.keys <= 0) continue;
    const int64_t rows = L.heads * L.queries, k = L.k, kk = L.keys;
    if (static_cast<int64_t>(L.topk_index.size()) != rows * k || static_cast<int64_t>(L.topk_weight.size()) != rows * k)
      continue;  // malformed: validation names it
    std::vector<int32_t> index(rows * kk);
    std::vector<float> weight(rows * kk);
    for (int64_t r = 0; r < rows; ++r) {
      std::copy_n(L.topk_index.data() + r * k, kk, index.data() + r * kk);
      std::copy_n(L.topk_weight.data() + r * k, kk, weight.data() + r * kk);
    }
    L.topk_index = std::move(index);
    L.topk_weight = std::move(weight);
    asked = std::max(asked, k);
    kept = std::max(kept, kk);
    L.k = kk;
  }
  if (!asked) return "";
  return "topk:" + std::to_string(asked) + " asks for more weights per row than there are keys; kept " +
         std::to_string(kept) + " (every key) per row";
}

}  // namespace attnscope::focus
