#include "attnscope/nn/train_task.h"

#include <algorithm>

#include "attnscope/core/error.h"

namespace attnscope::nn {

namespace {
std::vector<TrainTask>& registry() {
  static std::vector<TrainTask> tasks;
  return tasks;
}
}  // namespace

void register_train_task(TrainTask task) {
  for (const auto& t : registry())
    if (t.name == task.name) throw ConfigError("train task '" + task.name + "' registered twice");
  registry().push_back(std::move(task));
}

const std::vector<TrainTask>& train_tasks() { return registry(); }

std::string TaskParams::get(const std::string& key, const std::string& fallback) {
  used_.push_back(key);
  auto it = p_.find(key);
  return it == p_.end() ? fallback : it->second;
}

int64_t TaskParams::get_int(const std::string& key, int64_t fallback) {
  const std::string v = get(key, "");
  if (v.empty()) return fallback;
  try {
    size_t used = 0;
    const int64_t r = std::stoll(v, &used);
    if (used == v.size()) return r;
  } catch (const std::exception&) {
  }
  throw ConfigError("--set " + key + "=" + v + ": expected an integer");
}

double TaskParams::get_double(const std::string& key, double fallback) {
  const std::string v = get(key, "");
  if (v.empty()) return fallback;
  try {
    size_t used = 0;
    const double r = std::stod(v, &used);
    if (used == v.size()) return r;
  } catch (const std::exception&) {
  }
  throw ConfigError("--set " + key + "=" + v + ": expected a number");
}

void TaskParams::check_all_used(const std::string& task) const {
  for (const auto& [k, _] : p_)
    if (std::find(used_.begin(), used_.end(), k) == used_.end())
      throw ConfigError("train " + task + ": unknown setting '" + k + "'");
}

}  // namespace attnscope::nn
