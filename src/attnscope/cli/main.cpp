// attnscope: entry point. Builds the CLI from the registered subcommands, parses, and maps
// errors to one line on stderr: exit 2 for usage errors, 1 for runtime errors.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <new>
#include <string>

#include "attnscope/cli/command.h"
#include "attnscope/cli/world.h"
#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/core/printable.h"
#include "attnscope/core/version.h"

namespace attnscope::cli {

std::vector<CommandSetup>& command_registry() {
  static std::vector<CommandSetup> registry;
  return registry;
}

}  // namespace attnscope::cli

namespace {

// OpenMP threads that spin while waiting turn a 2-second job into a minute as soon as another
// process wants the same cores (measured: `eval translate` 1.7 s -> 9.2 s beside a loaded
// machine). Passive waiting costs nothing measurable when the machine is idle. libgomp reads
// OMP_WAIT_POLICY when it is loaded, before main, so the process re-executes itself once with
// it set. A policy the user set (even empty) is left alone.
void prefer_passive_openmp(char** argv) {
  if (std::getenv("OMP_WAIT_POLICY")) return;
  setenv("OMP_WAIT_POLICY", "passive", 1);
  execv("/proc/self/exe", argv);  // returns only on failure: then run with the default policy
}

// The command a user typed: the first argument that is not a global flag (or its value), or
// null. Used to name an unknown command instead of CLI11's "A subcommand is required".
const char* typed_command(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--threads") { ++i; continue; }
    if (a.rfind("-", 0) == 0) continue;
    return argv[i];
  }
  return nullptr;
}

// A flag given an empty value (`--trace ""`, `-o ""` from an unset shell variable) silently meant
// "not given": no trace, no checkpoint, the built-in data. Every valued flag of every command
// refuses it (positional texts have their own "empty input" errors).
void refuse_empty_values(CLI::App* app) {
  static const CLI::Validator nonempty(
      [](std::string& s) { return s.empty() ? std::string("empty value (leave the flag out for its default)") : std::string(); }, "");
  for (CLI::Option* o : app->get_options([](const CLI::Option* o) { return !o->get_positional() && o->get_type_size_max() > 0; }))
    o->check(nonempty);
  for (CLI::App* sub : app->get_subcommands([](CLI::App*) { return true; })) refuse_empty_values(sub);
}

int run(int argc, char** argv) {
  CLI::App app{"attnscope: attention mechanisms, models, focus analysis and visualization", "attnscope"};
  app.set_version_flag("--version", std::string("attnscope ") + attnscope::kVersion);
  app.require_subcommand(1);
  app.fallthrough();  // shared flags (--threads) may follow the subcommand
  int threads = 0;
  app.add_option("--threads", threads, "Worker threads (default: ATTNSCOPE_THREADS or all cores)")
      ->check(attnscope::cli::at_least(0))
      ->each([](const std::string& s) { attnscope::set_num_threads(std::stoi(s)); });
  for (auto& setup : attnscope::cli::command_registry()) setup(app);
  refuse_empty_values(&app);
  if (argc == 1) {  // no command: what there is to do, not an error
    std::fputs(app.help().c_str(), stdout);
    return 0;
  }
  const std::vector<CLI::App*> commands = app.get_subcommands([](CLI::App*) { return true; });
  const char* cmd = typed_command(argc, argv);
  if (cmd && std::none_of(commands.begin(), commands.end(), [cmd](CLI::App* c) { return c->check_name(cmd); })) {
    std::string names;
    for (const CLI::App* sub : commands) names += (names.empty() ? "" : ", ") + sub->get_name();
    std::fprintf(stderr, "attnscope: usage error: unknown command '%s'; commands: %s (see --help)\n",
                 attnscope::escape_controls(cmd).c_str(), names.c_str());
    return 2;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "attnscope: usage error: %s (see --help)\n", attnscope::escape_controls(e.what()).c_str());
    return 2;
  } catch (const attnscope::ConfigError& e) {
    std::fprintf(stderr, "attnscope: error: %s\n", attnscope::escape_controls(e.what()).c_str());
    return 2;
  } catch (const attnscope::Error& e) {
    std::fprintf(stderr, "attnscope: error: %s\n", attnscope::escape_controls(e.what()).c_str());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "attnscope: error: out of memory\n");
    return 1;
  } catch (const std::filesystem::filesystem_error& e) {
    // std::filesystem's own text ("filesystem error: status: ... [path]") said as ours.
    const std::string where = e.path1().empty() ? "" : "'" + e.path1().string() + "': ";
    std::fprintf(stderr, "attnscope: error: %s%s\n", attnscope::escape_controls(where).c_str(),
                 attnscope::escape_controls(e.code().message()).c_str());
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnscope: error: %s\n", attnscope::escape_controls(attnscope::plain_message(e)).c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  prefer_passive_openmp(argv);
  const int code = run(argc, argv);
  // Under mpirun, an error on one rank must end the others (they may be waiting for it).
  if (code != 0) attnscope::cli::end_world_after_error(code);
  return code;
}
