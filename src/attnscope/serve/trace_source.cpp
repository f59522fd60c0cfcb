// TraceSource: validation at entry, then block aggregation over rows produced one at a time by
// focus::add_row, so dense and top-k layers share one code path and memory stays O(tile).
#include "attnscope/serve/trace_source.h"

#include <algorithm>

#include "attnscope/core/error.h"
#include "attnscope/focus/topk.h"
#include "attnscope/io/trace_io.h"

namespace attnscope::serve {
namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

}  // namespace

TraceSource::TraceSource(io::Trace trace) : trace_(std::move(trace)) {
  ATTNSCOPE_CHECK(!trace_.layers.empty(), FormatError, "trace has no attention layers");
  io::validate_trace(trace_);
}

const io::TraceLayer& TraceSource::layer(int64_t l) const {
  ATTNSCOPE_CHECK(l >= 0 && l < num_layers(), ConfigError,
                  "layer " + std::to_string(l) + " out of range [0, " + std::to_string(num_layers()) + ")");
  return trace_.layers[l];
}

const io::TraceLayer& TraceSource::matrix_layer(int64_t l, int64_t head) const {
  const auto& L = layer(l);
  focus::check_head(L, head);
  return L;
}

int64_t TraceSource::max_level(int64_t l) const {
  const auto& L = layer(l);
  int64_t level = 0;
  while (ceil_div(std::max(L.queries, L.keys), int64_t{1} << level) > kTile) ++level;
  return level;
}

Block TraceSource::aggregate(int64_t l, int64_t head, int64_t r0, int64_t c0, int64_t rows,
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
      focus::add_row(L, head, q, k0, k1, line);
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

Block TraceSource::tile(int64_t l, int64_t head, int64_t level, int64_t ty, int64_t tx,
                        Aggregate agg) const {
  const auto& L = matrix_layer(l, head);
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

Block TraceSource::thumbnail(int64_t l, int64_t head, int64_t size) const {
  const auto& L = matrix_layer(l, head);
  ATTNSCOPE_CHECK(size >= 1, ConfigError, "thumbnail size must be >= 1");
  const int64_t f = ceil_div(std::max(L.queries, L.keys), size);
  return aggregate(l, head, 0, 0, ceil_div(L.queries, f), ceil_div(L.keys, f), f, Aggregate::max);
}

std::vector<float> TraceSource::row(int64_t l, int64_t head, int64_t q) const {
  return focus::row(layer(l), head, q);
}

Edges TraceSource::top_edges(int64_t l, int64_t head, int64_t q0, int64_t q1, int64_t k) const {
  const auto& L = matrix_layer(l, head);
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
  std::vector<float> line(static_cast<size_t>(L.keys));  // [N]
  for (int64_t q = q0; q < q1; ++q) {
    std::fill(line.begin(), line.end(), 0.0f);
    focus::add_row(L, head, q, 0, L.keys, line);
    focus::row_topk(line.data(), L.keys, k, e.index.data() + (q - q0) * k, e.weight.data() + (q - q0) * k);
  }
  return e;
}

}  // namespace attnscope::serve
