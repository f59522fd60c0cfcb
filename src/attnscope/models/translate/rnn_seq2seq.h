// RNN encoder-decoder with attention (Bahdanau et al. 2015; Luong et al. 2015):
//   encoder: embedding -> bidirectional GRU/LSTM -> memory [B, S, H] (H/2 per direction)
//   bridge:  s_0 = tanh(W_b [h_fwd_last; h_bwd_first])
//   decoder step t (input feeding): s_t = RNN([emb(y_{t-1}); a_{t-1}], s_{t-1})
//            c_t = attention(s_t, memory)          (additive | dot | general | local | hard | none)
//            a_t = tanh(W_c [s_t; c_t])             the attentional vector, fed to step t+1
//            p(y_t) = softmax(W_o a_t)
// "none" is the no-attention baseline: c_t is the encoder's final state at every step.
// "local" is Luong's local-p (a predicted centre, a window of +-`window` positions, general score);
// "hard" reads one source position per step (additive score), trained through the Gumbel-softmax
// straight-through estimator so that the ordinary cross-entropy loss suffices; argmax at inference.
// Every kind records its weights as "decoder.cross".
// Parameter names: src_embed, encoder, bridge, tgt_embed, decoder, attention, combine, out.
#pragma once
#include <memory>
#include <nlohmann/json_fwd.hpp>

#include "attnscope/attention/hard.h"
#include "attnscope/attention/local.h"
#include "attnscope/attention/soft.h"
#include "attnscope/models/translate/seq2seq.h"
#include "attnscope/nn/embedding.h"
#include "attnscope/nn/linear.h"
#include "attnscope/nn/recurrent.h"

namespace attnscope::models {

struct RnnSeq2SeqConfig {
  int64_t src_vocab = 0, tgt_vocab = 0;
  int64_t embed = 64;
  int64_t hidden = 128;          // decoder width H; each encoder direction has H/2
  std::string cell = "gru";      // gru | lstm
  std::string attention = "additive";  // additive | dot | general | local | hard | none
  int64_t window = 4;            // local: half width D of the window
  double dropout = 0.0;
  // > 0: the diagonal log-prior of attention/diagonal_prior.h with this sigma, the expected
  // target length being length_ratio x the source length (soft attention only).
  double diagonal_prior = 0, length_ratio = 1;
  nlohmann::json to_json() const;
  static RnnSeq2SeqConfig from_json(const nlohmann::json& j);  // ConfigError when invalid
};

class RnnSeq2Seq : public Seq2SeqModel {
 public:
  RnnSeq2Seq(const RnnSeq2SeqConfig& cfg, Rng& rng);
  std::string type_name() const override { return "seq2seq-rnn"; }

  Tensor forward(const Batch& batch) override;
  std::unique_ptr<DecodeState> encode(const Batch& batch) override;
  Tensor decode_step(DecodeState& state, const std::vector<int64_t>& prev) override;
  void reorder(DecodeState& state, const std::vector<int64_t>& rows) override;
  void set_recorder(attention::Recorder* recorder) override;
  int64_t target_vocab_size() const override { return cfg_.tgt_vocab; }
  bool supports_kept_attention() const override { return soft_ != nullptr; }
  const RnnSeq2SeqConfig& config() const { return cfg_; }

 private:
  struct State;
  // One decoder step on prev [B] -> the attentional vector a_t [B, 1, H]; updates st. The output
  // layer is applied by the caller: once over all steps when teacher forcing (one big GEMM
  // instead of T that each re-read the [V, H] weight), per step when decoding.
  Tensor step(State& st, const std::vector<int64_t>& prev);
  // The context [B, 1, H] of decoder state s [B, 1, H] over the encoder memory.
  Tensor attend(const Tensor& s, State& st) const;
  RnnSeq2SeqConfig cfg_;
  Rng dropout_rng_;
  std::shared_ptr<nn::Embedding> src_embed_, tgt_embed_;
  std::shared_ptr<nn::RecurrentBase> encoder_, decoder_;
  std::shared_ptr<nn::Linear> bridge_, combine_, out_;
  // At most one is set (none for "none"); `recordable_` points at it.
  std::shared_ptr<attention::SoftAttention> soft_;
  std::shared_ptr<attention::LocalAttention> local_;
  std::shared_ptr<attention::HardAttention> hard_;
  attention::Recordable* recordable_ = nullptr;
};

}  // namespace attnscope::models
