// `attnscope train <task>` and `attnscope eval <task>`: one subcommand per task of the registry
// (train/task_registry.h), each task setting a flag. The Trainer's options are the same flags
// for every task; the loop, checkpoints and snapshots live in the library (train/). Launched by
// mpirun (MPI build), the ranks train one model data-parallel (docs/DISTRIBUTED.md).
#include <cstdio>
#include <functional>
#include <map>
#include <memory>

#include "attnscope/cli/command.h"
#include "attnscope/cli/common.h"
#include "attnscope/cli/world.h"
#include "attnscope/nn/loss_curve.h"
#include "attnscope/train/task_registry.h"

namespace attnscope::cli {
namespace {

// Adds one flag per setting; returns a function that copies what the user gave into Settings.
std::function<void(train::Settings&)> add_setting_flags(CLI::App* sub, const std::vector<train::SettingSpec>& specs) {
  auto values = std::make_shared<std::map<std::string, std::string>>();
  std::vector<std::pair<std::string, CLI::Option*>> options;
  for (const auto& s : specs) {
    const std::string flag = "--" + s.name;
    std::string help = s.help + (s.fallback.empty() || s.type == train::SettingSpec::Type::flag ? "" : " [" + s.fallback + "]");
    CLI::Option* o = nullptr;
    if (s.type == train::SettingSpec::Type::flag) {
      o = sub->add_flag(flag)->description(help);  // (name, std::string&) would bind the help as the value
    } else {
      o = sub->add_option(flag, (*values)[s.name], help);
      if (!s.choices.empty()) o->check(CLI::IsMember(s.choices));
      if (s.type == train::SettingSpec::Type::integer) o->check(in_range(static_cast<int64_t>(s.min), static_cast<int64_t>(s.max)));
      if (s.type == train::SettingSpec::Type::real) o->check(in_range(s.min, s.max));
    }
    options.emplace_back(s.name, o);
  }
  return [values, options](train::Settings& settings) {
    for (const auto& [name, o] : options)
      if (o->count() > 0) settings.set(name, o->get_items_expected_max() == 0 ? "true" : values->at(name));
  };
}

void print_training(train::Task& task, const train::TrainerOptions& o,
                    const train::TrainResult& r) {
  if (!r.losses.empty()) {
    std::printf("%s", nn::ascii_loss_plot(r.losses).c_str());
    std::printf("trained %lld steps in %.1f s (%.0f %s/s); loss %.4f -> %.4f\n", static_cast<long long>(r.steps),
                r.seconds, r.units_per_second, task.unit_name().c_str(), r.losses.front(), r.losses.back());
  }
  if (!r.valid_losses.empty()) std::printf("valid loss: %.4f\n", r.valid_losses.back().second);
  if (r.best_step >= 0 && r.best_step != r.steps) std::printf("kept the weights of step %lld (best validation)\n", static_cast<long long>(r.best_step));
  for (const auto& line : task.evaluate().lines) std::printf("%s\n", line.c_str());
  if (!o.output.empty()) std::printf("checkpoint: %s\n", o.output.c_str());
  if (!r.focus.snapshots.empty())
    std::printf("focus snapshots: %s (%zu; animate with `attnscope animate %s --training -o focus.gif`)\n",
                r.focus_output.c_str(), r.focus.snapshots.size(), r.focus_output.c_str());
}

void add_train(CLI::App* train, const train::TaskInfo& info) {
  auto* sub = train->add_subcommand(info.name, info.description);
  auto g = std::make_shared<train::TrainerOptions>();
  sub->add_option("--steps", g->steps, "Total training steps to reach (default: the task's)")->check(in_range(int64_t{1}, int64_t{1} << 40));
  sub->add_option("--batch", g->batch, "Examples per step")->check(in_range(1, 1 << 20));
  sub->add_option("--lr", g->lr, "Peak learning rate")->check(in_range(1e-8, 10.0));
  sub->add_option("--warmup", g->warmup, "Warm-up steps")->check(in_range(int64_t{0}, int64_t{1} << 40));
  sub->add_option("--schedule", g->schedule, "cosine, inverse_sqrt or constant")->check(CLI::IsMember({"cosine", "inverse_sqrt", "constant"}));
  sub->add_option("--clip", g->clip, "Gradient-norm clip (0: off)")->check(in_range(0.0, 1e6));
  sub->add_option("--weight-decay", g->weight_decay, "AdamW weight decay")->check(in_range(0.0, 10.0));
  sub->add_option("--time-limit", g->time_limit, "Stop after this many seconds")->check(in_range(0.0, 1e9));
  sub->add_option("--eval-every", g->eval_every, "Validate and checkpoint every N steps")->check(in_range(int64_t{1}, int64_t{1} << 40));
  sub->add_option("--focus-every", g->focus_every, "Save an attention snapshot every N steps")->check(in_range(int64_t{0}, int64_t{1} << 40));
  sub->add_flag("--keep-best,!--no-keep-best", g->keep_best, "End with the weights of the best validation (default: the task's)");
  sub->add_option("--patience", g->patience, "Stop after N validations without improvement (0: never)")->check(in_range(int64_t{0}, int64_t{1} << 40));
  sub->add_option("--focus-out", g->focus_output, "Where to write the snapshots (a trace file)");
  add_output_flag(sub, g->output, false)->description("Checkpoint to write (.safetensors)");
  sub->add_option("--resume", g->resume, "Checkpoint to resume from (same loss curve)")->check(CLI::ExistingFile);
  add_seed_flag(sub, g->seed);
  sub->add_flag("-q,--quiet", g->quiet, "No progress bar");
  auto copy_settings = add_setting_flags(sub, info.settings);
  sub->callback([sub, g, copy_settings, &info] {
    train::Settings settings(info.settings);
    copy_settings(settings);
    train::TrainerOptions o = info.defaults(settings);
    // What the user gave overrides the task's defaults.
    if (sub->count("--steps")) o.steps = g->steps;
    if (sub->count("--batch")) o.batch = g->batch;
    if (sub->count("--lr")) o.lr = g->lr;
    if (sub->count("--warmup")) o.warmup = g->warmup;
    if (sub->count("--schedule")) o.schedule = g->schedule;
    if (sub->count("--clip")) o.clip = g->clip;
    if (sub->count("--weight-decay")) o.weight_decay = g->weight_decay;
    if (sub->count("--eval-every")) o.eval_every = g->eval_every;
    if (sub->count("--keep-best") || sub->count("--no-keep-best")) o.keep_best = g->keep_best;
    if (sub->count("--patience")) o.patience = g->patience;
    o.time_limit = g->time_limit;
    o.focus_every = g->focus_every;
    o.focus_output = g->focus_output;
    o.output = g->output;
    o.resume = g->resume;
    o.seed = g->seed;
    o.quiet = g->quiet;
    for (const auto& [k, v] : settings.values()) o.task_settings.emplace_back(k, v);
    // Under mpirun every rank builds the same task and takes its shard of each global batch;
    // rank 0 alone shows progress, writes checkpoints and reports.
    World& w = world();
    auto task = info.make(settings, o.seed);
    const train::TrainResult r = train::run_training(*task, o, w.grad_sync());
    if (w.is_root()) print_training(*task, o, r);
  });
}

void add_eval(CLI::App* eval, const train::TaskInfo& info) {
  auto* sub = eval->add_subcommand(info.name, "Evaluate a trained " + info.name + " checkpoint on held-out data");
  auto model = std::make_shared<std::string>();
  auto seed = std::make_shared<uint64_t>(1);
  add_model_flag(sub, *model);
  add_seed_flag(sub, *seed);
  auto copy_settings = add_setting_flags(sub, info.eval_settings);
  sub->callback([model, seed, copy_settings, &info] {
    train::Settings settings(info.eval_settings);
    copy_settings(settings);
    for (const auto& line : info.evaluate(*model, settings, *seed).lines) std::printf("%s\n", line.c_str());
  });
}

void setup_train(CLI::App& app) {
  auto* train = app.add_subcommand("train", "Train a model on a task (checkpoints with -o, resume with --resume)");
  train->require_subcommand(1);
  auto* eval = app.add_subcommand("eval", "Evaluate a trained model on its task");
  eval->require_subcommand(1);
  for (const train::TaskInfo& info : train::tasks()) {
    add_train(train, info);
    if (info.evaluate) add_eval(eval, info);
  }
}

ATTNSCOPE_REGISTER_COMMAND(setup_train);

}  // namespace
}  // namespace attnscope::cli
