// Task: what one kind of training needs beyond the loop itself — the model, where batches come
// from, the loss, validation, task metrics and the attention of a fixed example. The Trainer
// (trainer.h) runs the loop for every task; a task never holds a loop of its own.
//
// A task is built ready to train (data read, vocabularies made, model initialised from the seed),
// from its Settings (settings.h) — the table in task_registry.cpp says how. docs/ARCHITECTURE.md
// ("How to add a task") walks through adding one.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "attnscope/core/rng.h"
#include "attnscope/io/trace.h"
#include "attnscope/nn/module.h"
#include "attnscope/tensor/tensor.h"

namespace attnscope::train {

// This replica's share of every global batch (data-parallel training: replica `index` of `count`
// takes rows [begin, end) of each batch; one process: all of it).
struct Shard {
  int64_t index = 0, count = 1;
  int64_t begin(int64_t batch) const { return batch * index / count; }
  int64_t end(int64_t batch) const { return batch * (index + 1) / count; }
};

// One step's forward: the loss is the mean over `units` (target tokens, examples, words) of this
// shard's rows; replicas are averaged weighted by their units, so K replicas give the gradient
// of the whole batch's mean.
struct StepLoss {
  Tensor loss;       // scalar, differentiable
  double units = 0;  // > 0
};

// Task metrics: printed lines (each verb's contract, e.g. "dates: exact=100.0% ...") and values.
struct EvalReport {
  std::vector<std::string> lines;
  std::map<std::string, double> metrics;
};

class Task {
 public:
  virtual ~Task() = default;

  virtual nn::Module& model() = 0;
  // What a checkpoint records to rebuild the model: its type (e.g. "translate-rnn") and JSON
  // config (for translators: architecture and vocabularies). A resumed run must match both.
  virtual std::string model_type() const = 0;
  virtual std::string model_config() const = 0;

  // Draws the next global batch of `batch` examples from `rng` (every replica draws the same)
  // and returns the loss over this shard's rows. Called in training mode with gradients on.
  virtual StepLoss train_loss(int64_t batch, Rng& rng, const Shard& shard) = 0;
  // Mean loss on the task's validation batches; called in eval mode without gradients.
  virtual double valid_loss() = 0;
  // Task metrics of the trained model on held-out data (end of a run).
  virtual EvalReport evaluate() = 0;
  // The attention on the task's fixed focus example (focus snapshots); a trace without layers
  // when the model has no attention.
  virtual io::Trace trace_focus() = 0;
  // The task's own focus quality at a focus snapshot, on a small fixed held-out sample (dates:
  // exact, alignment, aer; sentiment: rationale; captioning: pointing), recorded in the focus
  // series (focus/training_series.h). Called in eval mode without gradients; must not draw from
  // any training RNG (resume stays bit-exact). Default: none.
  virtual std::map<std::string, double> focus_measures() { return {}; }
  // What StepLoss::units counts, for the throughput line ("target tokens").
  virtual std::string unit_name() const { return "examples"; }
};

}  // namespace attnscope::train
