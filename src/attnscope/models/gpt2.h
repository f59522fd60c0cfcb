// GPT-2 decoder: learned positions, pre-LayerNorm blocks, GELU (tanh), fused c_attn
// projection, Conv1D weights ([in, out], transposed once at load), output tied to wte.
#pragma once
#include <vector>

#include "attnscope/models/kv_cache.h"
#include "attnscope/models/model.h"
#include "attnscope/models/weight_source.h"

namespace attnscope::models {

class Gpt2Model : public Model {
 public:
  Gpt2Model(const ModelConfig& cfg, const WeightSource& src);
  bool is_decoder() const override { return true; }
  ModelOutput forward(std::span<const int32_t> tokens, attention::Recorder* capture = nullptr) override;
  GradForward grad_forward(std::span<const int32_t> tokens, const Tensor& embeddings = {}) const override;  // gpt2_grad.cpp
  void reset() override { pos_ = 0; }
  std::string site_name(int64_t layer) const override { return "h." + std::to_string(layer) + ".attn"; }

 private:
  struct Layer {
    std::vector<float> ln1_w, ln1_b;      // [C]
    std::vector<float> attn_w, attn_b;    // [3C, C], [3C]
    std::vector<float> proj_w, proj_b;    // [C, C], [C]
    std::vector<float> ln2_w, ln2_b;      // [C]
    std::vector<float> fc_w, fc_b;        // [H, C], [H]
    std::vector<float> fc2_w, fc2_b;      // [C, H], [C]
  };
  std::vector<float> wte_;                // [V, C]
  std::vector<float> wpe_;                // [maxT, C]
  std::vector<Layer> layers_;
  std::vector<float> lnf_w_, lnf_b_;      // [C]
  KvCache cache_;  // grows with the sequence (models/kv_cache.h)
};

}  // namespace attnscope::models
