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

// Readable tokens for screenshots: a sentence, repeated, with the position after a repeat.
inline std::string fixture_token(int64_t i) {
  static const char* words[] = {"The", "quick", "brown", "fox", "jumps", "over", "the", "lazy", "dog", ",",
                                "while", "the", "cat", "watches", "from", "the", "warm", "window", "."};
  const int64_t n = sizeof(words) / sizeof(words[0]);
  return i < n ? words[i] : std::string(words[i % n]) + "#" + std::to_string(i / n);
}

inline io::Trace make_trace(int64_t L, int64_t NH, int64_t T, uint64_t seed = 1) {
  io::Trace t;
  io::TraceSequence s;
  s.name = "tokens";
  for (int64_t i = 0; i < T; ++i) s.tokens.push_back(i < 19 ? fixture_token(i) : "tok" + std::to_string(i));
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

// A causal top-k trace built without the dense matrix (4,096 tokens x 12 x 12 stays ~150 MB):
// each row keeps the first token (a sink), the previous tokens and a head-specific stride.
inline io::Trace make_topk_trace(int64_t L, int64_t NH, int64_t T, int64_t K, uint64_t seed = 1) {
  io::Trace t;
  io::TraceSequence s;
  s.name = "tokens";
  for (int64_t i = 0; i < T; ++i) s.tokens.push_back(fixture_token(i));
  t.sequences.push_back(s);
  Rng rng(seed);
  std::vector<std::pair<float, int32_t>> cand;
  for (int64_t l = 0; l < L; ++l) {
    io::TraceLayer layer;
    layer.name = "layer" + std::to_string(l);
    layer.query_seq = layer.key_seq = "tokens";
    layer.mechanism = "scaled_dot";
    layer.heads = NH;
    layer.queries = layer.keys = T;
    layer.keep = io::TraceKeep::topk;
    layer.k = K;
    layer.topk_index.assign(NH * T * K, -1);   // [NH, T, K]
    layer.topk_weight.assign(NH * T * K, 0.0f);
    for (int64_t h = 0; h < NH; ++h) {
      const int64_t stride = 2 + (h + l) % 7;
      for (int64_t q = 0; q < T; ++q) {
        cand.clear();
        auto add = [&](int64_t k, double w) {
          if (k < 0 || k > q) return;
          for (auto& c : cand)
            if (c.second == k) { c.first += static_cast<float>(w); return; }
          cand.push_back({static_cast<float>(w), static_cast<int32_t>(k)});
        };
        add(0, 2.0 + rng.uniform());
        for (int64_t d = 0; d < K / 2; ++d) add(q - d, std::exp(-0.5 * d) * (1 + rng.uniform()));
        for (int64_t j = 1; static_cast<int64_t>(cand.size()) < K && j * stride <= q; ++j)
          add(q - j * stride, 0.3 * rng.uniform());
        std::sort(cand.begin(), cand.end(), [](auto& a, auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
        double sum = 0;
        for (auto& c : cand) sum += c.first;
        const int64_t base = (h * T + q) * K;
        for (int64_t j = 0; j < K && j < static_cast<int64_t>(cand.size()); ++j) {
          layer.topk_index[base + j] = cand[j].second;
          layer.topk_weight[base + j] = static_cast<float>(cand[j].first / sum);
        }
      }
    }
    t.layers.push_back(std::move(layer));
  }
  t.meta["model"] = "fixture-topk";
  return t;
}

// Encoder-decoder: English source, French target generated step by step, a monotone
// alignment with some spread (cross-attention "decoder.<l>.cross").
inline io::Trace make_cross_trace(int64_t NH = 2, uint64_t seed = 3) {
  const std::vector<std::string> src = {"the", "cat", "sat", "on", "the", "mat", "."};
  const std::vector<std::string> tgt = {"le", "chat", "s'est", "assis", "sur", "le", "tapis", "."};
  const std::vector<int> align = {0, 1, 2, 2, 3, 4, 5, 6};
  io::Trace t;
  t.sequences.push_back({"source", src, 0, 0});
  t.sequences.push_back({"target", tgt, 0, 0});
  Rng rng(seed);
  io::TraceLayer layer;
  layer.name = "decoder.0.cross";
  layer.query_seq = "target";
  layer.key_seq = "source";
  layer.mechanism = "additive";
  layer.heads = NH;
  layer.queries = static_cast<int64_t>(tgt.size());
  layer.keys = static_cast<int64_t>(src.size());
  layer.weights.assign(NH * layer.queries * layer.keys, 0.0f);  // [NH, Q, N]
  for (int64_t h = 0; h < NH; ++h)
    for (int64_t q = 0; q < layer.queries; ++q) {
      float* w = layer.weights.data() + (h * layer.queries + q) * layer.keys;
      double sum = 0;
      for (int64_t k = 0; k < layer.keys; ++k) {
        const double d = static_cast<double>(k - align[q] - h);
        sum += (w[k] = static_cast<float>(std::exp(-d * d) + 0.05 * rng.uniform()));
      }
      for (int64_t k = 0; k < layer.keys; ++k) w[k] = static_cast<float>(w[k] / sum);
    }
  t.layers.push_back(std::move(layer));
  for (int64_t q = 0; q < static_cast<int64_t>(tgt.size()); ++q) t.steps.push_back(q);
  t.meta["model"] = "fixture-seq2seq";
  return t;
}

}  // namespace attnscope::test
