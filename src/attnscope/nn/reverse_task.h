// The sequence-reversal task: given x_0 .. x_{L-1} over a small alphabet, output
// x_{L-1} .. x_0. A real test of recurrent learning: every output depends on a symbol up to
// L-1 steps away. Model: a GRU or LSTM encoder-decoder (Sutskever et al. 2014) without
// attention: the encoder's final state starts the decoder, which is trained with teacher
// forcing (inputs BOS, y_0, .., y_{L-2}) and evaluated by greedy decoding. Variable lengths
// (min_len < seq_len) exercise masks: shorter rows are right-padded.
//
// train_reverse() is resumable: the checkpoint holds the model, AdamW's state, the step, the
// data RNG, dropout RNGs and the loss history, so N steps straight and N/2 + resume + N/2 give
// the same loss curve bit for bit (same thread count).
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "attnscope/nn/dropout.h"
#include "attnscope/nn/embedding.h"
#include "attnscope/nn/linear.h"
#include "attnscope/nn/recurrent.h"
#include "attnscope/nn/train_task.h"

namespace attnscope::nn {

struct ReverseConfig {
  std::string cell = "gru";  // gru | lstm
  int64_t vocab = 10;        // alphabet size V
  int64_t seq_len = 8;       // T (longest sequence)
  int64_t min_len = 8;       // shortest sequence (== seq_len: fixed length)
  int64_t embed = 16;        // E
  int64_t hidden = 128;      // H
  int layers = 1;
  double dropout = 0.0;      // on embeddings
  std::string to_json() const;
  static ReverseConfig from_json(const std::string& text);  // FormatError on bad fields
  void validate() const;                                     // ConfigError
};

class ReverseModel : public Module {
 public:
  ReverseModel(const ReverseConfig& cfg, Rng& rng);
  std::string type_name() const override { return "ReverseModel"; }
  // "reverse-gru" / "reverse-lstm": the checkpoint's model_type.
  std::string model_type() const { return "reverse-" + cfg_.cell; }
  const ReverseConfig& config() const { return cfg_; }
  // Teacher-forced logits [B, T, V]: ids, targets [B, T] row-major (targets < 0 = padding),
  // mask [B, T].
  Tensor forward(const std::vector<int64_t>& ids, const std::vector<int64_t>& targets, int64_t B,
                 int64_t T, const Tensor& mask);
  // Greedy decoding of T symbols per row -> [B, T] ids (no grad).
  std::vector<int64_t> greedy(const std::vector<int64_t>& ids, int64_t B, int64_t T, const Tensor& mask);

 private:
  RecurrentOutput encode(const std::vector<int64_t>& ids, int64_t B, int64_t T, const Tensor& mask);
  Tensor embed(Embedding& table, const std::vector<int64_t>& ids, int64_t B, int64_t T);
  ReverseConfig cfg_;
  std::shared_ptr<Embedding> src_embed_, tgt_embed_;  // [V, E], [V + 1, E] (BOS = V)
  std::shared_ptr<Dropout> dropout_;
  std::shared_ptr<RecurrentBase> encoder_, decoder_;
  std::shared_ptr<Linear> proj_;                      // H -> V
};

struct ReverseBatch {
  int64_t B = 0, T = 0;
  std::vector<int64_t> ids;      // [B, T], 0 at padding
  std::vector<int64_t> targets;  // [B, T], kIgnore at padding
  Tensor mask;                   // [B, T] f32 0/1
  static constexpr int64_t kIgnore = -100;
};
ReverseBatch make_reverse_batch(const ReverseConfig& cfg, int64_t B, Rng& rng);

// Token accuracy on `batches` fresh batches of B (eval mode, no grad); the model's training
// mode is restored afterwards.
double reverse_accuracy(ReverseModel& model, Rng& rng, int64_t batches = 8, int64_t B = 128);

struct ReverseTrainOptions {
  uint64_t seed = 1;
  int64_t steps = 600;
  int64_t batch = 64;
  double lr = 1e-2;
  int64_t warmup = 50;
  std::string schedule = "cosine";
  double clip = 1.0;
  int64_t checkpoint_every = 0;  // also save every N steps (0: only at the end)
  std::string output, resume;
  bool quiet = true;
  std::function<void(ReverseModel&)> on_finish;  // called with the trained model (e.g. to show examples)
};

// Trains (or resumes) to opt.steps total steps. on_step(step, loss) is called after each step.
TrainTaskResult train_reverse(const ReverseConfig& cfg, const ReverseTrainOptions& opt,
                              const std::function<void(int64_t, float)>& on_step = {});

// `train reverse`: settings via params (cell, vocab, seq_len, min_len, embed, hidden, layers,
// dropout, batch, lr, warmup, schedule, clip, checkpoint_every).
TrainTask reverse_train_task();

}  // namespace attnscope::nn
