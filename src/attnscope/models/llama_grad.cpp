// LlamaModel::grad_forward: llama.cpp's forward through autograd ops (same shapes and order of
// operations; see grad_forward.h for why there are two).
#include <algorithm>

#include "attnscope/attention/rope.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/models/llama.h"

namespace attnscope::models {

namespace {
// [T, NH*HS] -> [NH, T, HS]
Tensor heads_first(const Tensor& x, int64_t NH, int64_t HS) {
  return ops::permute(ops::reshape(x, Shape{x.size(0), NH, HS}), {1, 0, 2});
}
}  // namespace

GradForward LlamaModel::grad_forward(std::span<const int32_t> tokens, const Tensor& embeddings) const {
  check_tokens(tokens, 0);
  const int64_t T = static_cast<int64_t>(tokens.size());
  const int64_t C = cfg_.dim, V = cfg_.vocab, NH = cfg_.n_heads, NKV = cfg_.n_kv_heads, HS = cfg_.head_dim;
  const int64_t Q = NH * HS, KV = NKV * HS, H = cfg_.hidden;
  attention::RopeOptions rope;
  rope.base = cfg_.rope_theta;
  rope.pairing = cfg_.rope_interleaved ? attention::RopePairing::interleaved : attention::RopePairing::half;
  GradForward g;
  std::vector<float> emb(T * C);
  for (int64_t t = 0; t < T; ++t)
    std::copy_n(&tok_emb_[tokens[t] * C], C, &emb[t * C]);
  g.embeddings = input_leaf(embeddings, std::move(emb), T, C);
  Tensor x = g.embeddings;
  for (const Layer& w : layers_) {
    const Tensor xn = ops::rms_norm(x, param(w.attn_norm, {C}), cfg_.norm_eps);
    const Tensor q = attention::rope(heads_first(linear_rows(xn, param(w.wq, {Q, C})), NH, HS), 0, rope);
    const Tensor k = attention::rope(heads_first(linear_rows(xn, param(w.wk, {KV, C})), NKV, HS), 0, rope);
    const Tensor v = heads_first(linear_rows(xn, param(w.wv, {KV, C})), NKV, HS);
    const Tensor wo = param(w.wo, {C, Q});
    x = ops::add(x, linear_rows(probed_causal_attention(q, k, v, wo, g), wo));
    const Tensor xf = ops::rms_norm(x, param(w.ffn_norm, {C}), cfg_.norm_eps);
    const Tensor gate = linear_rows(xf, param(w.w1, {H, C}));
    const Tensor up = linear_rows(xf, param(w.w3, {H, C}));
    const Tensor act = ops::mul(ops::mul(gate, ops::sigmoid(gate)), up);  // SwiGLU
    x = ops::add(x, linear_rows(act, param(w.w2, {C, H})));
  }
  const Tensor xo = ops::rms_norm(x, param(norm_, {C}), cfg_.norm_eps);
  g.logits = linear_rows(xo, param(output_.empty() ? tok_emb_ : output_, {V, C}));
  return g;
}

}  // namespace attnscope::models
