// Test traces built in code (tests/viz and tests/focus): causal self-attention with softmax
// rows from seeded random logits, plus helpers to plant a known hottest weight.
#pragma once
#include <cmath>
#include <string>
#include <vector>

#include "attnscope/core/rng.h"
#include "attnscope/io/trace.h"

namespace attnscope::fixture {

inline std::vector<std::string> words(int64_t n) {
  static const char* kWords[] = {"the", "cat", "sat", "on", "a", "mat", "and", "looked", "at", "été",
                                 "猫", "🙂", "Ġwith", "great", "interest", "."};
  std::vector<std::string> out;
  for (int64_t i = 0; i < n; ++i) out.push_back(kWords[i % 16]);
  return out;
}

// Softmax rows over the allowed keys (k <= q when causal); [heads, T, T].
inline io::TraceLayer self_layer(const std::string& name, int64_t heads, int64_t T, uint64_t seed,
                                 bool causal = true, double sharpness = 2.0) {
  io::TraceLayer L;
  L.name = name;
  L.query_seq = L.key_seq = "tokens";
  L.mechanism = "scaled_dot";
  L.heads = heads;
  L.queries = L.keys = T;
  L.weights.assign(static_cast<size_t>(heads * T * T), 0.0f);
  Rng rng(seed);
  for (int64_t h = 0; h < heads; ++h)
    for (int64_t q = 0; q < T; ++q) {
      const int64_t n = causal ? q + 1 : T;
      std::vector<double> e(static_cast<size_t>(n));
      double sum = 0;
      for (auto& x : e) sum += (x = std::exp(sharpness * rng.normal()));
      for (int64_t k = 0; k < n; ++k)
        L.weights[static_cast<size_t>((h * T + q) * T + k)] = static_cast<float>(e[static_cast<size_t>(k)] / sum);
    }
  return L;
}

inline io::Trace self_trace(int64_t T, int64_t layers = 2, int64_t heads = 3, uint64_t seed = 1, bool causal = true,
                            double sharpness = 2.0) {
  io::Trace t;
  t.meta["model"] = "fixture";
  t.sequences.push_back({"tokens", words(T), 0, 0});
  for (int64_t l = 0; l < layers; ++l)
    t.layers.push_back(self_layer("layer" + std::to_string(l), heads, T, seed + 17 * static_cast<uint64_t>(l), causal,
                                  sharpness));
  return t;
}

// Makes weight (h, q, k) the largest of its row by far: the row becomes 0.9 at k and the rest
// spread over the row's other allowed keys.
inline void plant(io::TraceLayer& L, int64_t h, int64_t q, int64_t k, bool causal = true) {
  const int64_t n = causal ? q + 1 : L.keys;
  float* row = L.weights.data() + (h * L.queries + q) * L.keys;
  for (int64_t j = 0; j < L.keys; ++j) row[j] = 0.0f;
  for (int64_t j = 0; j < n; ++j) row[j] = n > 1 ? 0.1f / static_cast<float>(n - 1) : 0.0f;
  row[k] = n > 1 ? 0.9f : 1.0f;
}

// An encoder-decoder cross-attention trace: target [Tt] queries over source [Ts] keys.
inline io::Trace cross_trace(int64_t Ts, int64_t Tt, uint64_t seed = 3) {
  io::Trace t;
  t.sequences.push_back({"source", words(Ts), 0, 0});
  std::vector<std::string> tgt;
  for (int64_t i = 0; i < Tt; ++i) tgt.push_back("w" + std::to_string(i));
  t.sequences.push_back({"target", tgt, 0, 0});
  io::TraceLayer C;
  C.name = "decoder.cross";
  C.query_seq = "target";
  C.key_seq = "source";
  C.heads = 1;
  C.queries = Tt;
  C.keys = Ts;
  Rng rng(seed);
  for (int64_t q = 0; q < Tt; ++q) {
    std::vector<double> e(static_cast<size_t>(Ts));
    double sum = 0;
    for (int64_t k = 0; k < Ts; ++k) {
      const double d = double(k) - double(q) * double(Ts) / double(Tt);  // near-diagonal alignment
      sum += (e[static_cast<size_t>(k)] = std::exp(-d * d + 0.3 * rng.normal()));
    }
    for (int64_t k = 0; k < Ts; ++k) C.weights.push_back(static_cast<float>(e[static_cast<size_t>(k)] / sum));
  }
  t.layers.push_back(C);
  return t;
}

}  // namespace attnscope::fixture
