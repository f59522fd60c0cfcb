// Row statistics of one head, or of the mean of heads: per query the entropy of its attention
// row (nats), its largest weight and the key holding it. What a trace captured with only row
// statistics (keep == stats) holds, and what every view of such a trace shows (`show`'s table,
// `render`'s statistics picture, the viewer's statistics panel through /api/stats); for dense
// and top-k layers they are computed from the rows (as the recorder does, attention/recorder.cpp:
// H = -sum w log w over w > 0, unnormalized — top-k rows see only their kept weights).
// The mean of heads averages entropy and max weight over heads and takes the argmax of the head
// with the largest max weight (the most confident one): one rule for the CLI, the pictures and
// the viewer (web/views/stats.js follows it on the server's per-head arrays).
// Letters: NH heads, Q queries, N keys.
#pragma once
#include <cstdint>
#include <vector>

#include "attnscope/io/trace.h"

namespace attnscope::focus {

struct RowStats {
  // Each [Q]; empty when the layer kept only statistics and not this one (a trace may keep lse
  // alone). argmax -1: the row had no positive weight.
  std::vector<float> entropy, max_weight;
  std::vector<int32_t> argmax;
};

// ConfigError for a head that is neither kHeadMean (focus/trace_row.h) nor in [0, NH).
RowStats row_stats(const io::TraceLayer& layer, int64_t head);

}  // namespace attnscope::focus
