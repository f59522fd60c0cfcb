// RNN encoder-decoder with attention (Bahdanau et al. 2015; Luong et al. 2015):
//   encoder: embedding -> bidirectional GRU/LSTM -> memory [B, S, H] (H/2 per direction)
//   bridge:  s_0 = tanh(W_b [h_fwd_last; h_bwd_first])
//   decoder step t (input feeding): s_t = RNN([emb(y_{t-1}); a_{t-1}], s_{t-1})
//            c_t = attention(s_t, memory)          (additive | dot | general | none)
//            a_t = tanh(W_c [s_t; c_t])             the attentional vector, fed to step t+1
//            p(y_t) = softmax(W_o a_t)
// "none" is the no-attention baseline: c_t is the encoder's final state at every step.
// Parameter names: src_embed, encoder, bridge, tgt_embed, decoder, attention, combine, out.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>

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
  std::string attention = "additive";  // additive | dot | general | none
  double dropout = 0.0;
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
  const RnnSeq2SeqConfig& config() const { return cfg_; }

 private:
  struct State;
  // One decoder step on prev [B] -> logits [B, V]; updates st.
  Tensor step(State& st, const std::vector<int64_t>& prev);
  RnnSeq2SeqConfig cfg_;
  Rng dropout_rng_;
  std::shared_ptr<nn::Embedding> src_embed_, tgt_embed_;
  std::shared_ptr<nn::RecurrentBase> encoder_, decoder_;
  std::shared_ptr<nn::Linear> bridge_, combine_, out_;
  std::shared_ptr<attention::SoftAttention> attention_;  // null for "none"
};

}  // namespace attnscope::models
