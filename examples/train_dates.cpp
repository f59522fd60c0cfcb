// Trains the built-in date translator (an RNN encoder-decoder with additive attention) for a few
// steps and writes its checkpoint: the task, settings and Trainer of `attnscope train translate`,
// built by name from the task registry.
//   train_dates [OUT.ckpt.safetensors] [STEPS]
#include <attnscope/core/error.h>
#include <attnscope/train/task_registry.h>

#include <cstdio>
#include <string>

using namespace attnscope;

int main(int argc, char** argv) try {
  const std::string out = argc > 1 ? argv[1] : "dates.ckpt.safetensors";
  const train::TaskInfo& info = train::find_task("translate");
  train::Settings settings(info.settings);  // each setting is a `train translate` flag
  settings.set("builtin", "dates");
  settings.set("hidden", "32");
  settings.set("embed", "16");
  train::TrainerOptions opt = info.defaults(settings);
  opt.steps = argc > 2 ? std::stoll(argv[2]) : 500;
  opt.output = out;
  opt.quiet = true;
  for (const auto& [name, value] : settings.values()) opt.task_settings.emplace_back(name, value);
  auto task = info.make(settings, opt.seed);
  const train::TrainResult r = train::run_training(*task, opt);
  std::printf("trained %lld steps: loss %.3f -> %.3f\n", static_cast<long long>(r.steps), r.losses.front(),
              r.losses.back());
  std::printf("wrote %s\n", out.c_str());
} catch (const std::exception& e) {
  std::fprintf(stderr, "train_dates: %s\n", e.what());
  return 1;
}
