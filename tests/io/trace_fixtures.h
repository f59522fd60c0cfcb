// Small traces for tests: self-attention over a short sentence, cross-attention, top-k, stats.
#pragma once
#include <cmath>

#include "attnscope/io/trace.h"

namespace attnscope::io::testing {

// Causal softmax-like rows: row q puts weight on keys 0..q, more on the diagonal.
inline std::vector<float> causal_rows(int64_t heads, int64_t n) {
  std::vector<float> w(static_cast<size_t>(heads * n * n), 0.0f);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t q = 0; q < n; ++q) {
      float sum = 0;
      for (int64_t k = 0; k <= q; ++k) sum += std::exp(static_cast<float>(k == q ? 2 + h : 0));
      for (int64_t k = 0; k <= q; ++k) w[(h * n + q) * n + k] = std::exp(static_cast<float>(k == q ? 2 + h : 0)) / sum;
    }
  return w;
}

inline Trace sample_trace() {
  Trace t;
  t.sequences.push_back({"tokens", {"The", "cat", "sat", "on", "the", "mat"}, 0, 0});
  t.sequences.push_back({"source", {"Le", "chat", "dort"}, 0, 0});
  t.meta["model"] = "test";
  TraceLayer self;
  self.name = "decoder.0.self";
  self.query_seq = self.key_seq = "tokens";
  self.mechanism = "scaled_dot";
  self.heads = 2, self.queries = 6, self.keys = 6;
  self.weights = causal_rows(2, 6);
  self.extras["span"] = {{2}, {1.5f, 3.0f}};
  t.layers.push_back(self);

  TraceLayer cross;
  cross.name = "decoder.0.cross";
  cross.query_seq = "tokens";
  cross.key_seq = "source";
  cross.mechanism = "additive";
  cross.heads = 1, cross.queries = 6, cross.keys = 3;
  cross.keep = TraceKeep::topk;
  cross.k = 2;
  for (int q = 0; q < 6; ++q) {
    cross.topk_index.insert(cross.topk_index.end(), {q % 3, q == 5 ? -1 : (q + 1) % 3});
    cross.topk_weight.insert(cross.topk_weight.end(), {0.75f, q == 5 ? 0.0f : 0.25f});
  }
  cross.max_weight.assign(6, 0.75f);
  cross.argmax = {0, 1, 2, 0, 1, 2};
  t.layers.push_back(cross);

  TraceLayer stats;
  stats.name = "encoder.0.self";
  stats.query_seq = stats.key_seq = "source";
  stats.heads = 2, stats.queries = 3, stats.keys = 3;
  stats.keep = TraceKeep::stats;
  stats.lse = {0.1f, 0.2f, -INFINITY, 1, 2, 3};
  stats.entropy = {0.5f, 0.5f, 0, 1, 1, 1};
  t.layers.push_back(stats);
  t.steps = {0, 1, 2, 3, 4, 5};
  return t;
}

}  // namespace attnscope::io::testing
