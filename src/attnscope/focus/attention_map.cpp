#include "attnscope/focus/attention_map.h"

#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/focus/head_average.h"

namespace attnscope::focus {

namespace {

std::string shape_str(int64_t a, int64_t b, int64_t c) {
  return "[" + std::to_string(a) + ", " + std::to_string(b) + ", " + std::to_string(c) + "]";
}

void check_tokens(const io::Trace& trace, const io::TraceLayer& layer, const std::string& seq,
                  int64_t n, const char* side) {
  if (seq.empty()) return;
  const io::TraceSequence* s = trace.find_sequence(seq);
  ATTNSCOPE_CHECK(s, ShapeError,
                  "layer '" + layer.name + "': the sequence '" + seq + "' of its " + side + " is not in the trace");
  ATTNSCOPE_CHECK(static_cast<int64_t>(s->tokens.size()) == n, ShapeError,
                  "layer '" + layer.name + "' has " + std::to_string(n) + " " + side + " but sequence '" +
                      seq + "' has " + std::to_string(s->tokens.size()) + " tokens");
}

std::vector<std::string> labels_of(const io::Trace& trace, const std::string& seq, int64_t n) {
  if (const io::TraceSequence* s = trace.find_sequence(seq);
      s && static_cast<int64_t>(s->tokens.size()) == n)
    return s->tokens;
  std::vector<std::string> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = std::to_string(i);
  return out;
}

}  // namespace

void check_layer(const io::Trace& trace, const io::TraceLayer& layer) {
  const std::string who = "layer '" + layer.name + "'";
  ATTNSCOPE_CHECK(layer.heads >= 1 && layer.queries >= 1 && layer.keys >= 1, ShapeError,
                  who + " has shape " + shape_str(layer.heads, layer.queries, layer.keys) +
                      " (heads, queries, keys must all be >= 1)");
  const uint64_t hq = static_cast<uint64_t>(layer.heads) * static_cast<uint64_t>(layer.queries);
  switch (layer.keep) {
    case io::TraceKeep::dense: {
      const uint64_t want = hq * static_cast<uint64_t>(layer.keys);
      ATTNSCOPE_CHECK(layer.weights.size() == want, ShapeError,
                      who + " holds " + std::to_string(layer.weights.size()) + " weights, expected " +
                          shape_str(layer.heads, layer.queries, layer.keys) + " = " + std::to_string(want));
      for (float v : layer.weights)
        ATTNSCOPE_CHECK(std::isfinite(v), ValueError, who + " has a non-finite weight");
      break;
    }
    case io::TraceKeep::topk: {
      const uint64_t want = hq * static_cast<uint64_t>(layer.k);
      ATTNSCOPE_CHECK(layer.k >= 1 && layer.topk_index.size() == want && layer.topk_weight.size() == want,
                      ShapeError,
                      who + " top-k buffers hold " + std::to_string(layer.topk_index.size()) + " indices and " +
                          std::to_string(layer.topk_weight.size()) + " weights, expected " +
                          shape_str(layer.heads, layer.queries, layer.k));
      for (size_t i = 0; i < layer.topk_index.size(); ++i) {
        const int32_t k = layer.topk_index[i];
        ATTNSCOPE_CHECK(k >= -1 && k < layer.keys, ShapeError,
                        who + " has top-k index " + std::to_string(k) + " outside [0, " +
                            std::to_string(layer.keys) + ")");
        ATTNSCOPE_CHECK(std::isfinite(layer.topk_weight[i]), ValueError, who + " has a non-finite weight");
      }
      break;
    }
    case io::TraceKeep::stats:
      break;
  }
  check_tokens(trace, layer, layer.query_seq, layer.queries, "queries");
  check_tokens(trace, layer, layer.key_seq, layer.keys, "keys");
}

AttentionMap head_map(const io::TraceLayer& layer, int64_t head) {
  ATTNSCOPE_CHECK(head >= 0 && head < layer.heads, ConfigError,
                  "head " + std::to_string(head) + " out of range: layer '" + layer.name + "' has " +
                      std::to_string(layer.heads) + " heads (0.." + std::to_string(layer.heads - 1) + ")");
  AttentionMap m;
  m.rows = layer.queries;
  m.cols = layer.keys;
  const size_t qn = static_cast<size_t>(m.rows * m.cols);
  switch (layer.keep) {
    case io::TraceKeep::dense:
      ATTNSCOPE_CHECK(layer.weights.size() >= (static_cast<size_t>(head) + 1) * qn, ShapeError,
                      "layer '" + layer.name + "': weights buffer too small for its shape");
      m.w.assign(layer.weights.begin() + static_cast<std::ptrdiff_t>(head * qn),
                 layer.weights.begin() + static_cast<std::ptrdiff_t>((head + 1) * qn));
      break;
    case io::TraceKeep::topk: {
      m.w.assign(qn, 0.0f);
      const int64_t k = layer.k;
      ATTNSCOPE_CHECK(layer.topk_index.size() >= static_cast<size_t>((head + 1) * m.rows * k), ShapeError,
                      "layer '" + layer.name + "': top-k buffers too small for its shape");
      for (int64_t q = 0; q < m.rows; ++q)
        for (int64_t j = 0; j < k; ++j) {
          const size_t at = static_cast<size_t>((head * m.rows + q) * k + j);
          const int32_t key = layer.topk_index[at];
          if (key >= 0 && key < m.cols) m.at(q, key) = layer.topk_weight[at];
        }
      break;
    }
    case io::TraceKeep::stats:
      throw ValueError("layer '" + layer.name +
                       "' kept only row statistics; pictures need dense or top-k weights (capture with "
                       "--capture dense or topk:K)");
  }
  return m;
}

AttentionMap select_map(const io::TraceLayer& layer, int64_t head) {
  return head == kHeadMean ? head_average(layer) : head_map(layer, head);
}

std::vector<std::string> query_labels(const io::Trace& trace, const io::TraceLayer& layer) {
  return labels_of(trace, layer.query_seq, layer.queries);
}
std::vector<std::string> key_labels(const io::Trace& trace, const io::TraceLayer& layer) {
  return labels_of(trace, layer.key_seq, layer.keys);
}

}  // namespace attnscope::focus
