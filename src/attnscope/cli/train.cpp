// `attnscope train <task>`: one subcommand per registered training task (nn/train_task.h).
// Tasks register here or from their own cli/ files (TrainTaskRegistrar); the training logic
// lives in the library.
#include <cstdio>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/core/error.h"
#include "attnscope/nn/loss_curve.h"
#include "attnscope/nn/reverse_task.h"
#include "attnscope/nn/train_task.h"

namespace attnscope::cli {
namespace {

const nn::TrainTaskRegistrar kReverse(nn::reverse_train_task());

void run_task(const nn::TrainTask& task, const nn::TrainTaskOptions& opt) {
  const nn::TrainTaskResult r = task.run(opt);
  if (!r.losses.empty()) {
    std::printf("%s", nn::ascii_loss_plot(r.losses).c_str());
    std::printf("train %s: %lld steps, loss %.4f -> %.4f, %.1f s this run\n", task.name.c_str(),
                static_cast<long long>(r.steps), r.losses.front(), r.losses.back(), r.seconds);
  }
  for (const auto& [k, v] : r.metrics) std::printf("%s: %.4f\n", k.c_str(), v);
  if (!opt.output.empty()) std::printf("checkpoint: %s\n", opt.output.c_str());
}

void setup(CLI::App& app) {
  // Other files add their own `train <task>` children (train_translate.cpp): get or create.
  CLI::App* train = nullptr;
  try {
    train = app.get_subcommand("train");
  } catch (const CLI::OptionNotFound&) {
    train = app.add_subcommand("train", "Train a model on a task (checkpoints with -o, resume with --resume)");
  }
  train->require_subcommand(1);
  for (const nn::TrainTask& task : nn::train_tasks()) {
    auto* sub = train->add_subcommand(task.name, task.description);
    auto opt = std::make_shared<nn::TrainTaskOptions>();
    auto sets = std::make_shared<std::vector<std::string>>();
    add_seed_flag(sub, opt->seed);
    sub->add_option("--steps", opt->steps, "Total training steps to reach (default: the task's)")
        ->check(CLI::PositiveNumber);
    add_output_flag(sub, opt->output, false)->description("Checkpoint to write (.safetensors)");
    sub->add_option("--resume", opt->resume, "Checkpoint to resume from (same loss curve)")
        ->check(CLI::ExistingFile);
    sub->add_option("--set", *sets, "Task setting KEY=VALUE (repeatable)");
    sub->add_flag("-q,--quiet", opt->quiet, "No progress bar");
    sub->callback([&task, opt, sets] {
      for (const std::string& kv : *sets) {
        const auto eq = kv.find('=');
        if (eq == std::string::npos || eq == 0)
          throw ConfigError("--set expects KEY=VALUE, got '" + kv + "'");
        opt->params[kv.substr(0, eq)] = kv.substr(eq + 1);
      }
      run_task(task, *opt);
    });
  }
}

ATTNSCOPE_REGISTER_COMMAND(setup);

}  // namespace
}  // namespace attnscope::cli
