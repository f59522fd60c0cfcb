// Capture of attention rows: per-row statistics and top-k at add() time (rows are hot in cache
// then), dense rows copied; assembled into [heads, queries, keys] trace layers at the end.
#include "attnscope/models/attention_capture.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"

namespace attnscope::models {

CaptureSpec CaptureSpec::parse(const std::string& text) {
  CaptureSpec s;
  if (text == "dense") return s;
  if (text == "stats") {
    s.mode = io::TraceKeep::stats;
    return s;
  }
  if (text.rfind("topk:", 0) == 0 && text.size() > 5 && text.size() < 15 &&
      text.find_first_not_of("0123456789", 5) == std::string::npos) {
    s.mode = io::TraceKeep::topk;
    s.k = std::stoll(text.substr(5));
    if (s.k > 0) return s;
  }
  throw ConfigError("--capture: expected dense, stats or topk:K (K > 0), got '" + text + "'");
}

void AttentionCapture::add(int64_t layer, const std::string& name, int64_t NH, int64_t T, int64_t N, int64_t q0,
                           const float* probs, const float* lse) {
  Site& site = sites_[layer];
  if (site.blocks.empty()) {
    site.name = name;
    site.NH = NH;
  } else if (site.NH != NH || site.name != name) {
    throw ShapeError("attention capture: site " + std::to_string(layer) + " changed from '" + site.name + "' with " +
                     std::to_string(site.NH) + " heads to '" + name + "' with " + std::to_string(NH));
  }
  Block b{q0, T, N, {}, {}, {}, {}, {}, {}, {}};
  const int64_t rows = NH * T, k = spec_.k;
  b.lse.assign(lse, lse + rows);
  b.entropy.resize(rows);
  b.max_weight.resize(rows);
  b.argmax.resize(rows);
  if (spec_.mode == io::TraceKeep::dense) b.dense.assign(probs, probs + rows * N);
  if (spec_.mode == io::TraceKeep::topk) {
    b.topk_index.assign(rows * k, -1);
    b.topk_weight.assign(rows * k, 0.0f);
  }
  parallel_for(0, rows, 16, [&](int64_t lo, int64_t hi) {
    std::vector<int32_t> order;
    for (int64_t r = lo; r < hi; ++r) {
      const float* p = probs + r * N;
      float ent = 0.0f, mx = 0.0f;
      int32_t arg = -1;
      for (int64_t j = 0; j < N; ++j) {
        if (p[j] > 0.0f) ent -= p[j] * std::log(p[j]);
        if (p[j] > mx) {
          mx = p[j];
          arg = static_cast<int32_t>(j);
        }
      }
      b.entropy[r] = ent;
      b.max_weight[r] = mx;
      b.argmax[r] = arg;
      if (spec_.mode == io::TraceKeep::topk) {
        // Positive weights only, descending, ties to the lower key.
        order.clear();
        for (int64_t j = 0; j < N; ++j)
          if (p[j] > 0.0f) order.push_back(static_cast<int32_t>(j));
        const int64_t kk = std::min<int64_t>(k, static_cast<int64_t>(order.size()));
        std::partial_sort(order.begin(), order.begin() + kk, order.end(),
                          [&](int32_t a, int32_t c) { return p[a] > p[c] || (p[a] == p[c] && a < c); });
        for (int64_t s = 0; s < kk; ++s) {
          b.topk_index[r * k + s] = order[s];
          b.topk_weight[r * k + s] = p[order[s]];
        }
      }
    }
  });
  site.blocks.push_back(std::move(b));
}

io::Trace AttentionCapture::to_trace(const std::vector<std::string>& tokens,
                                     const std::map<std::string, std::string>& meta) const {
  io::Trace trace;
  trace.meta = meta;
  trace.meta["capture"] = spec_.mode == io::TraceKeep::dense ? "dense"
                          : spec_.mode == io::TraceKeep::stats ? "stats"
                                                               : "topk:" + std::to_string(spec_.k);
  io::TraceSequence seq;
  seq.name = "tokens";
  seq.tokens = tokens;
  trace.sequences.push_back(seq);
  const int64_t L = static_cast<int64_t>(tokens.size());
  for (const auto& [index, site] : sites_) {
    io::TraceLayer tl;
    tl.name = site.name;
    tl.query_seq = tl.key_seq = "tokens";
    tl.mechanism = "scaled_dot";
    tl.heads = site.NH;
    tl.keep = spec_.mode;
    int64_t Q = 0, K = 0;
    for (const auto& b : site.blocks) {
      Q = std::max(Q, b.q0 + b.T);
      K = std::max(K, b.N);
    }
    if (Q > L || K > L)
      throw ShapeError("attention capture: site '" + site.name + "' covers " + std::to_string(std::max(Q, K)) +
                       " positions but the trace has " + std::to_string(L) + " tokens");
    tl.queries = Q;
    tl.keys = K;
    const int64_t H = site.NH, k = spec_.k;
    tl.lse.assign(H * Q, -INFINITY);
    tl.entropy.assign(H * Q, 0.0f);
    tl.max_weight.assign(H * Q, 0.0f);
    tl.argmax.assign(H * Q, -1);
    if (spec_.mode == io::TraceKeep::dense) tl.weights.assign(H * Q * K, 0.0f);
    if (spec_.mode == io::TraceKeep::topk) {
      tl.k = k;
      tl.topk_index.assign(H * Q * k, -1);
      tl.topk_weight.assign(H * Q * k, 0.0f);
    }
    for (const auto& b : site.blocks) {
      for (int64_t h = 0; h < H; ++h) {
        for (int64_t t = 0; t < b.T; ++t) {
          const int64_t src = h * b.T + t, dst = h * Q + b.q0 + t;
          tl.lse[dst] = b.lse[src];
          tl.entropy[dst] = b.entropy[src];
          tl.max_weight[dst] = b.max_weight[src];
          tl.argmax[dst] = b.argmax[src];
          if (!b.dense.empty()) std::copy_n(&b.dense[src * b.N], b.N, &tl.weights[dst * K]);
          if (!b.topk_index.empty()) {
            std::copy_n(&b.topk_index[src * k], k, &tl.topk_index[dst * k]);
            std::copy_n(&b.topk_weight[src * k], k, &tl.topk_weight[dst * k]);
          }
        }
      }
    }
    trace.layers.push_back(std::move(tl));
  }
  return trace;
}

}  // namespace attnscope::models
