// Reducing a dense attention layer to what a trace keeps (seam 3: dense | topk:K | stats):
// the k largest weights per row by focus::row_topk's rule, or only row statistics. Used by
// `trace import --capture` and by anything holding dense weights that wants a smaller trace.
#pragma once
#include <string>

#include "attnscope/io/trace.h"

namespace attnscope::focus {

// Row statistics of dense weights [heads, queries, keys] -> [heads, queries]: entropy (nats,
// of the row as given), max_weight, argmax (focus::row_argmax: -1 for a row with no positive
// weight). lse is left empty: it cannot be recovered from normalized weights.
void compute_row_stats(io::TraceLayer& dense);
// A copy keeping focus::row_topk of every row (the k largest positive weights, descending, ties
// to the lower key; -1 pads) plus row stats; k is clamped to the number of keys.
io::TraceLayer keep_topk(const io::TraceLayer& dense, int64_t k);
// A copy keeping only row statistics.
io::TraceLayer keep_stats(const io::TraceLayer& dense);
// Reduces to `mode` (k: top-k only). The text spelling ("dense" | "stats" | "topk:K") is parsed
// once, by attention::Keep::parse, above this layer.
io::TraceLayer keep_as(io::TraceLayer dense, io::TraceKeep mode, int64_t k = 0);
// keep_as on every layer of the trace and of its snapshots (dense layers only; others are left
// as they are).
void keep_as(io::Trace& trace, io::TraceKeep mode, int64_t k = 0);
// The one top-k rule for short rows: a top-k layer (snapshots' too) whose k exceeds its key count keeps k = keys
// (the slots past them can only be padding). Returns a note for the user naming what was clamped,
// empty when nothing was.
std::string clamp_topk(io::Trace& trace);

}  // namespace attnscope::focus
