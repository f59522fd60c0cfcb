// The Trainer's seams: the gradient-synchronisation hook (two replicas on half-batches make the
// same update as one on the whole batch), output paths checked before any step, the task table.
#include <gtest/gtest.h>

#include <barrier>
#include <filesystem>
#include <thread>

#include "attnscope/core/error.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/parallel.h"
#include "attnscope/nn/linear.h"
#include "attnscope/train/task_registry.h"
#include "attnscope/train/tasks/reverse_task.h"
#include "attnscope/train/trainer.h"

namespace attnscope::train {
namespace {

// Two replicas in two threads of one process: all_reduce exchanges gradients through shared
// memory, as MPI_Allreduce would between processes.
struct Exchange {
  std::barrier<> barrier{2};
  const std::vector<Tensor>* grads[2] = {nullptr, nullptr};
  double loss[2] = {0, 0}, units[2] = {0, 0};
  bool flag[2] = {false, false};
};

class ThreadPairSync : public GradSync {
 public:
  ThreadPairSync(Exchange& x, int index) : x_(x), index_(index) {}
  Shard shard() const override { return {index_, 2}; }
  bool is_root() const override { return index_ == 0; }
  double all_reduce(const std::vector<Tensor>& grads, double loss, double units) override {
    x_.grads[index_] = &grads;
    x_.loss[index_] = loss;
    x_.units[index_] = units;
    x_.barrier.arrive_and_wait();
    const double w0 = x_.units[0], w1 = x_.units[1], W = w0 + w1;
    std::vector<std::vector<float>> mean;
    for (size_t i = 0; i < grads.size(); ++i) {
      const std::vector<float> a = (*x_.grads[0])[i].to_vector(), b = (*x_.grads[1])[i].to_vector();
      std::vector<float> m(a.size());
      for (size_t k = 0; k < a.size(); ++k) m[k] = static_cast<float>((w0 * a[k] + w1 * b[k]) / W);
      mean.push_back(std::move(m));
    }
    x_.barrier.arrive_and_wait();  // both have read before either writes
    for (size_t i = 0; i < grads.size(); ++i) {
      Tensor g = grads[i];
      std::copy(mean[i].begin(), mean[i].end(), g.data<float>());
    }
    return (w0 * x_.loss[0] + w1 * x_.loss[1]) / W;
  }
  bool any(bool flag) override {
    x_.flag[index_] = flag;
    x_.barrier.arrive_and_wait();
    const bool r = x_.flag[0] || x_.flag[1];
    x_.barrier.arrive_and_wait();
    return r;
  }

 private:
  Exchange& x_;
  int index_;
};

models::ReverseConfig small_config() {
  models::ReverseConfig c;
  c.hidden = 24;
  c.embed = 8;
  c.min_len = 3;  // rows of different lengths: the replicas' token counts differ
  return c;
}

TrainerOptions options(int64_t steps) {
  TrainerOptions o;
  o.steps = steps;
  o.batch = 32;
  o.lr = 1e-2;
  o.warmup = 3;
  o.clip = 0.5;  // clipping acts on the synchronised gradient, so it must agree too
  o.eval_every = 1000;
  o.quiet = true;
  return o;
}

TEST(Trainer, TwoReplicasOnHalfBatchesMakeTheWholeBatchUpdate) {
  set_num_threads(1);
  ReverseTask whole(small_config(), 3);
  const TrainResult one = run_training(whole, options(12));

  Exchange x;
  ReverseTask r0(small_config(), 3), r1(small_config(), 3);
  TrainResult two[2];
  std::thread t1([&] {
    ThreadPairSync s(x, 1);
    two[1] = run_training(r1, options(12), &s);
  });
  ThreadPairSync s0(x, 0);
  two[0] = run_training(r0, options(12), &s0);
  t1.join();

  ASSERT_EQ(two[0].losses.size(), one.losses.size());
  for (size_t i = 0; i < one.losses.size(); ++i) {
    EXPECT_NEAR(two[0].losses[i], one.losses[i], 1e-5 * std::abs(one.losses[i])) << "step " << i;
    EXPECT_EQ(two[0].losses[i], two[1].losses[i]) << "replicas disagree at step " << i;
  }
  const auto pw = whole.model().named_parameters(), p0 = r0.model().named_parameters(), p1 = r1.model().named_parameters();
  for (size_t i = 0; i < pw.size(); ++i) {
    const auto a = pw[i].second.to_vector(), b = p0[i].second.to_vector(), c = p1[i].second.to_vector();
    EXPECT_EQ(b, c) << pw[i].first;
    for (size_t k = 0; k < a.size(); ++k) ASSERT_NEAR(a[k], b[k], 2e-5 + 1e-4 * std::abs(a[k])) << pw[i].first << "[" << k << "]";
  }
  // The replicas really trained on different rows: one replica alone on its half differs.
  ReverseTask half(small_config(), 3);
  struct HalfOnly : GradSync {
    Shard shard() const override { return {0, 2}; }
  } h;
  const TrainResult alone = run_training(half, options(12), &h);
  EXPECT_NE(alone.losses.back(), one.losses.back());
}

TEST(Trainer, OutputPathsAreCheckedBeforeTheFirstStep) {
  ReverseTask task(small_config(), 1);
  TrainerOptions o = options(5);
  int steps = 0;
  o.on_step = [&](int64_t, float) { ++steps; };
  o.output = "/nonexistent-dir/x.ckpt";
  EXPECT_THROW(run_training(task, o), IoError);
  o.output.clear();
  o.focus_every = 1;
  o.focus_output = "/nonexistent-dir/focus.attn.safetensors";
  EXPECT_THROW(run_training(task, o), IoError);
  EXPECT_EQ(steps, 0);
  o = options(5);
  o.steps = 0;
  EXPECT_THROW(run_training(task, o), ConfigError);
  o = options(5);
  o.schedule = "linear";
  EXPECT_THROW(run_training(task, o), ConfigError);
}

// Every task of the table builds from its default settings and trains a step; its settings have
// unique names and valid defaults.
TEST(Trainer, EveryRegisteredTaskTrainsAStep) {
  set_num_threads(1);
  ASSERT_FALSE(tasks().empty());
  for (const TaskInfo& info : tasks()) {
    Settings s(info.settings);
    for (const auto& spec : info.settings)
      if (!spec.fallback.empty()) {
        EXPECT_NO_THROW(s.set(spec.name, spec.fallback)) << info.name << " " << spec.name;
      }
    auto task = info.make(Settings(info.settings), 1);
    TrainerOptions o = info.defaults(Settings(info.settings));
    o.steps = 1;
    o.batch = 4;
    o.quiet = true;
    const TrainResult r = run_training(*task, o);
    ASSERT_EQ(r.losses.size(), 1u) << info.name;
    EXPECT_TRUE(std::isfinite(r.losses[0])) << info.name;
    EXPECT_EQ(&find_task(info.name), &info);
  }
  EXPECT_THROW(find_task("juggle"), ConfigError);
}

// A task whose validation losses follow a script: early stopping must keep the weights of the
// best validation and stop after `patience` validations without improvement.
class ScriptedTask : public Task {
 public:
  explicit ScriptedTask(std::vector<double> script) : script_(std::move(script)) {
    Rng rng(5);
    model_ = std::make_unique<Lin>(rng);
  }
  nn::Module& model() override { return *model_; }
  std::string model_type() const override { return "scripted"; }
  std::string model_config() const override { return "{}"; }
  StepLoss train_loss(int64_t, Rng& rng, const Shard&) override {
    const Tensor x = Tensor::randn(Shape{4, 3}, rng);
    return {ops::mean(ops::pow(model_->lin->forward(x), 2.0)), 4};
  }
  double valid_loss() override {
    seen.push_back(model_->lin->weight().detach().clone().to_vector());
    return script_.at(seen.size() - 1);
  }
  EvalReport evaluate() override { return {}; }
  io::Trace trace_focus() override { return {}; }
  struct Lin : nn::Module {
    explicit Lin(Rng& rng) { lin = register_module("lin", std::make_shared<nn::Linear>(3, 2, rng)); }
    std::string type_name() const override { return "Lin"; }
    std::shared_ptr<nn::Linear> lin;
  };
  std::unique_ptr<Lin> model_;
  std::vector<std::vector<float>> seen;  // weights at each validation

 private:
  std::vector<double> script_;
};

TEST(Trainer, EarlyStoppingKeepsTheBestValidationsWeights) {
  ScriptedTask task({5, 4, 2, 3, 3.5, 2.5, 9, 9});
  TrainerOptions o;
  o.steps = 80;
  o.eval_every = 10;
  o.lr = 0.05;
  o.warmup = 0;
  o.quiet = true;
  o.keep_best = true;
  o.patience = 3;
  const TrainResult r = run_training(task, o);
  EXPECT_EQ(r.best_step, 30);     // the third validation (loss 2)
  EXPECT_EQ(r.steps, 60);         // 3, 3.5, 2.5 do not improve on 2: stopped at the sixth
  ASSERT_EQ(task.seen.size(), 6u);
  EXPECT_NE(task.seen[2], task.seen[5]);
  EXPECT_EQ(task.model_->lin->weight().to_vector(), task.seen[2]);

  ScriptedTask plain({5, 4, 2, 3, 3.5, 2.5, 9, 9});
  o.keep_best = false;
  o.patience = 0;
  const TrainResult r2 = run_training(plain, o);
  EXPECT_EQ(r2.steps, 80);
  EXPECT_EQ(plain.model_->lin->weight().to_vector(), plain.seen.back());
}

TEST(Settings, ValidatesNamesValuesAndBounds) {
  Settings s({text_setting("cell", "gru", "", {"gru", "lstm"}), int_setting("hidden", 128, "", 1, 1024),
              real_setting("dropout", 0.1, "", 0, 0.9), flag_setting("tie", "")});
  EXPECT_EQ(s.text("cell"), "gru");
  EXPECT_FALSE(s.given("cell"));
  s.set("cell", "lstm");
  EXPECT_TRUE(s.given("cell"));
  EXPECT_EQ(s.integer("hidden"), 128);
  EXPECT_DOUBLE_EQ(s.real("dropout"), 0.1);
  EXPECT_FALSE(s.flag("tie"));
  s.set("tie", "true");
  EXPECT_TRUE(s.flag("tie"));
  EXPECT_THROW(s.set("cell", "rnn"), ConfigError);
  EXPECT_THROW(s.set("hidden", "0"), ConfigError);
  EXPECT_THROW(s.set("hidden", "12x"), ConfigError);
  EXPECT_THROW(s.set("hidden", "99999999999999999999999"), ConfigError);
  EXPECT_THROW(s.set("dropout", "nan"), ConfigError);
  EXPECT_THROW(s.set("colour", "red"), ConfigError);
  EXPECT_THROW(s.text("colour"), ConfigError);
  EXPECT_EQ(s.values().at("cell"), "lstm");
  EXPECT_THROW(Settings({int_setting("a", 1, ""), int_setting("a", 2, "")}), ConfigError);
}

}  // namespace
}  // namespace attnscope::train
