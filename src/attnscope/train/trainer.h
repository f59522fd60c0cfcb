// The Trainer: the one training loop of attnscope, for every task. Each step reads like llm.c's:
//   loss = task.train_loss(batch)      next batch + forward (this replica's shard)
//   zero grad, backward
//   sync.all_reduce(grads)             no-op in one process; MPI / test replicas plug in here
//   clip, learning rate, update
// Around it: AdamW (weight decay 0 = Adam) with warm-up + cosine / inverse-sqrt / constant
// schedule, a non-finite-loss guard, a progress bar with ETA, periodic validation, atomic
// checkpoints, focus snapshots, a time limit, early stopping on validation — and bit-exact resume: a checkpoint holds the
// model, the optimizer's moments and step, the data RNG, the model's dropout RNGs and the loss
// history, so N steps straight equal N/2 + resume + N/2 bit for bit (same thread count).
// The settings that shape the loss curve are stored too; resuming with others is refused.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "attnscope/focus/training_series.h"
#include "attnscope/io/trace.h"
#include "attnscope/train/grad_sync.h"
#include "attnscope/train/task.h"

namespace attnscope::train {

struct TrainerOptions {
  int64_t steps = 1000;              // total steps to reach (a resumed run continues to it)
  int64_t batch = 64;                // global batch (examples per step over all replicas)
  double lr = 3e-3;                  // peak learning rate
  double min_lr_fraction = 0.05;     // the schedule's floor, as a share of lr
  int64_t warmup = 100;
  std::string schedule = "cosine";   // cosine | inverse_sqrt | constant
  double weight_decay = 0.0;         // AdamW's decoupled decay (0: Adam)
  double clip = 1.0;                 // global gradient-norm clip (0: off)
  double time_limit = 0;             // seconds; > 0 stops early (the schedule keeps its length)
  int64_t eval_every = 250;          // validation and checkpoint period (steps)
  int64_t focus_every = 0;           // > 0: a focus snapshot every N steps (and at 0 and the end)
  // Early stopping on the validation loss: at the end the model (and the final checkpoint) holds
  // the weights of the best validation of this run; patience > 0 stops after that many
  // validations without improvement.
  bool keep_best = false;
  int64_t patience = 0;
  std::string output;                // checkpoint path ("": none)
  std::string resume;                // checkpoint to resume from ("": fresh start)
  std::string focus_output;          // snapshots trace; "" with focus_every > 0: beside the output
  uint64_t seed = 1;                 // the data stream's seed (the task seeded the model)
  bool quiet = false;                // no progress bar
  std::vector<std::pair<std::string, std::string>> task_settings;  // stored in checkpoints, checked on resume
  // Called after every step with (step, loss) — tests use it to stop a run as a kill would.
  std::function<void(int64_t, float)> on_step;
};

struct TrainResult {
  std::vector<float> losses;                               // per step from step 0 (resumed runs included)
  std::vector<std::pair<int64_t, double>> valid_losses;    // (step, loss)
  int64_t steps = 0;                                       // steps done in total
  int64_t best_step = -1;                                  // keep_best: the step whose weights were kept
  double seconds = 0;                                      // wall time of this run
  double units_per_second = 0;                             // throughput of this run (Task::unit_name)
  io::Trace focus;                                         // snapshots (empty without focus_every)
  focus::TrainingSeries series;                            // focus measures per snapshot (resumed runs included)
  std::string focus_output;                                // where they were written ("" none)
};

// Trains `task` (resuming when opt.resume is set). ConfigError for invalid options or a resume
// that does not match; ValueError when the loss stops being finite. Output paths are checked
// before the first step.
TrainResult run_training(Task& task, const TrainerOptions& opt, GradSync* sync = nullptr);

// The focus series of a run (focus/training_series.h): from a training checkpoint's state or a
// focus snapshot trace's meta. FormatError for a file that is neither (or a malformed series),
// ConfigError for one that holds no series (trained without focus snapshots).
focus::TrainingSeries read_focus_series(const std::string& path);

// The focus snapshots path used when none is given: "<output>.focus.attn.safetensors", or
// "focus.attn.safetensors" without an output.
std::string default_focus_output(const std::string& output);

}  // namespace attnscope::train
