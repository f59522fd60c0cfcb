// Verbs assembled from parts, each in its own file: `trace` (cli/trace_model.cpp adds the
// verb's own positionals and action `trace MODEL "text"`, cli/trace_import.cpp the child
// `trace import`), `analyze` (the verb's action on a trace or model, and children such as
// `analyze align` and `analyze merge`). A part registers with
//   ATTNSCOPE_REGISTER_VERB_PART("trace", setup)      setup(CLI::App& verb) adds options/children
// and, when it is the verb's own action, calls set_verb_action("trace", action): the action runs
// when the verb is given without a child. CLI11 matches a child's name before it fills
// positionals, so `trace import ...` and `trace MODEL TEXT` coexist.
#pragma once
#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

#include "attnscope/cli/command.h"

namespace attnscope::cli {

using VerbPartSetup = std::function<void(CLI::App& verb)>;
std::vector<VerbPartSetup>& verb_parts(const std::string& verb);
void set_verb_action(const std::string& verb, std::function<void()> action);
// Adds `verb` to app with its registered parts (used by the verb's own file: cli/trace.cpp,
// cli/analyze.cpp).
void setup_verb(CLI::App& app, const std::string& verb, const std::string& help);

struct VerbPartRegistrar {
  VerbPartRegistrar(const std::string& verb, VerbPartSetup setup) { verb_parts(verb).push_back(std::move(setup)); }
};

}  // namespace attnscope::cli

#define ATTNSCOPE_REGISTER_VERB_PART(verb, fn) \
  static ::attnscope::cli::VerbPartRegistrar ATTNSCOPE_CONCAT(attnscope_verb_part_, __COUNTER__)(verb, fn)
