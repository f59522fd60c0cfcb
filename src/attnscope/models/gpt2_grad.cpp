// Gpt2Model::grad_forward: gpt2.cpp's forward through autograd ops (see grad_forward.h).
#include "attnscope/autograd/ops.h"
#include "attnscope/models/gpt2.h"

namespace attnscope::models {

GradForward Gpt2Model::grad_forward(std::span<const int32_t> tokens, const Tensor& embeddings) const {
  check_tokens(tokens, 0);
  const int64_t T = static_cast<int64_t>(tokens.size());
  const int64_t C = cfg_.dim, V = cfg_.vocab, NH = cfg_.n_heads, HS = cfg_.head_dim, H = cfg_.hidden;
  GradForward g;
  std::vector<float> emb(T * C);  // token + position embedding: the first block's input
  for (int64_t t = 0; t < T; ++t)
    for (int64_t c = 0; c < C; ++c) emb[t * C + c] = wte_[tokens[t] * C + c] + wpe_[t * C + c];
  g.embeddings = input_leaf(embeddings, std::move(emb), T, C);
  auto heads = [&](const Tensor& qkv, int64_t part) {  // [T, 3C] -> [NH, T, HS]
    return ops::permute(ops::reshape(ops::slice(qkv, 1, part * C, (part + 1) * C), Shape{T, NH, HS}), {1, 0, 2});
  };
  Tensor x = g.embeddings;
  for (const Layer& w : layers_) {
    const Tensor xn = ops::layer_norm(x, param(w.ln1_w, {C}), param(w.ln1_b, {C}), cfg_.norm_eps);
    const Tensor qkv = linear_rows(xn, param(w.attn_w, {3 * C, C}), param(w.attn_b, {3 * C}));
    const Tensor wo = param(w.proj_w, {C, C});
    const Tensor att = probed_causal_attention(heads(qkv, 0), heads(qkv, 1), heads(qkv, 2), wo, g);
    x = ops::add(x, linear_rows(att, wo, param(w.proj_b, {C})));
    const Tensor xf = ops::layer_norm(x, param(w.ln2_w, {C}), param(w.ln2_b, {C}), cfg_.norm_eps);
    const Tensor h = linear_rows(xf, param(w.fc_w, {H, C}), param(w.fc_b, {H}));
    const Tensor act = cfg_.activation == "gelu" ? ops::gelu_erf(h) : ops::gelu_tanh(h);
    x = ops::add(x, linear_rows(act, param(w.fc2_w, {C, H}), param(w.fc2_b, {C})));
  }
  const Tensor xo = ops::layer_norm(x, param(lnf_w_, {C}), param(lnf_b_, {C}), cfg_.norm_eps);
  g.logits = linear_rows(xo, param(wte_, {V, C}));
  return g;
}

}  // namespace attnscope::models
