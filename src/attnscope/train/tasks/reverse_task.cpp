#include "attnscope/train/tasks/reverse_task.h"

#include <cstdio>

#include "attnscope/autograd/ops.h"

namespace attnscope::train {
namespace {

constexpr uint64_t kValidSeed = 0x7a11dULL, kEvalSeed = 0x9e3779b97f4a7c15ULL;

models::ReverseConfig config_of(const Settings& s) {
  models::ReverseConfig c;
  c.cell = s.text("cell");
  c.vocab = s.integer("vocab");
  c.seq_len = s.integer("seq-len");
  c.min_len = s.integer("min-len") > 0 ? s.integer("min-len") : c.seq_len;
  c.embed = s.integer("embed");
  c.hidden = s.integer("hidden");
  c.layers = static_cast<int>(s.integer("layers"));
  c.dropout = s.real("dropout");
  return c;
}

// Rows [b0, b1) of a batch.
models::ReverseBatch rows(const models::ReverseBatch& b, int64_t b0, int64_t b1) {
  if (b0 == 0 && b1 == b.B) return b;
  models::ReverseBatch r;
  r.B = b1 - b0;
  r.T = b.T;
  r.ids.assign(b.ids.begin() + b0 * b.T, b.ids.begin() + b1 * b.T);
  r.targets.assign(b.targets.begin() + b0 * b.T, b.targets.begin() + b1 * b.T);
  r.mask = b.mask.contiguous().as_strided(Shape{r.B, b.T}, Shape{b.T, 1}, b0 * b.T).contiguous();
  return r;
}

}  // namespace

std::vector<SettingSpec> reverse_settings() {
  const models::ReverseConfig d;
  return {
      text_setting("cell", d.cell, "Recurrent cell: gru or lstm", {"gru", "lstm"}),
      int_setting("vocab", d.vocab, "Alphabet size", 2, 100000),
      int_setting("seq-len", d.seq_len, "Longest sequence", 1, 10000),
      int_setting("min-len", 0, "Shortest sequence (0: all as long as seq-len)", 0, 10000),
      int_setting("embed", d.embed, "Embedding width", 1, 65536),
      int_setting("hidden", d.hidden, "Hidden width", 1, 65536),
      int_setting("layers", d.layers, "Recurrent layers", 1, 64),
      real_setting("dropout", d.dropout, "Dropout on embeddings", 0.0, 0.9),
  };
}

TrainerOptions reverse_defaults(const Settings&) {
  TrainerOptions o;
  o.steps = 600;
  o.batch = 64;
  o.lr = 1e-2;
  o.warmup = 50;
  o.eval_every = 100;
  return o;
}

ReverseTask::ReverseTask(const Settings& s, uint64_t seed) : ReverseTask(config_of(s), seed) {}

ReverseTask::ReverseTask(const models::ReverseConfig& cfg, uint64_t seed) : seed_(seed) {
  cfg.validate();
  Rng init(seed);
  model_ = std::make_unique<models::ReverseModel>(cfg, init);
  Rng valid_rng(seed ^ kValidSeed);
  for (int i = 0; i < 4; ++i) valid_.push_back(models::make_reverse_batch(cfg, 128, valid_rng));
}

StepLoss ReverseTask::train_loss(int64_t batch, Rng& rng, const Shard& shard) {
  const models::ReverseBatch b = rows(models::make_reverse_batch(model_->config(), batch, rng), shard.begin(batch), shard.end(batch));
  StepLoss out;
  out.loss = ops::cross_entropy(model_->forward(b.ids, b.targets, b.B, b.T, b.mask), b.targets, ops::kIgnore);
  for (int64_t t : b.targets) out.units += t != ops::kIgnore;
  return out;
}

double ReverseTask::valid_loss() {
  double sum = 0;
  for (const auto& b : valid_)
    sum += ops::cross_entropy(model_->forward(b.ids, b.targets, b.B, b.T, b.mask), b.targets, ops::kIgnore).item();
  return sum / valid_.size();
}

EvalReport ReverseTask::evaluate() {
  Rng eval_rng(seed_ + kEvalSeed);
  const double acc = models::reverse_accuracy(*model_, eval_rng);
  char line[96];
  std::snprintf(line, sizeof line, "reverse: token_accuracy=%.2f%%", 100 * acc);
  return {{line}, {{"token_accuracy", acc}}};
}

}  // namespace attnscope::train
