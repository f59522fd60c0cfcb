// TraceSource: validation at entry, then block aggregation over rows produced one at a time,
// so dense and top-k layers share one code path and memory stays O(tile).
#include "attnscope/serve/trace_source.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "attnscope/core/error.h"

namespace attnscope::serve {
namespace {

std::string where(const io::TraceLayer& L, int64_t l) {
  return "layer " + std::to_string(l) + " ('" + L.name + "')";
}

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

TraceSource::TraceSource(io::Trace trace) : trace_(std::move(trace)) {
  ATTNSCOPE_CHECK(!trace_.layers.empty(), FormatError, "trace has no attention layers");
  for (int64_t l = 0; l < num_layers(); ++l) {
    const auto& L = trace_.layers[l];
    const auto* qs = trace_.find_sequence(L.query_seq);
    const auto* ks = trace_.find_sequence(L.key_seq);
    ATTNSCOPE_CHECK(qs, FormatError, where(L, l) + ": unknown query sequence '" + L.query_seq + "'");
    ATTNSCOPE_CHECK(ks, FormatError, where(L, l) + ": unknown key sequence '" + L.key_seq + "'");
    ATTNSCOPE_CHECK(L.heads >= 1 && L.queries >= 1 && L.keys >= 1, ShapeError,
                    where(L, l) + ": heads, queries and keys must be >= 1");
    ATTNSCOPE_CHECK(L.queries == static_cast<int64_t>(qs->tokens.size()), ShapeError,
                    where(L, l) + ": " + std::to_string(L.queries) + " queries but sequence '" +
                        qs->name + "' has " + std::to_string(qs->tokens.size()) + " tokens");
    ATTNSCOPE_CHECK(L.keys == static_cast<int64_t>(ks->tokens.size()), ShapeError,
                    where(L, l) + ": " + std::to_string(L.keys) + " keys but sequence '" + ks->name +
                        "' has " + std::to_string(ks->tokens.size()) + " tokens");
    const int64_t rows = L.heads * L.queries;
    if (L.keep == io::TraceKeep::dense) {
      ATTNSCOPE_CHECK(static_cast<int64_t>(L.weights.size()) == rows * L.keys, ShapeError,
                      where(L, l) + ": dense weights hold " + std::to_string(L.weights.size()) +
                          " values, expected heads*queries*keys = " + std::to_string(rows * L.keys));
      for (float w : L.weights)
        ATTNSCOPE_CHECK(std::isfinite(w), ValueError, where(L, l) + ": non-finite attention weight");
    } else if (L.keep == io::TraceKeep::topk) {
      ATTNSCOPE_CHECK(L.k >= 1, ShapeError, where(L, l) + ": top-k layer with k < 1");
      ATTNSCOPE_CHECK(static_cast<int64_t>(L.topk_index.size()) == rows * L.k &&
                          static_cast<int64_t>(L.topk_weight.size()) == rows * L.k,
                      ShapeError, where(L, l) + ": top-k buffers must hold heads*queries*k = " +
                                      std::to_string(rows * L.k) + " entries");
      for (int32_t i : L.topk_index)
        ATTNSCOPE_CHECK(i >= -1 && i < L.keys, ShapeError,
                        where(L, l) + ": top-k key index " + std::to_string(i) + " outside [-1, " +
                            std::to_string(L.keys) + ")");
      for (float w : L.topk_weight)
        ATTNSCOPE_CHECK(std::isfinite(w), ValueError, where(L, l) + ": non-finite attention weight");
    }
  }
}

const io::TraceLayer& TraceSource::layer(int64_t l) const {
  ATTNSCOPE_CHECK(l >= 0 && l < num_layers(), ConfigError,
                  "layer " + std::to_string(l) + " out of range [0, " + std::to_string(num_layers()) + ")");
  return trace_.layers[l];
}

void TraceSource::check_head(int64_t l, int head) const {
  const auto& L = layer(l);
  ATTNSCOPE_CHECK(L.keep != io::TraceKeep::stats, ConfigError,
                  where(L, l) + " keeps only row statistics, no attention matrix");
  ATTNSCOPE_CHECK(head == kHeadMean || (head >= 0 && head < L.heads), ConfigError,
                  "head " + std::to_string(head) + " out of range [0, " + std::to_string(L.heads) +
                      ") for " + where(L, l));
}

int64_t TraceSource::max_level(int64_t l) const {
  const auto& L = layer(l);
  int64_t level = 0;
  while (ceil_div(std::max(L.queries, L.keys), int64_t{1} << level) > kTile) ++level;
  return level;
}

void TraceSource::row_into(const io::TraceLayer& L, int head, int64_t q, int64_t c0, int64_t c1,
                           std::span<float> out) const {
  const int h0 = head == kHeadMean ? 0 : head;
  const int h1 = head == kHeadMean ? static_cast<int>(L.heads) : head + 1;
  const float scale = head == kHeadMean ? 1.0f / static_cast<float>(L.heads) : 1.0f;
  for (int h = h0; h < h1; ++h) {
    const int64_t r = static_cast<int64_t>(h) * L.queries + q;
    if (L.keep == io::TraceKeep::dense) {
      const float* w = L.weights.data() + r * L.keys;  // [N] row of weights [NH, Q, N]
      for (int64_t c = c0; c < c1; ++c) out[c - c0] += scale * w[c];
    } else {
      const int32_t* idx = L.topk_index.data() + r * L.k;  // [K] of topk_index [NH, Q, K]
      const float* w = L.topk_weight.data() + r * L.k;
      for (int64_t j = 0; j < L.k; ++j)
        if (idx[j] >= c0 && idx[j] < c1) out[idx[j] - c0] += scale * w[j];
    }
  }
}

Block TraceSource::aggregate(int64_t l, int head, int64_t r0, int64_t c0, int64_t rows,
                             int64_t cols, int64_t factor, Aggregate agg) const {
  const auto& L = layer(l);
  Block b;
  b.rows = rows;
  b.cols = cols;
  b.factor = factor;
  b.values.assign(rows * cols, 0.0f);  // [rows, cols]
  const int64_t k0 = c0 * factor, k1 = std::min(L.keys, (c0 + cols) * factor);
  std::vector<float> line(k1 - k0);  // [k1 - k0] one query row over the tile's keys
  // One head of a top-k layer: scatter its K entries straight into the cells, O(rows * K)
  // instead of O(rows * keys) (a 4,096-token thumbnail: 65 K operations, not 16 M). Weights are
  // nonnegative, so unlisted keys (zeros) never change a max.
  const bool sparse = L.keep == io::TraceKeep::topk && head != kHeadMean;
  for (int64_t i = 0; i < rows; ++i) {
    float* out = b.values.data() + i * cols;
    const int64_t q0 = (r0 + i) * factor, q1 = std::min(L.queries, q0 + factor);
    for (int64_t q = q0; q < q1 && sparse; ++q) {
      const int64_t r = static_cast<int64_t>(head) * L.queries + q;
      const int32_t* idx = L.topk_index.data() + r * L.k;  // [K] of topk_index [NH, Q, K]
      const float* w = L.topk_weight.data() + r * L.k;
      for (int64_t j = 0; j < L.k; ++j) {
        if (idx[j] < k0 || idx[j] >= k1) continue;
        float& cell = out[(idx[j] - k0) / factor];
        cell = agg == Aggregate::max ? std::max(cell, w[j]) : cell + w[j];
      }
    }
    for (int64_t q = q0; q < q1 && !sparse; ++q) {
      std::fill(line.begin(), line.end(), 0.0f);
      row_into(L, head, q, k0, k1, line);
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t a = j * factor, e = std::min<int64_t>(a + factor, k1 - k0);
        float acc = out[j];
        if (agg == Aggregate::max)
          for (int64_t c = a; c < e; ++c) acc = std::max(acc, line[c]);
        else
          for (int64_t c = a; c < e; ++c) acc += line[c];
        out[j] = acc;
      }
    }
    if (agg == Aggregate::mean) {
      // Mean over the weights actually under the cell (edge cells cover fewer).
      for (int64_t j = 0; j < cols; ++j) {
        const int64_t nk = std::min(factor, (k1 - k0) - j * factor);
        out[j] /= static_cast<float>((q1 - q0) * nk);
      }
    }
  }
  return b;
}

Block TraceSource::tile(int64_t l, int head, int64_t level, int64_t ty, int64_t tx,
                        Aggregate agg) const {
  check_head(l, head);
  const auto& L = layer(l);
  ATTNSCOPE_CHECK(level >= 0 && level <= max_level(l), ConfigError,
                  "level " + std::to_string(level) + " out of range [0, " +
                      std::to_string(max_level(l)) + "]");
  const int64_t f = int64_t{1} << level;
  const int64_t R = ceil_div(L.queries, f), C = ceil_div(L.keys, f);  // level size in cells
  ATTNSCOPE_CHECK(ty >= 0 && tx >= 0 && ty * kTile < R && tx * kTile < C, ConfigError,
                  "tile (" + std::to_string(ty) + ", " + std::to_string(tx) +
                      ") outside the matrix at level " + std::to_string(level));
  const int64_t r0 = ty * kTile, c0 = tx * kTile;
  return aggregate(l, head, r0, c0, std::min(kTile, R - r0), std::min(kTile, C - c0), f, agg);
}

Block TraceSource::thumbnail(int64_t l, int head, int64_t size) const {
  check_head(l, head);
  ATTNSCOPE_CHECK(size >= 1, ConfigError, "thumbnail size must be >= 1");
  const auto& L = layer(l);
  const int64_t f = ceil_div(std::max(L.queries, L.keys), size);
  return aggregate(l, head, 0, 0, ceil_div(L.queries, f), ceil_div(L.keys, f), f, Aggregate::max);
}

std::vector<float> TraceSource::row(int64_t l, int head, int64_t q) const {
  check_head(l, head);
  const auto& L = layer(l);
  ATTNSCOPE_CHECK(q >= 0 && q < L.queries, ConfigError,
                  "query " + std::to_string(q) + " out of range [0, " + std::to_string(L.queries) + ")");
  std::vector<float> out(L.keys, 0.0f);  // [N]
  row_into(L, head, q, 0, L.keys, out);
  return out;
}

Edges TraceSource::top_edges(int64_t l, int head, int64_t q0, int64_t q1, int64_t k) const {
  check_head(l, head);
  const auto& L = layer(l);
  ATTNSCOPE_CHECK(0 <= q0 && q0 < q1 && q1 <= L.queries, ConfigError,
                  "query range [" + std::to_string(q0) + ", " + std::to_string(q1) +
                      ") not inside [0, " + std::to_string(L.queries) + ")");
  ATTNSCOPE_CHECK(k >= 1, ConfigError, "k must be >= 1");
  k = std::min(k, L.keys);
  Edges e;
  e.queries = q1 - q0;
  e.k = k;
  e.index.assign(e.queries * k, -1);
  e.weight.assign(e.queries * k, 0.0f);
  std::vector<float> line(L.keys);    // [N]
  std::vector<int32_t> order(L.keys);  // [N] key indices, partially sorted
  for (int64_t q = q0; q < q1; ++q) {
    std::fill(line.begin(), line.end(), 0.0f);
    row_into(L, head, q, 0, L.keys, line);
    std::iota(order.begin(), order.end(), 0);
    auto by_weight = [&](int32_t a, int32_t b) { return line[a] > line[b] || (line[a] == line[b] && a < b); };
    std::partial_sort(order.begin(), order.begin() + k, order.end(), by_weight);
    for (int64_t j = 0; j < k; ++j) {
      if (line[order[j]] <= 0.0f) break;  // zero weights are not edges
      e.index[(q - q0) * k + j] = order[j];
      e.weight[(q - q0) * k + j] = line[order[j]];
    }
  }
  return e;
}

}  // namespace attnscope::serve
