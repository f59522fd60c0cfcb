// TraceSource: read-only access to a Trace's attention matrices in the pieces the viewer asks
// for — aggregated tiles at a level of detail, one exact row, per-query top-k edges, thumbnails —
// so that no request ever needs the whole tensor. Dense and top-k layers answer the same calls
// (top-k rows are scattered into zeros); stats-only layers have no matrix and say so. Rows, the
// head mean and the top-k rule are focus/'s (focus/trace_row.h, focus/topk.h).
// Letters: L layers, NH heads, Q queries, N keys, K kept entries per row.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/focus/trace_row.h"
#include "attnscope/io/trace.h"

namespace attnscope::serve {

using focus::kHeadMean;  // head argument: average over the layer's heads

// How a coarse cell summarises the f x f block of weights under it.
enum class Aggregate { max, mean };

// A dense block of aggregated weights.
struct Block {
  int64_t rows = 0, cols = 0;
  int64_t factor = 1;          // each cell covers factor x factor weights
  std::vector<float> values;   // [rows, cols]
};

struct Edges {
  int64_t queries = 0, k = 0;    // rows q0 .. q0 + queries
  std::vector<int32_t> index;    // [queries, k], -1 pads rows with fewer than k nonzero weights
  std::vector<float> weight;     // [queries, k], descending
};

class TraceSource {
 public:
  static constexpr int64_t kTile = 256;  // tile side in cells at every level

  // Validates the trace (io::validate_trace) and takes ownership. Throws ShapeError /
  // FormatError naming the layer and the disagreement, FormatError for a trace without layers.
  explicit TraceSource(io::Trace trace);

  const io::Trace& trace() const { return trace_; }
  int64_t num_layers() const { return static_cast<int64_t>(trace_.layers.size()); }
  const io::TraceLayer& layer(int64_t l) const;
  bool has_matrix(int64_t l) const { return layer(l).keep != io::TraceKeep::stats; }

  // Coarsest level: the level at which the whole matrix fits in one tile.
  int64_t max_level(int64_t l) const;
  // Tile (ty, tx) at `level` (cell = 2^level x 2^level weights). head: index or kHeadMean.
  Block tile(int64_t l, int64_t head, int64_t level, int64_t ty, int64_t tx, Aggregate agg) const;
  // Whole matrix shrunk so that its longer side is at most `size` cells (max aggregate).
  Block thumbnail(int64_t l, int64_t head, int64_t size) const;
  // Exact weights of one query row: [N].
  std::vector<float> row(int64_t l, int64_t head, int64_t q) const;
  // focus::row_topk of rows [q0, q1): the k largest positive weights, descending (ties: lower key).
  Edges top_edges(int64_t l, int64_t head, int64_t q0, int64_t q1, int64_t k) const;

 private:
  // layer(l) after focus::check_head.
  const io::TraceLayer& matrix_layer(int64_t l, int64_t head) const;
  Block aggregate(int64_t l, int64_t head, int64_t r0, int64_t c0, int64_t rows, int64_t cols,
                  int64_t factor, Aggregate agg) const;

  io::Trace trace_;
};

}  // namespace attnscope::serve
