// Turning the shared --layer / --head flags into indices, with one-line errors that say what
// exists (the CLI maps ConfigError to exit 2).
#pragma once
#include <cstdint>
#include <string>

#include "attnscope/io/trace.h"

namespace attnscope::focus {

// "" -> 0; "3" -> 3; "-1" -> last layer; otherwise a layer name. Throws ConfigError when out of
// range or unknown, listing the valid range or names.
int64_t resolve_layer(const io::Trace& trace, const std::string& spec);

// "" or "mean" -> kHeadMean; "2" -> 2. Throws ConfigError when not a number or out of range.
int64_t resolve_head(const io::TraceLayer& layer, const std::string& spec);

}  // namespace attnscope::focus
