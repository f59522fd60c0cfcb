// Reducing a dense attention layer to what a trace keeps (seam 3: dense | topk:K | stats):
// the k largest weights per row, or only row statistics. Used by `trace import --capture` and
// by anything holding dense weights that wants a smaller trace.
#pragma once
#include <string>

#include "attnscope/io/trace.h"

namespace attnscope::io {

// Row statistics of dense weights [heads, queries, keys] -> [heads, queries]: entropy (nats,
// of the row as given), max_weight, argmax (-1 for an empty or all-zero row). lse is left empty:
// it cannot be recovered from normalized weights.
void compute_row_stats(TraceLayer& dense);
// A copy keeping the k largest weights per row (descending; ties to the lower key index) plus
// row stats; k is clamped to the number of keys.
TraceLayer keep_topk(const TraceLayer& dense, int64_t k);
// A copy keeping only row statistics.
TraceLayer keep_stats(const TraceLayer& dense);
// Parses "dense" | "stats" | "topk:K" and reduces accordingly (ConfigError for other text).
TraceLayer keep_as(TraceLayer dense, const std::string& capture);

}  // namespace attnscope::io
