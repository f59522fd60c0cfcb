// BERT encoder (post-LayerNorm blocks, GELU (erf), learned positions and token types), with the
// BertForSequenceClassification head (pooler tanh(W h[CLS] + b), classifier) when the checkpoint
// has one. Output: class logits with the head, else the last hidden states.
#pragma once
#include <vector>

#include "attnscope/models/model.h"
#include "attnscope/models/weight_source.h"

namespace attnscope::models {

class BertModel : public Model {
 public:
  BertModel(const ModelConfig& cfg, const WeightSource& src);
  bool is_decoder() const override { return false; }
  // tokens: the whole input (usually [CLS] ... [SEP]); all token types 0.
  ModelOutput forward(std::span<const int32_t> tokens, attention::Recorder* capture = nullptr) override;
  // A sentence pair ([CLS] A [SEP] B [SEP]) with its token types.
  ModelOutput forward_segments(std::span<const int32_t> tokens, std::span<const int32_t> segments,
                               attention::Recorder* capture = nullptr) override;
  std::string site_name(int64_t layer) const override { return "encoder.layer." + std::to_string(layer) + ".attn"; }
  bool has_classifier() const { return !cls_w_.empty(); }

 private:
  struct Layer {
    std::vector<float> q_w, q_b, k_w, k_b, v_w, v_b;  // [C, C], [C]
    std::vector<float> o_w, o_b;                      // [C, C], [C]
    std::vector<float> ln1_w, ln1_b;                  // [C]
    std::vector<float> up_w, up_b;                    // [H, C], [H]
    std::vector<float> down_w, down_b;                // [C, H], [C]
    std::vector<float> ln2_w, ln2_b;                  // [C]
  };
  std::vector<float> word_, pos_emb_, type_;          // [V, C], [P, C], [TV, C]
  std::vector<float> emb_ln_w_, emb_ln_b_;            // [C]
  std::vector<Layer> layers_;
  std::vector<float> pool_w_, pool_b_;                // [C, C], [C]
  std::vector<float> cls_w_, cls_b_;                  // [labels, C], [labels]
};

}  // namespace attnscope::models
