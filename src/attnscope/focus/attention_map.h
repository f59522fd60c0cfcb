// AttentionMap: the dense [queries, keys] weights of one head (or of the head average) of one
// trace layer — the 2-D picture every view and most metrics start from. Dense and top-k layers
// both expand to it (top-k: the missing weights are 0); stats-only layers have no map.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/io/trace.h"

namespace attnscope::focus {

struct AttentionMap {
  int64_t rows = 0, cols = 0;  // rows = queries (Q), cols = keys (N)
  std::vector<float> w;        // [Q, N] row-major
  float at(int64_t r, int64_t c) const { return w[static_cast<size_t>(r * cols + c)]; }
  float& at(int64_t r, int64_t c) { return w[static_cast<size_t>(r * cols + c)]; }
};

// Head choice: an index, or kHeadMean for the average over heads.
inline constexpr int64_t kHeadMean = -1;

// Checks that a layer is consistent in itself and with the trace's token sequences: buffer sizes
// match [heads, queries, keys] (or [heads, queries, k]), queries/keys match the token counts of
// query_seq/key_seq, weights are finite, top-k indices are in range. Throws ShapeError or
// ValueError naming the layer and what disagrees. Every view calls it before drawing.
void check_layer(const io::Trace& trace, const io::TraceLayer& layer);

// The [Q, N] weights of head h of a dense or top-k layer. Throws ValueError for stats-only
// layers and ConfigError for a head out of range.
AttentionMap head_map(const io::TraceLayer& layer, int64_t head);

// head_map(layer, head), or head_average(layer) when head == kHeadMean.
AttentionMap select_map(const io::TraceLayer& layer, int64_t head);

// Query-side and key-side labels of a layer: the tokens of its sequences, or "0", "1", ... when
// the trace names no such sequence.
std::vector<std::string> query_labels(const io::Trace& trace, const io::TraceLayer& layer);
std::vector<std::string> key_labels(const io::Trace& trace, const io::TraceLayer& layer);

}  // namespace attnscope::focus
