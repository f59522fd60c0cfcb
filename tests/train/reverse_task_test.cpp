// The reversal task through the Trainer: a GRU and an LSTM learn to reverse length-8 sequences
// over 10 symbols to >= 99% token accuracy from a fixed seed in seconds; a run killed after a
// checkpoint and resumed continues the same loss curve bit for bit.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/core/parallel.h"
#include "attnscope/nn/checkpoint.h"
#include "attnscope/train/tasks/reverse_task.h"
#include "attnscope/train/trainer.h"
#include "slow_tests.h"

namespace attnscope::train {
namespace {

using models::ReverseBatch;
using models::ReverseConfig;
using models::ReverseModel;

std::string tmp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("attnscope_train_" + name)).string();
}

// One thread: ctest runs two test processes at once on 2 cores, and at this size (B=64, H=128)
// a second OpenMP thread per process only adds fork/join waits (measured: 60 steps took 2.9 s
// with 1 thread, 44 s with 2 on a loaded machine).
struct OneThread {
  OneThread() { set_num_threads(1); }
  ~OneThread() { set_num_threads(0); }
};

TrainerOptions quiet_defaults() {
  TrainerOptions o = reverse_defaults(Settings(reverse_settings()));
  o.quiet = true;
  return o;
}

void expect_learns(const std::string& cell, int64_t steps) {
  OneThread one;
  ReverseConfig cfg;
  cfg.cell = cell;
  ReverseTask task(cfg, 1);
  TrainerOptions opt = quiet_defaults();
  opt.steps = steps;
  const TrainResult r = run_training(task, opt);
  const double acc = task.evaluate().metrics.at("token_accuracy");
  std::printf("reverse-%s: %lld steps in %.2f s, loss %.4f -> %.4f, token accuracy %.4f\n", cell.c_str(),
              static_cast<long long>(r.steps), r.seconds, r.losses.front(), r.losses.back(), acc);
  if (!slow_tests()) {  // the sanitizer build's short run: learning has started
    EXPECT_LT(r.losses.back(), 0.7 * r.losses.front());
    return;
  }
  EXPECT_GE(acc, 0.99) << cell;
  EXPECT_LT(r.losses.back(), 0.1 * r.losses.front());
}

TEST(ReverseTask, GruLearnsToReverse) { expect_learns("gru", slow_tests() ? 600 : 150); }
TEST(ReverseTask, LstmLearnsToReverse) { expect_learns("lstm", slow_tests() ? 600 : 150); }

// N steps straight == N/2, checkpoint, fresh process state, resume, N/2: same losses bit for
// bit, same final weights. Dropout and variable lengths on, so the data RNG, the dropout RNG,
// AdamW's moments and step count and the schedule position must all be restored.
TEST(ReverseTask, ResumeContinuesTheSameLossCurveBitwise) {
  ReverseConfig cfg;
  cfg.hidden = 16;
  cfg.embed = 8;
  cfg.min_len = 4;
  cfg.dropout = 0.1;
  TrainerOptions opt = quiet_defaults();
  opt.seed = 5;
  opt.steps = 24;
  opt.batch = 16;
  opt.warmup = 5;
  const std::string straight = tmp_path("straight.safetensors"), half = tmp_path("half.safetensors"),
                    resumed = tmp_path("resumed.safetensors");
  opt.output = straight;
  ReverseTask ta(cfg, 5);
  const TrainResult a = run_training(ta, opt);

  // A run killed during step 14: its periodic checkpoint at step 12 is what is left.
  TrainerOptions first = opt;
  first.output = half;
  first.eval_every = 6;
  struct Killed {};
  first.on_step = [](int64_t step, float) {
    if (step == 13) throw Killed{};
  };
  ReverseTask tb(cfg, 5);
  EXPECT_THROW(run_training(tb, first), Killed);
  ASSERT_EQ(nn::read_checkpoint_meta(half).step, 12);
  TrainerOptions second = opt;
  second.resume = half;
  second.output = resumed;
  ReverseTask tc(cfg, 5);
  const TrainResult b = run_training(tc, second);

  ASSERT_EQ(a.losses.size(), 24u);
  ASSERT_EQ(b.losses.size(), 24u);
  for (size_t i = 0; i < a.losses.size(); ++i) EXPECT_EQ(a.losses[i], b.losses[i]) << "step " << i;  // bitwise
  EXPECT_EQ(ta.evaluate().metrics.at("token_accuracy"), tc.evaluate().metrics.at("token_accuracy"));

  Rng r1(0), r2(0);
  ReverseModel ma(cfg, r1), mb(cfg, r2);
  nn::load_checkpoint(straight, ma, "reverse-gru");
  nn::load_checkpoint(resumed, mb, "reverse-gru");
  const auto pa = ma.named_parameters(), pb = mb.named_parameters();
  for (size_t i = 0; i < pa.size(); ++i) EXPECT_EQ(pa[i].second.to_vector(), pb[i].second.to_vector()) << pa[i].first;
  EXPECT_EQ(nn::read_checkpoint_meta(resumed).step, 24);

  // Resuming with different training settings is refused (it could not continue the curve).
  TrainerOptions changed = second;
  changed.batch = 8;
  try {
    ReverseTask td(cfg, 5);
    run_training(td, changed);
    ADD_FAILURE() << "no error";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("trained with --batch 16, this run has --batch 8"), std::string::npos) << e.what();
  }
  // Resuming with another model is refused before anything is loaded.
  ReverseConfig lstm = cfg;
  lstm.cell = "lstm";
  ReverseTask te(lstm, 5);
  EXPECT_THROW(run_training(te, second), ConfigError);
  for (const auto& p : {straight, half, resumed}) std::filesystem::remove(p);
}

TEST(ReverseTask, BatchesAreReversedAndPadded) {
  ReverseConfig cfg;
  cfg.min_len = 3;
  Rng rng(1);
  const ReverseBatch b = models::make_reverse_batch(cfg, 50, rng);
  for (int64_t r = 0; r < b.B; ++r) {
    int64_t L = 0;
    while (L < b.T && b.mask.at({r, L}) != 0) ++L;
    EXPECT_GE(L, 3);
    for (int64_t t = 0; t < b.T; ++t)
      EXPECT_EQ(b.targets[r * b.T + t], t < L ? b.ids[r * b.T + L - 1 - t] : ops::kIgnore);
  }
  ReverseConfig bad;
  bad.cell = "rnn";
  EXPECT_THROW(bad.validate(), ConfigError);
  EXPECT_THROW(ReverseConfig::from_json("{\"cell\": 3}"), FormatError);
}

}  // namespace
}  // namespace attnscope::train
