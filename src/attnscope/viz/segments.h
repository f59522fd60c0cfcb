// Sentence pairs in the static pictures: where a sequence's segment (BERT's token type A/B)
// changes and a segment's letter. The C++ twin of web/util/segments.js, so the heatmap and head
// view split a pair where the viewer does and name the parts alike.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "attnscope/io/trace.h"

namespace attnscope::viz {

// Positions i > 0 where segments[i] differs from segments[i - 1].
std::vector<int64_t> segment_breaks(const std::vector<int32_t>& segments);
// Where each part starts (0, then the breaks): where its letter goes. Empty for no segments.
std::vector<int64_t> segment_starts(const std::vector<int32_t>& segments);

// "A" for 0, "B" for 1, ... (clamped to A..Z).
std::string segment_name(int32_t id);

// The first n segment ids of sequence `seq` (a layer side of n tokens); empty when the sequence
// has no segments, holds fewer than n, or is one segment throughout (nothing to split).
std::vector<int32_t> segments_of(const io::Trace& trace, const std::string& seq, int64_t n);

}  // namespace attnscope::viz
