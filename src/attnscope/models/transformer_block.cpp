#include "attnscope/models/transformer_block.h"

#include "attnscope/autograd/ops.h"

namespace attnscope::models {

TransformerBlock::TransformerBlock(const TransformerBlockConfig& c, Rng& rng) {
  attention::MultiHeadConfig m;
  m.dim = c.hidden;
  m.num_heads = c.heads;
  m.causal = c.causal;
  if (c.alibi) m.position_bias = attention::PositionBias::alibi;
  m.adaptive_span = c.adaptive_span;
  m.adaptive_span_ramp = c.span_ramp;
  norm1 = register_module("norm1", std::make_shared<nn::LayerNorm>(c.hidden));
  self_attn = register_module("self_attn", std::make_shared<attention::MultiHeadAttention>(m, rng));
  if (c.cross) {
    attention::MultiHeadConfig x = m;
    x.causal = false;
    x.position_bias = attention::PositionBias::none;
    x.adaptive_span = 0;  // a span is a distance back in one sequence: no meaning across two
    norm_cross = register_module("norm_cross", std::make_shared<nn::LayerNorm>(c.hidden));
    cross_attn = register_module("cross_attn", std::make_shared<attention::MultiHeadAttention>(x, rng));
  }
  norm2 = register_module("norm2", std::make_shared<nn::LayerNorm>(c.hidden));
  const int64_t ff = c.ff > 0 ? c.ff : 4 * c.hidden;
  ff1 = register_module("ff1", std::make_shared<nn::Linear>(c.hidden, ff, rng));
  ff2 = register_module("ff2", std::make_shared<nn::Linear>(ff, c.hidden, rng));
}

Tensor TransformerBlock::feed_forward(const Tensor& x, double p, Rng& rng) const {
  return ff2->forward(ops::dropout(ops::gelu_tanh(ff1->forward(x)), p, training(), rng));
}

Tensor TransformerBlock::encode(const Tensor& x_in, const attention::AttentionCall& call, double p, Rng& rng) const {
  Tensor x = ops::add(x_in, ops::dropout(self_attn->forward(norm1->forward(x_in), call).context, p, training(), rng));
  return ops::add(x, ops::dropout(feed_forward(norm2->forward(x), p, rng), p, training(), rng));
}

}  // namespace attnscope::models
