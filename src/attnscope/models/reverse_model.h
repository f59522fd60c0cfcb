// The sequence-reversal task: given x_0 .. x_{L-1} over a small alphabet, output
// x_{L-1} .. x_0. A real test of recurrent learning: every output depends on a symbol up to
// L-1 steps away. Model: a GRU or LSTM encoder-decoder (Sutskever et al. 2014) without
// attention: the encoder's final state starts the decoder, which is trained with teacher
// forcing (inputs BOS, y_0, .., y_{L-2}) and evaluated by greedy decoding. Variable lengths
// (min_len < seq_len) exercise masks: shorter rows are right-padded.
//
// The task that trains it is train/tasks/reverse_task.h.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "attnscope/nn/dropout.h"
#include "attnscope/nn/embedding.h"
#include "attnscope/nn/linear.h"
#include "attnscope/nn/recurrent.h"

namespace attnscope::models {

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

class ReverseModel : public nn::Module {
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
  nn::RecurrentOutput encode(const std::vector<int64_t>& ids, int64_t B, int64_t T, const Tensor& mask);
  Tensor embed(nn::Embedding& table, const std::vector<int64_t>& ids, int64_t B, int64_t T);
  ReverseConfig cfg_;
  std::shared_ptr<nn::Embedding> src_embed_, tgt_embed_;  // [V, E], [V + 1, E] (BOS = V)
  std::shared_ptr<nn::Dropout> dropout_;
  std::shared_ptr<nn::RecurrentBase> encoder_, decoder_;
  std::shared_ptr<nn::Linear> proj_;                      // H -> V
};

// A batch of the task: ids [B, T] row-major (0 at padding), targets [B, T] (ops::kIgnore at
// padding), mask [B, T] f32 0/1.
struct ReverseBatch {
  int64_t B = 0, T = 0;
  std::vector<int64_t> ids, targets;
  Tensor mask;
};
ReverseBatch make_reverse_batch(const ReverseConfig& cfg, int64_t B, Rng& rng);

// Token accuracy of greedy decoding on `batches` fresh batches of B (eval mode, no grad).
double reverse_accuracy(ReverseModel& model, Rng& rng, int64_t batches = 8, int64_t B = 128);

}  // namespace attnscope::models
