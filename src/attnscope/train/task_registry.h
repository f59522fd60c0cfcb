// The task registry: one table (task_registry.cpp) of every training task. `attnscope train
// <task>` and `attnscope eval <task>` are generated from it — each declared setting becomes a
// flag — and a library user builds a task by name with the same settings.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attnscope/train/settings.h"
#include "attnscope/train/task.h"
#include "attnscope/train/trainer.h"

namespace attnscope::train {

struct TaskInfo {
  std::string name;                     // "translate"
  std::string description;              // one line for --help
  std::vector<SettingSpec> settings;    // what `train <name>` takes besides the Trainer's options
  // The Trainer's options for these settings (per-task steps, batch, learning rate, ...); the
  // user's Trainer flags override them.
  std::function<TrainerOptions(const Settings&)> defaults;
  // A task ready to train, seeded.
  std::function<std::unique_ptr<Task>(const Settings&, uint64_t seed)> make;
  // `eval <name>`: its settings and the evaluation of a checkpoint (empty: no eval verb).
  std::vector<SettingSpec> eval_settings;
  std::function<EvalReport(const std::string& checkpoint, const Settings&, uint64_t seed)> evaluate;
};

const std::vector<TaskInfo>& tasks();
// ConfigError naming the known tasks when there is no such task.
const TaskInfo& find_task(const std::string& name);

}  // namespace attnscope::train
