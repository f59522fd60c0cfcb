// `attnscope view`: the interactive viewer. view_trace() is the part other verbs reuse: the
// models engineer's `view MODEL "text"` runs the model, captures a Trace and calls it.
#pragma once
#include <CLI/CLI.hpp>

#include <string>

#include "attnscope/io/trace.h"

namespace attnscope::cli {

struct ViewFlags {
  int port = 0;            // --port (0: a free port)
  bool open = false;       // --open
  std::string web_root;    // --web-root DIR (development: serve web/ from disk)
  bool rollout = false;    // --rollout: add rollout of each self-attention stack as a layer
  bool flow = false;       // --flow: the same for attention flow
};

// Adds --port, --open, --web-root, --rollout and --flow to a subcommand.
// With `needs` (a verb's --view flag), each viewer flag requires it: "--port requires --view"
// instead of being accepted and ignored.
void add_view_flags(CLI::App* sub, ViewFlags& flags, CLI::Option* needs = nullptr);
// Serves the trace on 127.0.0.1 and blocks until interrupted.
void view_trace(io::Trace trace, const ViewFlags& flags);

}  // namespace attnscope::cli
