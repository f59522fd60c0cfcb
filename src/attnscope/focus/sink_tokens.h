// The sink analysis behind a StreamingLLM cache (Xiao et al. 2023): how much attention the
// leading tokens draw, and how many of them to keep as sinks.
#pragma once
#include <cstdint>
#include <span>
#include <vector>

#include "attnscope/io/trace.h"

namespace attnscope::focus {

// Mean attention mass on key positions 0..max_keys-1 over every dense self-attention layer,
// head and query row at or after min_query (rows that could look far). ConfigError when the
// trace has no such dense rows.
std::vector<double> leading_key_mass(const io::Trace& trace, int64_t max_keys, int64_t min_query);
// The leading run of positions whose mass is at least twice the median over `mass` (at least 1:
// StreamingLLM keeps the first token even when nothing stands out).
int64_t sink_count(std::span<const double> mass);

}  // namespace attnscope::focus
