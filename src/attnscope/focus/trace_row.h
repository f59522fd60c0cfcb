// Trace rows: the one home of what every reader of a trace layer does to it — pick a head (an
// index, or the mean over heads) and read the weights of one query row, dense or top-k alike
// (top-k rows are scattered into zeros). viz/ and serve/ build on these; the viewer's JavaScript
// twin (web/util/local_source.js) follows the same rules, and tests/web/rows_twin.test.mjs
// compares the two on one trace. Validation of a layer is io::validate_layer (io/trace_io.h):
// the reader must apply it where a file enters, and io sits below focus.
// Letters: NH heads, Q queries, N keys, K kept entries per row.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "attnscope/io/trace.h"

namespace attnscope::focus {

// Head choice: an index, or kHeadMean for the average over the layer's heads.
inline constexpr int64_t kHeadMean = -1;

// Throws ConfigError when `head` is neither kHeadMean nor in [0, heads), or when
// the layer kept only row statistics (no matrix to read): both are a choice to change.
void check_head(const io::TraceLayer& layer, int64_t head);

// Adds the weights of query q for keys [c0, c1) into out[0, c1 - c0): head `head`'s row, or for
// kHeadMean each head's weight times 1/NH, added in head order. A top-k row adds only its listed
// keys (the others are 0). Unchecked, for inner loops: call check_head first; q in [0, Q) and
// 0 <= c0 <= c1 <= N.
void add_row(const io::TraceLayer& layer, int64_t head, int64_t q, int64_t c0, int64_t c1,
             std::span<float> out);

// The [N] weights of query q (check_head, then ConfigError for q out of range).
std::vector<float> row(const io::TraceLayer& layer, int64_t head, int64_t q);

}  // namespace attnscope::focus
