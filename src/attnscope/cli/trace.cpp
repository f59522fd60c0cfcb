// `attnscope trace`: the subcommand shell; its parts register through cli/trace.h.
#include "attnscope/cli/trace.h"

#include "attnscope/cli/command.h"
#include "attnscope/core/error.h"

namespace attnscope::cli {

namespace {
std::function<void()>& capture_action() {
  static std::function<void()> action;
  return action;
}

void setup_trace(CLI::App& app) {
  CLI::App* trace = app.add_subcommand("trace", "Write an attention trace (NAME.attn.safetensors)");
  for (auto& part : trace_parts()) part(*trace);
  trace->callback([trace] {
    if (!trace->get_subcommands().empty()) return;  // a child (e.g. `import`) ran
    if (capture_action()) return capture_action()();
    throw ConfigError("trace: give a subcommand: " + [&] {
      std::string names;
      for (const CLI::App* c : trace->get_subcommands({})) names += (names.empty() ? "" : ", ") + c->get_name();
      return names;
    }() + " (see attnscope trace --help)");
  });
}
}  // namespace

std::vector<TracePartSetup>& trace_parts() {
  static std::vector<TracePartSetup> parts;
  return parts;
}

void set_trace_capture_action(std::function<void()> action) { capture_action() = std::move(action); }

}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_trace);
