// Transformer encoder-decoder (Vaswani et al. 2017) in the pre-LayerNorm arrangement
// (Xiong et al. 2020), which trains stably without a long warm-up:
//   encoder layer: x += SelfAttn(LN(x));             x += FFN(LN(x))
//   decoder layer: y += CausalSelfAttn(LN(y));       y += CrossAttn(LN(y), memory);  y += FFN(LN(y))
//   FFN(x) = W2 gelu(W1 x);  final LayerNorms on both stacks; logits = W_out y.
// Positions: sinusoidal (added to the N(0, 1) embeddings), learned, or ALiBi (Press et al.
// 2022) biases in the self-attentions. Decoding uses a KV cache per decoder layer (the output
// equals the full recompute). Recorded sites: encoder.<l>.self, decoder.<l>.self, decoder.<l>.cross.
#pragma once
#include <memory>
#include <nlohmann/json_fwd.hpp>

#include "attnscope/attention/multi_head.h"
#include "attnscope/models/transformer_block.h"
#include "attnscope/models/translate/seq2seq.h"
#include "attnscope/nn/embedding.h"
#include "attnscope/nn/linear.h"
#include "attnscope/nn/norm.h"

namespace attnscope::models {

struct TransformerSeq2SeqConfig {
  int64_t src_vocab = 0, tgt_vocab = 0;
  int64_t hidden = 128;      // C
  int64_t heads = 4;         // NH
  int64_t layers = 2;        // per stack
  int64_t ff = 0;            // FFN width; 0: 4 C
  int64_t max_len = 256;     // learned positions / sinusoid table length
  std::string positions = "sinusoidal";  // sinusoidal | learned | alibi
  double dropout = 0.1;
  // > 0: the diagonal log-prior of attention/diagonal_prior.h on every cross-attention (all
  // heads), with this sigma and expected target length length_ratio x source length.
  double diagonal_prior = 0, length_ratio = 1;
  // > 0: adaptive attention span (attention/adaptive_span.h) in the decoder's causal
  // self-attentions, up to this many tokens back, with the L1 span penalty span_penalty / NH * sum z
  // added to the training loss (regularizer()).
  int64_t adaptive_span = 0;
  double span_penalty = 0, span_ramp = 4;  // ramp: the mask's soft edge in tokens (short sequences)
  nlohmann::json to_json() const;
  static TransformerSeq2SeqConfig from_json(const nlohmann::json& j);  // ConfigError when invalid
};

class TransformerSeq2Seq : public Seq2SeqModel {
 public:
  TransformerSeq2Seq(const TransformerSeq2SeqConfig& cfg, Rng& rng);
  std::string type_name() const override { return "seq2seq-transformer"; }

  Tensor forward(const Batch& batch) override;
  std::unique_ptr<DecodeState> encode(const Batch& batch) override;
  Tensor decode_step(DecodeState& state, const std::vector<int64_t>& prev) override;
  void reorder(DecodeState& state, const std::vector<int64_t>& rows) override;
  void set_recorder(attention::Recorder* recorder) override;
  int64_t target_vocab_size() const override { return cfg_.tgt_vocab; }
  Tensor regularizer() const override;
  const TransformerSeq2SeqConfig& config() const { return cfg_; }
  // Every decoder layer's learned spans [NH] in tokens (empty without an adaptive span).
  std::vector<std::vector<float>> decoder_spans() const;
  // Every attention head, in the order encoder.<l>.self, then decoder.<l>.self and
  // decoder.<l>.cross per layer: layers * 3 * heads entries.
  int64_t attention_heads() const { return cfg_.layers * 3 * cfg_.heads; }
  // Head pruning over that order (MultiHeadAttention::prune_heads; empty: none).
  // ShapeError for another size.
  void prune_heads(const std::vector<uint8_t>& pruned);

 private:
  struct State;
  // Token embeddings (+ positions starting at `offset`) -> [B, T, C].
  Tensor embed(const nn::Embedding& table, const std::vector<int64_t>& ids, int64_t B, int64_t T, int64_t offset) const;
  Tensor encode_memory(const Batch& batch, std::vector<int32_t>& lengths) const;
  // Decoder stack over y [B, T, C] -> logits [B, T, V]; caches (one per layer) when decoding.
  Tensor decode(Tensor y, const Tensor& memory, const std::vector<int32_t>& lengths,
                std::vector<attention::KVCache>* self_caches, std::vector<attention::KVCache>* cross_caches) const;

  TransformerSeq2SeqConfig cfg_;
  mutable Rng dropout_rng_;
  std::shared_ptr<nn::Embedding> src_embed_, tgt_embed_, src_pos_, tgt_pos_;
  std::shared_ptr<nn::ModuleList<TransformerBlock>> encoder_, decoder_;
  std::shared_ptr<nn::LayerNorm> enc_norm_, dec_norm_;
  std::shared_ptr<nn::Linear> out_;
  Tensor sinusoid_;  // [max_len, C], constant
};

}  // namespace attnscope::models
