// The subcommand registry. Each verb lives in its own file (cli/<verb>.cpp) and registers a
// setup function that adds its CLI11 subcommand; main.cpp knows none of them by name.
// The CLI holds no logic of its own: a verb parses flags and calls the library.
#pragma once
#include <CLI/CLI.hpp>

#include "attnscope/cli/flag_checks.h"

#include <functional>
#include <string>
#include <vector>

namespace attnscope::cli {

using CommandSetup = std::function<void(CLI::App& app)>;

std::vector<CommandSetup>& command_registry();

struct CommandRegistrar {
  explicit CommandRegistrar(CommandSetup setup) { command_registry().push_back(std::move(setup)); }
};

}  // namespace attnscope::cli

#define ATTNSCOPE_CONCAT_INNER(a, b) a##b
#define ATTNSCOPE_CONCAT(a, b) ATTNSCOPE_CONCAT_INNER(a, b)
// ATTNSCOPE_REGISTER_COMMAND(setup_function) — once per cli/<verb>.cpp.
#define ATTNSCOPE_REGISTER_COMMAND(fn) \
  static ::attnscope::cli::CommandRegistrar ATTNSCOPE_CONCAT(attnscope_cmd_, __COUNTER__)(fn)
