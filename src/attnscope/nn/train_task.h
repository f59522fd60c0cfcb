// The registry behind `attnscope train <task>`: a task trains something from a seed, prints
// progress, writes checkpoints (-o) and resumes from one (--resume). Tasks register from the
// CLI's files (static registrars there, since static libraries drop unreferenced objects);
// their training logic lives in the library (nn/, models/).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace attnscope::nn {

struct TrainTaskOptions {
  uint64_t seed = 1;
  int64_t steps = 0;              // total steps to reach (0: the task's default)
  std::string output;             // checkpoint to write (empty: none)
  std::string resume;             // checkpoint to resume from (empty: fresh start)
  bool quiet = false;             // no progress output
  std::map<std::string, std::string> params;  // task-specific settings (--set key=value)
};

struct TrainTaskResult {
  std::vector<float> losses;               // the loss curve from step 0 (resumed runs included)
  std::map<std::string, double> metrics;   // e.g. "token_accuracy"
  int64_t steps = 0;                       // steps done in total
  double seconds = 0;                      // wall time of this run
};

struct TrainTask {
  std::string name, description;
  std::function<TrainTaskResult(const TrainTaskOptions&)> run;
};

void register_train_task(TrainTask task);  // ConfigError on a duplicate name
const std::vector<TrainTask>& train_tasks();

struct TrainTaskRegistrar {
  explicit TrainTaskRegistrar(TrainTask task) { register_train_task(std::move(task)); }
};

// Typed access to TrainTaskOptions::params; ConfigError names the key and the bad value.
// Keys not consumed are reported by check_params_used.
class TaskParams {
 public:
  explicit TaskParams(const std::map<std::string, std::string>& p) : p_(p) {}
  std::string get(const std::string& key, const std::string& fallback);
  int64_t get_int(const std::string& key, int64_t fallback);
  double get_double(const std::string& key, double fallback);
  // ConfigError listing keys that no get*() asked for (typos).
  void check_all_used(const std::string& task) const;

 private:
  const std::map<std::string, std::string>& p_;
  std::vector<std::string> used_;
};

}  // namespace attnscope::nn
