// GPT-2 forward over T tokens with a KV cache (llm.c's gpt2_forward, inference only).
// Shape legend: T new tokens, N = pos0 + T keys, C channels, NH heads, HS = C / NH, H = 4C, V vocab.
#include "attnscope/models/gpt2.h"

#include <cstring>

#include "attnscope/core/error.h"
#include "attnscope/models/blocks.h"
#include "attnscope/models/self_attention.h"

namespace attnscope::models {

namespace {

struct Gpt2Names {
  const char *wte, *wpe, *ln1_w, *ln1_b, *attn_w, *attn_b, *proj_w, *proj_b, *ln2_w, *ln2_b, *fc_w, *fc_b, *fc2_w,
      *fc2_b, *lnf_w, *lnf_b;
  bool conv1d;  // weights stored [in, out]
};
constexpr Gpt2Names kGpt2Names[] = {
    // Hugging Face GPT2Model
    {"wte.weight", "wpe.weight", "h.{i}.ln_1.weight", "h.{i}.ln_1.bias", "h.{i}.attn.c_attn.weight",
     "h.{i}.attn.c_attn.bias", "h.{i}.attn.c_proj.weight", "h.{i}.attn.c_proj.bias", "h.{i}.ln_2.weight",
     "h.{i}.ln_2.bias", "h.{i}.mlp.c_fc.weight", "h.{i}.mlp.c_fc.bias", "h.{i}.mlp.c_proj.weight",
     "h.{i}.mlp.c_proj.bias", "ln_f.weight", "ln_f.bias", true},
    // Hugging Face GPT2LMHeadModel (same, under "transformer.")
    {"transformer.wte.weight", "transformer.wpe.weight", "transformer.h.{i}.ln_1.weight", "transformer.h.{i}.ln_1.bias",
     "transformer.h.{i}.attn.c_attn.weight", "transformer.h.{i}.attn.c_attn.bias", "transformer.h.{i}.attn.c_proj.weight",
     "transformer.h.{i}.attn.c_proj.bias", "transformer.h.{i}.ln_2.weight", "transformer.h.{i}.ln_2.bias",
     "transformer.h.{i}.mlp.c_fc.weight", "transformer.h.{i}.mlp.c_fc.bias", "transformer.h.{i}.mlp.c_proj.weight",
     "transformer.h.{i}.mlp.c_proj.bias", "transformer.ln_f.weight", "transformer.ln_f.bias", true},
    // GGUF (llama.cpp stores Linear layout [out, in])
    {"token_embd.weight", "position_embd.weight", "blk.{i}.attn_norm.weight", "blk.{i}.attn_norm.bias",
     "blk.{i}.attn_qkv.weight", "blk.{i}.attn_qkv.bias", "blk.{i}.attn_output.weight", "blk.{i}.attn_output.bias",
     "blk.{i}.ffn_norm.weight", "blk.{i}.ffn_norm.bias", "blk.{i}.ffn_up.weight", "blk.{i}.ffn_up.bias",
     "blk.{i}.ffn_down.weight", "blk.{i}.ffn_down.bias", "output_norm.weight", "output_norm.bias", false},
};

}  // namespace

Gpt2Model::Gpt2Model(const ModelConfig& cfg, const WeightSource& src) {
  cfg_ = cfg;
  cfg_.validate(src.path());
  const Gpt2Names* n = nullptr;
  for (const auto& scheme : kGpt2Names)
    if (src.has(scheme.wte)) n = &scheme;
  if (!n) throw FormatError(src.path() + ": no GPT-2 token embedding found (looked for wte.weight, transformer.wte.weight, token_embd.weight)");
  const int64_t C = cfg_.dim, V = cfg_.vocab, H = cfg_.hidden, P = cfg_.max_seq;
  // A Linear weight [out, in], read from either layout.
  auto linear = [&](const char* pattern, int64_t i, int64_t out, int64_t in) {
    const std::string name = layer_name(pattern, i);
    return n->conv1d ? transposed(src.load(name, {in, out}), in, out) : src.load(name, {out, in});
  };
  wte_ = src.load(n->wte, {V, C});
  wpe_ = src.load(n->wpe, {P, C});
  layers_.resize(cfg_.n_layers);
  for (int64_t i = 0; i < cfg_.n_layers; ++i) {
    Layer& l = layers_[i];
    l.ln1_w = src.load(layer_name(n->ln1_w, i), {C});
    l.ln1_b = src.load(layer_name(n->ln1_b, i), {C});
    l.attn_w = linear(n->attn_w, i, 3 * C, C);
    l.attn_b = src.load(layer_name(n->attn_b, i), {3 * C});
    l.proj_w = linear(n->proj_w, i, C, C);
    l.proj_b = src.load(layer_name(n->proj_b, i), {C});
    l.ln2_w = src.load(layer_name(n->ln2_w, i), {C});
    l.ln2_b = src.load(layer_name(n->ln2_b, i), {C});
    l.fc_w = linear(n->fc_w, i, H, C);
    l.fc_b = src.load(layer_name(n->fc_b, i), {H});
    l.fc2_w = linear(n->fc2_w, i, C, H);
    l.fc2_b = src.load(layer_name(n->fc2_b, i), {C});
  }
  lnf_w_ = src.load(n->lnf_w, {C});
  lnf_b_ = src.load(n->lnf_b, {C});
  source_ = src.path();
}

ModelOutput Gpt2Model::forward(std::span<const int32_t> tokens, attention::Recorder* capture) {
  const int64_t pos0 = pos_;
  check_tokens(tokens, pos0);
  const int64_t T = static_cast<int64_t>(tokens.size()), N = pos0 + T;
  const int64_t C = cfg_.dim, V = cfg_.vocab, NH = cfg_.n_heads, HS = cfg_.head_dim, H = cfg_.hidden, S = cfg_.max_seq;
  if (pos0 == 0 && cache_.capacity() == 0) cache_.configure(cfg_.n_layers, C, S);
  cache_.reserve(N, pos0);
  std::vector<float> x(T * C), xb(T * C), qkv(T * 3 * C), q(T * C), att(T * C), h(T * H);  // activations
  for (int64_t t = 0; t < T; ++t)
    for (int64_t c = 0; c < C; ++c) x[t * C + c] = wte_[tokens[t] * C + c] + wpe_[(pos0 + t) * C + c];
  for (int64_t l = 0; l < cfg_.n_layers; ++l) {
    const Layer& w = layers_[l];
    float* kc = cache_.k(l);  // [capacity, C]
    float* vc = cache_.v(l);
    layernorm_forward(x.data(), w.ln1_w.data(), w.ln1_b.data(), T, C, cfg_.norm_eps, xb.data());
    linear_forward(xb.data(), w.attn_w.data(), w.attn_b.data(), T, C, 3 * C, qkv.data());  // [T, 3C] = q | k | v
    for (int64_t t = 0; t < T; ++t) {
      std::memcpy(&q[t * C], &qkv[t * 3 * C], C * sizeof(float));
      std::memcpy(kc + (pos0 + t) * C, &qkv[t * 3 * C + C], C * sizeof(float));
      std::memcpy(vc + (pos0 + t) * C, &qkv[t * 3 * C + 2 * C], C * sizeof(float));
    }
    SelfAttentionShape s{T, N, NH, NH, HS, true, -1};
    s.head_off = ablated(l);
    s.head_skip = pruned(l);
    self_attention_forward(s, q.data(), kc, vc, att.data(), capture, site_name(l));
    linear_forward(att.data(), w.proj_w.data(), w.proj_b.data(), T, C, C, xb.data());
    for (int64_t i = 0; i < T * C; ++i) x[i] += xb[i];
    layernorm_forward(x.data(), w.ln2_w.data(), w.ln2_b.data(), T, C, cfg_.norm_eps, xb.data());
    linear_forward(xb.data(), w.fc_w.data(), w.fc_b.data(), T, C, H, h.data());
    if (cfg_.activation == "gelu") gelu_erf_inplace(h.data(), T * H);
    else gelu_tanh_inplace(h.data(), T * H);
    linear_forward(h.data(), w.fc2_w.data(), w.fc2_b.data(), T, H, C, xb.data());
    for (int64_t i = 0; i < T * C; ++i) x[i] += xb[i];
  }
  layernorm_forward(x.data(), lnf_w_.data(), lnf_b_.data(), T, C, cfg_.norm_eps, xb.data());
  ModelOutput out;
  out.kind = ModelOutput::Kind::token_logits;
  out.rows = T;
  out.cols = V;
  out.values.resize(T * V);
  linear_forward(xb.data(), wte_.data(), nullptr, T, C, V, out.values.data());
  pos_ = N;
  return out;
}

}  // namespace attnscope::models
