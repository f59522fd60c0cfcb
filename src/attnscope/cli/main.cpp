// attnscope: entry point. Builds the CLI from the registered subcommands, parses, and maps
// errors to one line on stderr: exit 2 for usage errors, 1 for runtime errors.
#include <cstdio>
#include <exception>
#include <new>

#include "attnscope/cli/command.h"
#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/core/version.h"

namespace attnscope::cli {

std::vector<CommandSetup>& command_registry() {
  static std::vector<CommandSetup> registry;
  return registry;
}

}  // namespace attnscope::cli

int main(int argc, char** argv) {
  CLI::App app{"attnscope: attention mechanisms, models, focus analysis and visualization"};
  app.set_version_flag("--version", std::string("attnscope ") + attnscope::kVersion);
  app.require_subcommand(1);
  app.fallthrough();  // shared flags (--threads) may follow the subcommand
  int threads = 0;
  app.add_option("--threads", threads, "Worker threads (default: ATTNSCOPE_THREADS or all cores)")
      ->check(CLI::NonNegativeNumber)
      ->each([](const std::string& s) { attnscope::set_num_threads(std::stoi(s)); });
  for (auto& setup : attnscope::cli::command_registry()) setup(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::fprintf(stderr, "attnscope: usage error: %s (see --help)\n", e.what());
    return 2;
  } catch (const attnscope::ConfigError& e) {
    std::fprintf(stderr, "attnscope: error: %s\n", e.what());
    return 2;
  } catch (const attnscope::Error& e) {
    std::fprintf(stderr, "attnscope: error: %s\n", e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "attnscope: error: out of memory\n");
    return 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "attnscope: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
