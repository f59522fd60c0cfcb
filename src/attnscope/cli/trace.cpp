// `attnscope trace`: write attention traces (NAME.attn.safetensors, docs/TRACE_FORMAT.md). Its
// parts: cli/trace_model.cpp (`trace MODEL "text"`) and cli/trace_import.cpp (`trace import`).
#include "attnscope/cli/verb_parts.h"

namespace attnscope::cli {
namespace {
void setup_trace(CLI::App& app) { setup_verb(app, "trace", "Write an attention trace (NAME.attn.safetensors)"); }
}  // namespace
}  // namespace attnscope::cli

ATTNSCOPE_REGISTER_COMMAND(attnscope::cli::setup_trace);
