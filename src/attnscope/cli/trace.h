// `attnscope trace`: write attention traces (NAME.attn.safetensors, docs/TRACE_FORMAT.md).
// The subcommand is assembled from parts, each in its own file, registered with
// ATTNSCOPE_REGISTER_TRACE_PART(setup):
//   - cli/trace_import.cpp adds the child `trace import ATTN.npy --tokens T.json -o OUT` (io).
//   - the model capture `trace MODEL "text"` (models engineer) adds its positionals and options
//     to the `trace` app itself and calls set_trace_capture_action(action): the action runs when
//     `trace` is given without a child subcommand. CLI11 matches a child's name before it fills
//     positionals, so `trace import ...` and `trace MODEL TEXT` coexist.
#pragma once
#include <CLI/CLI.hpp>

#include "attnscope/cli/command.h"

#include <functional>
#include <vector>

namespace attnscope::cli {

using TracePartSetup = std::function<void(CLI::App& trace)>;
std::vector<TracePartSetup>& trace_parts();
void set_trace_capture_action(std::function<void()> action);

struct TracePartRegistrar {
  explicit TracePartRegistrar(TracePartSetup setup) { trace_parts().push_back(std::move(setup)); }
};

}  // namespace attnscope::cli

#define ATTNSCOPE_REGISTER_TRACE_PART(fn) \
  static ::attnscope::cli::TracePartRegistrar ATTNSCOPE_CONCAT(attnscope_trace_part_, __LINE__)(fn)
