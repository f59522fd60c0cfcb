// Llama-family decoder (Llama 1/2/3, Mistral-style, llama2.c): RMSNorm, RoPE (interleaved or
// half-split pairing, per source), SwiGLU, grouped-query attention, tied or untied output.
// Weights come from a WeightSource in one of three naming schemes (HF, Meta/llama2.c, GGUF).
#pragma once
#include <memory>
#include <vector>

#include "attnscope/models/kv_cache.h"
#include "attnscope/models/model.h"
#include "attnscope/models/weight_source.h"

namespace attnscope::models {

class LlamaModel : public Model {
 public:
  LlamaModel(const ModelConfig& cfg, const WeightSource& src);
  bool is_decoder() const override { return true; }
  ModelOutput forward(std::span<const int32_t> tokens, attention::Recorder* capture = nullptr) override;
  GradForward grad_forward(std::span<const int32_t> tokens, const Tensor& embeddings = {}) const override;  // llama_grad.cpp
  void reset() override { pos_ = slots_ = 0; }
  void stream_cache(int64_t sinks, int64_t window) override;
  // Cache rows in use (<= sinks + window when streaming).
  int64_t cached() const { return slots_; }
  std::string site_name(int64_t layer) const override { return "layers." + std::to_string(layer) + ".attn"; }

 private:
  struct Layer {
    std::vector<float> attn_norm;  // [C]
    std::vector<float> wq;         // [NH*HS, C]
    std::vector<float> wk, wv;     // [NKV*HS, C]
    std::vector<float> wo;         // [C, NH*HS]
    std::vector<float> ffn_norm;   // [C]
    std::vector<float> w1, w3;     // [H, C]  gate, up
    std::vector<float> w2;         // [C, H]  down
  };
  std::vector<float> tok_emb_;     // [V, C]
  std::vector<Layer> layers_;
  std::vector<float> norm_;        // [C]
  std::vector<float> output_;      // [V, C] (empty when tied to tok_emb_)
  // One block of tokens at cache slots slots_.. (all of forward() unless streaming).
  ModelOutput forward_block(std::span<const int32_t> tokens, attention::Recorder* capture);
  KvCache cache_;  // grows with the sequence (models/kv_cache.h); streaming: keys before RoPE
  int64_t slots_ = 0, sinks_ = 0, window_ = 0;
};

}  // namespace attnscope::models
