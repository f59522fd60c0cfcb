// Small traces built in code for the serve tests: self-attention with softmax rows over all keys
// and a planted hot cell per head, so tests can say where the largest weight must be.
#pragma once
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "attnscope/core/rng.h"
#include "attnscope/io/trace.h"

namespace attnscope::test {

// Hot cell of (layer l, head h): query T-1 attends to key (l + 2*h) % T with most of its mass.
inline int64_t hot_key(int64_t l, int64_t h, int64_t T) { return (l + 2 * h) % T; }

inline io::Trace make_trace(int64_t L, int64_t NH, int64_t T, uint64_t seed = 1) {
  io::Trace t;
  io::TraceSequence s;
  s.name = "tokens";
  for (int64_t i = 0; i < T; ++i) s.tokens.push_back("tok" + std::to_string(i));
  t.sequences.push_back(s);
  Rng rng(seed);
  for (int64_t l = 0; l < L; ++l) {
    io::TraceLayer layer;
    layer.name = "layer" + std::to_string(l);
    layer.query_seq = layer.key_seq = "tokens";
    layer.mechanism = "scaled_dot";
    layer.heads = NH;
    layer.queries = layer.keys = T;
    layer.weights.assign(NH * T * T, 0.0f);  // [NH, T, T]
    for (int64_t h = 0; h < NH; ++h)
      for (int64_t q = 0; q < T; ++q) {
        float* w = layer.weights.data() + (h * T + q) * T;
        double sum = 0;
        for (int64_t k = 0; k < T; ++k) sum += (w[k] = static_cast<float>(std::exp(rng.normal())));
        if (q == T - 1) {
          w[hot_key(l, h, T)] += static_cast<float>(50 * sum);
          sum *= 51;
        }
        for (int64_t k = 0; k < T; ++k) w[k] = static_cast<float>(w[k] / sum);
      }
    t.layers.push_back(std::move(layer));
  }
  t.meta["model"] = "fixture";
  return t;
}

// The same weights kept as top-k (k per row) instead of dense.
inline io::Trace to_topk(io::Trace t, int64_t k) {
  for (auto& L : t.layers) {
    const int64_t rows = L.heads * L.queries;
    L.keep = io::TraceKeep::topk;
    L.k = k;
    L.topk_index.assign(rows * k, -1);
    L.topk_weight.assign(rows * k, 0.0f);
    for (int64_t r = 0; r < rows; ++r) {
      std::vector<std::pair<float, int32_t>> v;
      for (int64_t c = 0; c < L.keys; ++c)
        if (L.weights[r * L.keys + c] > 0) v.push_back({-L.weights[r * L.keys + c], static_cast<int32_t>(c)});
      std::sort(v.begin(), v.end());
      for (int64_t j = 0; j < k && j < static_cast<int64_t>(v.size()); ++j) {
        L.topk_index[r * k + j] = v[j].second;
        L.topk_weight[r * k + j] = -v[j].first;
      }
    }
    L.weights.clear();
  }
  return t;
}

}  // namespace attnscope::test
