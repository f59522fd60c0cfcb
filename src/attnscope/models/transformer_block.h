// One pre-LayerNorm Transformer layer (Xiong et al. 2020), shared by the trained Transformers
// (the translator's encoder and decoder, the sentiment encoder):
//   x += Dropout(SelfAttn(LN1(x)));  [x += Dropout(CrossAttn(LN_cross(x), memory))];  x += Dropout(FFN(LN2(x)))
//   FFN(x) = W2 Dropout(gelu(W1 x)).
// Parameter names (norm1, self_attn, norm_cross, cross_attn, norm2, ff1, ff2) are those of the
// checkpoints written before this block was shared.
#pragma once
#include <memory>

#include "attnscope/attention/multi_head.h"
#include "attnscope/nn/linear.h"
#include "attnscope/nn/norm.h"

namespace attnscope::models {

struct TransformerBlockConfig {
  int64_t hidden = 128;  // C
  int64_t heads = 4;
  int64_t ff = 0;        // FFN width; 0: 4 C
  bool causal = false;   // self-attention over earlier positions only (decoders)
  bool cross = false;    // with a cross-attention sublayer (decoders)
  bool alibi = false;    // ALiBi position biases in the self-attention
  int64_t adaptive_span = 0;  // > 0: a learned span per self-attention head, up to this many keys
  double span_ramp = 32;      // the span mask's soft ramp, in keys
};

class TransformerBlock : public nn::Module {
 public:
  TransformerBlock(const TransformerBlockConfig& c, Rng& rng);
  std::string type_name() const override { return "TransformerBlock"; }

  // FFN(x) with dropout p between the two linear layers (training only).
  Tensor feed_forward(const Tensor& x, double p, Rng& rng) const;
  // The encoder layer: self-attention and FFN sublayers with residuals and dropout p.
  Tensor encode(const Tensor& x, const attention::AttentionCall& call, double p, Rng& rng) const;

  std::shared_ptr<nn::LayerNorm> norm1, norm2, norm_cross;
  std::shared_ptr<attention::MultiHeadAttention> self_attn, cross_attn;  // cross_attn: config.cross only
  std::shared_ptr<nn::Linear> ff1, ff2;
};

}  // namespace attnscope::models
