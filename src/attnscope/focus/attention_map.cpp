#include "attnscope/focus/attention_map.h"

#include <span>

namespace attnscope::focus {

namespace {

std::vector<std::string> labels_of(const io::Trace& trace, const std::string& seq, int64_t n) {
  if (const io::TraceSequence* s = trace.find_sequence(seq);
      s && static_cast<int64_t>(s->tokens.size()) == n)
    return s->tokens;
  std::vector<std::string> out(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) out[static_cast<size_t>(i)] = std::to_string(i);
  return out;
}

}  // namespace

AttentionMap head_map(const io::TraceLayer& layer, int64_t head) {
  check_head(layer, head);
  AttentionMap m;
  m.rows = layer.queries;
  m.cols = layer.keys;
  m.w.assign(static_cast<size_t>(m.rows * m.cols), 0.0f);
  for (int64_t q = 0; q < m.rows; ++q)
    add_row(layer, head, q, 0, m.cols, std::span<float>(m.w.data() + q * m.cols, static_cast<size_t>(m.cols)));
  return m;
}

std::vector<std::string> query_labels(const io::Trace& trace, const io::TraceLayer& layer) {
  return labels_of(trace, layer.query_seq, layer.queries);
}
std::vector<std::string> key_labels(const io::Trace& trace, const io::TraceLayer& layer) {
  return labels_of(trace, layer.key_seq, layer.keys);
}

}  // namespace attnscope::focus
