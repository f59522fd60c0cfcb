// AttentionMap: the dense [queries, keys] weights of one head (or of the head average) of one
// trace layer — the 2-D picture every view and most metrics start from. Dense and top-k layers
// both expand to it (top-k: the missing weights are 0); stats-only layers have no map.
// Rows come from focus/trace_row.h, so a map and a single row always agree.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/focus/trace_row.h"
#include "attnscope/io/trace.h"

namespace attnscope::focus {

struct AttentionMap {
  int64_t rows = 0, cols = 0;  // rows = queries (Q), cols = keys (N)
  std::vector<float> w;        // [Q, N] row-major
  float at(int64_t r, int64_t c) const { return w[static_cast<size_t>(r * cols + c)]; }
  float& at(int64_t r, int64_t c) { return w[static_cast<size_t>(r * cols + c)]; }
};

// The [Q, N] weights of head `head` of a dense or top-k layer, or their mean over heads when
// head == kHeadMean (the "all heads" picture of BertViz and Ecco). Errors as check_head.
AttentionMap head_map(const io::TraceLayer& layer, int64_t head);

// Query-side and key-side labels of a layer: the tokens of its sequences, or "0", "1", ... when
// the trace names no such sequence.
std::vector<std::string> query_labels(const io::Trace& trace, const io::TraceLayer& layer);
std::vector<std::string> key_labels(const io::Trace& trace, const io::TraceLayer& layer);

}  // namespace attnscope::focus
