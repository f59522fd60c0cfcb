#include "attnscope/train/trainer.h"
#include "attnscope/io/json_parse.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "attnscope/autograd/graph.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/core/progress.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/io/trace_io.h"
#include "attnscope/nn/checkpoint.h"
#include "attnscope/nn/eval_mode.h"
#include "attnscope/nn/lr_schedule.h"
#include "attnscope/nn/optimizer.h"

namespace attnscope::train {
namespace {

using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

// The data stream's seed (the translation runs measured in docs/ used this derivation).
uint64_t data_seed(uint64_t seed) { return seed * 7919 + 1; }

// Settings that shape the loss curve; a resumed run must use the same (steps may grow).
json curve_settings(const TrainerOptions& o) {
  json task = json::object();
  for (const auto& [k, v] : o.task_settings) task[k] = v;
  return json{{"batch", o.batch},       {"lr", o.lr},
              {"min_lr_fraction", o.min_lr_fraction}, {"warmup", o.warmup},
              {"schedule", o.schedule}, {"weight_decay", o.weight_decay},
              {"clip", o.clip},         {"task", task}};
}

void check_options(const TrainerOptions& o) {
  if (o.steps <= 0 || o.batch <= 0) throw ConfigError("training needs a positive number of steps and batch size");
  if (!(o.lr > 0) || o.warmup < 0 || o.eval_every <= 0 || o.focus_every < 0 || o.time_limit < 0 || o.clip < 0 ||
      o.weight_decay < 0 || o.patience < 0)
    throw ConfigError("training needs lr > 0 and non-negative warm-up, clip, weight decay, periods and time limit");
  nn::LrSchedule::parse_kind(o.schedule);
}

// Eval mode without gradients for the scope; training mode restored even when a call throws.
struct Evaluating {
  explicit Evaluating(nn::Module& m) : eval_mode(m) {}
  nn::EvalMode eval_mode;
  autograd::NoGrad no_grad;
};

}  // namespace

focus::TrainingSeries read_focus_series(const std::string& path) {
  const io::SafetensorsFile f = io::SafetensorsFile::open(path);
  const auto& md = f.metadata();
  if (md.count("model_type") && md.count("training")) {
    const json tr = io::parse_json(md.at("training"), "'" + path + "': training state");
    if (!tr.is_object() || !tr.contains(focus::kSeriesKey))
      throw ConfigError("'" + path + "' is a training checkpoint without a focus series (trained without focus snapshots)");
    return focus::series_from_json(tr[focus::kSeriesKey], "'" + path + "'");
  }
  io::Trace t;
  try {
    t = io::read_trace(path);
  } catch (const FormatError&) {
    throw FormatError("'" + path + "' is neither a training checkpoint nor a trace of focus snapshots");
  }
  const auto it = t.meta.find(focus::kSeriesKey);
  if (it == t.meta.end())
    throw ConfigError("'" + path + "' holds no focus series (only the focus snapshots written by training have one)");
  return focus::series_from_json(io::parse_json(it->second, "'" + path + "': focus series"), "'" + path + "'");
}

std::string default_focus_output(const std::string& output) {
  return output.empty() ? "focus.attn.safetensors" : output + ".focus.attn.safetensors";
}

TrainResult run_training(Task& task, const TrainerOptions& opt, GradSync* sync_in) {
  check_options(opt);
  GradSync local;
  GradSync& sync = sync_in ? *sync_in : local;
  const bool root = sync.is_root();
  const Shard shard = sync.shard();
  if (shard.end(opt.batch) <= shard.begin(opt.batch))
    throw ConfigError("a batch of " + std::to_string(opt.batch) + " leaves replica " + std::to_string(shard.index) +
                      " of " + std::to_string(shard.count) + " without examples");
  TrainResult res;
  res.focus_output = opt.focus_every > 0 ? (opt.focus_output.empty() ? default_focus_output(opt.output) : opt.focus_output) : "";
  if (root) {
    check_output_path(opt.output, "checkpoint");
    check_output_path(res.focus_output, "focus snapshots");
  }

  nn::Module& model = task.model();
  nn::AdamOptions ao;
  ao.lr = opt.lr;
  ao.weight_decay = opt.weight_decay;
  nn::AdamW optim(model.named_parameters(), ao);
  nn::LrSchedule sched;
  sched.kind = nn::LrSchedule::parse_kind(opt.schedule);
  sched.peak_lr = opt.lr;
  sched.warmup = opt.warmup;
  sched.total = opt.steps;
  sched.min_lr = opt.lr * opt.min_lr_fraction;
  Rng data_rng(data_seed(opt.seed));
  const nn::NamedRngs rngs = {{"data", &data_rng}};
  const json settings = curve_settings(opt);

  int64_t step = 0;
  if (!opt.resume.empty()) {
    const nn::CheckpointMeta meta = nn::read_checkpoint_meta(opt.resume);
    if (meta.model_type != task.model_type() || meta.config != task.model_config())
      throw ConfigError("cannot resume from '" + opt.resume + "': it holds a '" + meta.model_type +
                        "' model trained with another configuration or data than this run's");
    json tr;
    try {
      tr = io::parse_json(meta.training, "checkpoint training state");
      res.losses = tr.at("losses").get<std::vector<float>>();
      for (const auto& v : tr.value("valid_losses", json::array())) res.valid_losses.emplace_back(v.at(0), v.at(1));
      if (tr.contains(focus::kSeriesKey)) res.series = focus::series_from_json(tr[focus::kSeriesKey], "checkpoint '" + opt.resume + "'");
    } catch (const json::exception&) {
      throw FormatError("checkpoint '" + opt.resume + "': its training state is not valid");
    }
    // The same curve needs the same settings: refuse a silent change.
    const json before = tr.value("settings", json::object());
    std::string was, now;  // only the settings that differ, "--name value" as the user would type them
    const auto differ = [&](const std::string& name, const json& a, const json& b) {
      const auto shown = [](const json& v) { return v.is_string() ? (v.get<std::string>().empty() ? "(not given)" : v.get<std::string>()) : v.dump(); };
      was += (was.empty() ? "" : " ") + ("--" + name + " " + shown(a));
      now += (now.empty() ? "" : " ") + ("--" + name + " " + shown(b));
    };
    for (const auto& [key, value] : settings.items()) {
      if (!before.contains(key) || before[key] == value) continue;
      if (key == "task" && before[key].is_object() && value.is_object()) {
        for (const auto& [k, v] : value.items())
          if (before[key].contains(k) && before[key][k] != v) differ(k, before[key][k], v);
      } else {
        differ(key, before[key], value);
      }
    }
    if (!was.empty())
      throw ConfigError("cannot resume from '" + opt.resume + "': it was trained with " + was + ", this run has " + now +
                        " (give the same settings to continue its curve)");
    nn::load_checkpoint(opt.resume, model, task.model_type(), &optim, rngs);
    step = meta.step;
    if (static_cast<int64_t>(res.losses.size()) != step)
      throw FormatError("checkpoint '" + opt.resume + "': its loss history does not match its step count");
    if (root && !res.focus_output.empty() && std::filesystem::exists(res.focus_output)) {
      res.focus = io::read_trace(res.focus_output);
      std::erase_if(res.focus.snapshots, [&](const io::TraceSnapshot& s) { return s.step > step; });
    }
    res.series.truncate_after(step);
  }

  auto snapshot = [&](int64_t at) {
    if (!root || opt.focus_every <= 0) return;
    if (!res.focus.snapshots.empty() && res.focus.snapshots.back().step == at) return;
    io::Trace t;
    {
      Evaluating ev(model);
      t = task.trace_focus();
    }
    if (t.layers.empty()) return;
    if (res.focus.sequences.empty()) {
      res.focus.sequences = t.sequences;
      res.focus.meta = t.meta;
    }
    res.focus.layers = t.layers;
    res.focus.snapshots.push_back({"step " + std::to_string(at), at, t.layers});
    if (res.series.empty() || res.series.points.back().step < at) {
      focus::SeriesPoint p = focus::trace_point(t, at);
      Evaluating ev(model);
      for (const auto& [k, v] : task.focus_measures()) p.values[k] = v;
      res.series.points.push_back(std::move(p));
    }
  };
  auto save = [&](int64_t at) {
    if (!root) return;
    if (!opt.output.empty()) {
      json tr = {{"losses", res.losses}, {"steps", opt.steps}, {"settings", settings}};
      json vl = json::array();
      for (const auto& [s, l] : res.valid_losses) vl.push_back({s, l});
      tr["valid_losses"] = vl;
      if (!res.series.empty()) tr[focus::kSeriesKey] = focus::to_json(res.series);
      nn::save_checkpoint(opt.output, model, {task.model_type(), task.model_config(), at, tr.dump()}, &optim, rngs);
    }
    if (!res.focus.snapshots.empty()) {
      res.focus.meta[focus::kSeriesKey] = focus::to_json(res.series).dump();
      io::write_trace(res.focus, res.focus_output);
    }
  };

  const std::vector<Tensor> params = model.parameters();
  // keep_best: the best validation's weights, kept in memory (this run's validations only).
  std::vector<Tensor> best;
  double best_loss = INFINITY;
  int64_t since_best = 0;
  model.train();
  const auto start = Clock::now();
  double units = 0;
  Progress progress("train " + task.model_type(), opt.steps, opt.quiet || !root);
  progress.tick(step);
  if (step == 0) snapshot(0);
  while (step < opt.steps) {
    optim.zero_grad();
    StepLoss sl = task.train_loss(opt.batch, data_rng, shard);
    autograd::backward(sl.loss);
    std::vector<Tensor> grads;
    grads.reserve(params.size());
    for (const Tensor& p : params)
      if (p.grad().defined()) grads.push_back(p.grad());
    const double lv = sync.all_reduce(grads, sl.loss.item(), sl.units);
    if (!std::isfinite(lv))
      throw ValueError("training loss became " + std::to_string(lv) + " at step " + std::to_string(step) +
                       " (try a lower learning rate)");
    if (opt.clip > 0) nn::clip_grad_norm(params, opt.clip);
    optim.set_lr(sched.at(step));
    optim.step();
    res.losses.push_back(static_cast<float>(lv));
    units += sl.units;
    ++step;
    char status[48];
    std::snprintf(status, sizeof status, "loss=%.4f", lv);
    progress.set_status(status);
    progress.tick();
    if (opt.on_step) opt.on_step(step - 1, static_cast<float>(lv));
    if (opt.focus_every > 0 && step % opt.focus_every == 0) snapshot(step);
    const bool out_of_time = sync.any(opt.time_limit > 0 &&
                                      std::chrono::duration<double>(Clock::now() - start).count() > opt.time_limit);
    bool stop = out_of_time;
    if (step % opt.eval_every == 0 || step == opt.steps || out_of_time) {
      bool improved = false;
      if (root) {
        Evaluating ev(model);
        const double vl = task.valid_loss();
        res.valid_losses.emplace_back(step, vl);
        improved = vl < best_loss;
        if (improved) best_loss = vl;
      }
      if (opt.keep_best && root && improved) {
        best.clear();
        for (const Tensor& p : params) best.push_back(p.detach().clone());
        res.best_step = step;
      }
      since_best = improved ? 0 : since_best + 1;
      stop = sync.any(stop || (root && opt.patience > 0 && since_best >= opt.patience));  // root validates
      snapshot(step);
      save(step);
    }
    if (stop) break;
  }
  if (opt.keep_best && root && !best.empty() && res.best_step != step) {
    // The final checkpoint holds the best weights (its optimizer state stays the last step's).
    for (size_t i = 0; i < params.size(); ++i) Tensor(params[i]).copy_from(best[i]);
    save(step);
  }
  progress.finish();
  res.steps = step;
  res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  res.units_per_second = res.seconds > 0 ? units * shard.count / res.seconds : 0;
  model.eval();
  return res;
}

}  // namespace attnscope::train
