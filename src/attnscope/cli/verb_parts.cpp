#include "attnscope/cli/verb_parts.h"

#include <map>

#include "attnscope/core/error.h"

namespace attnscope::cli {

namespace {
std::map<std::string, std::function<void()>>& actions() {
  static std::map<std::string, std::function<void()>> a;
  return a;
}
}  // namespace

std::vector<VerbPartSetup>& verb_parts(const std::string& verb) {
  static std::map<std::string, std::vector<VerbPartSetup>> parts;
  return parts[verb];
}

void set_verb_action(const std::string& verb, std::function<void()> action) { actions()[verb] = std::move(action); }

void setup_verb(CLI::App& app, const std::string& verb, const std::string& help) {
  CLI::App* sub = app.add_subcommand(verb, help);
  for (auto& part : verb_parts(verb)) part(*sub);
  sub->callback([sub, verb] {
    if (!sub->get_subcommands().empty()) return;  // a child (e.g. `import`) ran
    if (auto it = actions().find(verb); it != actions().end() && it->second) return it->second();
    std::string names;
    for (const CLI::App* c : sub->get_subcommands({})) names += (names.empty() ? "" : ", ") + c->get_name();
    throw ConfigError(verb + ": give a subcommand: " + names + " (see attnscope " + verb + " --help)");
  });
}

}  // namespace attnscope::cli
