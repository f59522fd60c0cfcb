#include "attnscope/viz/segments.h"

#include <algorithm>

namespace attnscope::viz {

std::vector<int64_t> segment_breaks(const std::vector<int32_t>& segments) {
  std::vector<int64_t> out;
  for (size_t i = 1; i < segments.size(); ++i)
    if (segments[i] != segments[i - 1]) out.push_back(static_cast<int64_t>(i));
  return out;
}

std::vector<int64_t> segment_starts(const std::vector<int32_t>& segments) {
  if (segments.empty()) return {};
  std::vector<int64_t> out{0};
  for (int64_t i : segment_breaks(segments)) out.push_back(i);
  return out;
}

std::string segment_name(int32_t id) { return std::string(1, static_cast<char>('A' + std::clamp(id, 0, 25))); }

std::vector<int32_t> segments_of(const io::Trace& trace, const std::string& seq, int64_t n) {
  const io::TraceSequence* s = trace.find_sequence(seq);
  if (!s || n <= 0 || static_cast<int64_t>(s->segments.size()) < n) return {};
  std::vector<int32_t> out(s->segments.begin(), s->segments.begin() + n);
  return segment_breaks(out).empty() ? std::vector<int32_t>{} : out;
}

}  // namespace attnscope::viz
