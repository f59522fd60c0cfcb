// Llama forward over a block of T tokens with a KV cache (llama2.c run.c's math, batched over
// T with GEMMs). Shape legend: T new tokens, N = pos0 + T keys, C dim, NH/NKV heads, HS head
// size, H feed-forward width, V vocabulary.
#include "attnscope/models/llama.h"

#include <algorithm>
#include <cstring>

#include "attnscope/attention/rope.h"
#include "attnscope/core/error.h"
#include "attnscope/models/blocks.h"
#include "attnscope/models/self_attention.h"

namespace attnscope::models {

namespace {

// Parameter -> tensor name, per source format. {i} is the layer index.
struct LlamaNames {
  const char* tok_emb;
  const char* attn_norm;
  const char* wq;
  const char* wk;
  const char* wv;
  const char* wo;
  const char* ffn_norm;
  const char* w1;
  const char* w2;
  const char* w3;
  const char* norm;
  const char* output;
};
constexpr LlamaNames kLlamaNames[] = {
    // Hugging Face LlamaForCausalLM
    {"model.embed_tokens.weight", "model.layers.{i}.input_layernorm.weight", "model.layers.{i}.self_attn.q_proj.weight",
     "model.layers.{i}.self_attn.k_proj.weight", "model.layers.{i}.self_attn.v_proj.weight",
     "model.layers.{i}.self_attn.o_proj.weight", "model.layers.{i}.post_attention_layernorm.weight",
     "model.layers.{i}.mlp.gate_proj.weight", "model.layers.{i}.mlp.down_proj.weight",
     "model.layers.{i}.mlp.up_proj.weight", "model.norm.weight", "lm_head.weight"},
    // Meta llama / llama2.c model.py (also the .bin, exposed under these names)
    {"tok_embeddings.weight", "layers.{i}.attention_norm.weight", "layers.{i}.attention.wq.weight",
     "layers.{i}.attention.wk.weight", "layers.{i}.attention.wv.weight", "layers.{i}.attention.wo.weight",
     "layers.{i}.ffn_norm.weight", "layers.{i}.feed_forward.w1.weight", "layers.{i}.feed_forward.w2.weight",
     "layers.{i}.feed_forward.w3.weight", "norm.weight", "output.weight"},
    // GGUF (llama.cpp)
    {"token_embd.weight", "blk.{i}.attn_norm.weight", "blk.{i}.attn_q.weight", "blk.{i}.attn_k.weight",
     "blk.{i}.attn_v.weight", "blk.{i}.attn_output.weight", "blk.{i}.ffn_norm.weight", "blk.{i}.ffn_gate.weight",
     "blk.{i}.ffn_down.weight", "blk.{i}.ffn_up.weight", "output_norm.weight", "output.weight"},
};

// The kv heads no kept query head reads (query head h reads kv head h / (NH / NKV)), written to
// kvs [NKV]; null when nothing is pruned.
const uint8_t* kv_skip(const uint8_t* skip, int64_t NH, std::vector<uint8_t>& kvs) {
  if (!skip) return nullptr;
  const int64_t NKV = static_cast<int64_t>(kvs.size()), G = NH / NKV;
  for (int64_t g = 0; g < NKV; ++g) kvs[g] = std::all_of(skip + g * G, skip + (g + 1) * G, [](uint8_t b) { return b != 0; });
  return kvs.data();
}

}  // namespace

LlamaModel::LlamaModel(const ModelConfig& cfg, const WeightSource& src) {
  cfg_ = cfg;
  cfg_.validate(src.path());
  const LlamaNames* n = nullptr;
  for (const auto& scheme : kLlamaNames)
    if (src.has(scheme.tok_emb)) n = &scheme;
  if (!n)
    throw FormatError(src.path() + ": no Llama token embedding found (looked for model.embed_tokens.weight, "
                                   "tok_embeddings.weight, token_embd.weight)");
  // The RoPE pairing goes with the weight layout: HF permuted q/k rows for the half split; Meta,
  // llama2.c and GGUF (whose converter undoes the permutation) pair adjacent values.
  cfg_.rope_interleaved = n != &kLlamaNames[0];
  const int64_t C = cfg_.dim, V = cfg_.vocab, Q = cfg_.n_heads * cfg_.head_dim, KV = cfg_.n_kv_heads * cfg_.head_dim;
  const int64_t H = cfg_.hidden;
  tok_emb_ = src.load(n->tok_emb, {V, C});
  layers_.resize(cfg_.n_layers);
  for (int64_t i = 0; i < cfg_.n_layers; ++i) {
    Layer& l = layers_[i];
    l.attn_norm = src.load(layer_name(n->attn_norm, i), {C});
    l.wq = src.load(layer_name(n->wq, i), {Q, C});
    l.wk = src.load(layer_name(n->wk, i), {KV, C});
    l.wv = src.load(layer_name(n->wv, i), {KV, C});
    l.wo = src.load(layer_name(n->wo, i), {C, Q});
    l.ffn_norm = src.load(layer_name(n->ffn_norm, i), {C});
    l.w1 = src.load(layer_name(n->w1, i), {H, C});
    l.w2 = src.load(layer_name(n->w2, i), {C, H});
    l.w3 = src.load(layer_name(n->w3, i), {H, C});
  }
  norm_ = src.load(n->norm, {C});
  // An output tensor present wins over the tie flag (GGUF files omit it when tied).
  if (src.has(n->output)) {
    output_ = src.load(n->output, {V, C});
    cfg_.tied_output = false;
  } else if (!cfg_.tied_output && n != &kLlamaNames[2]) {
    throw FormatError(src.path() + ": missing tensor '" + std::string(n->output) +
                      "' (the config says the output is not tied to the embedding)");
  } else {
    cfg_.tied_output = true;
  }
  source_ = src.path();
}

void LlamaModel::stream_cache(int64_t sinks, int64_t window) {
  if (window > 0 && (sinks < 0 || sinks + window > cfg_.max_seq))
    throw ValueError("a cache of " + std::to_string(sinks) + " sink + " + std::to_string(window) +
                     " window tokens does not fit the model's context of " + std::to_string(cfg_.max_seq));
  if (window <= 0 && sinks > 0) throw ValueError("sink tokens need a window of recent tokens (window >= 1)");
  sinks_ = window > 0 ? sinks : 0;
  window_ = std::max<int64_t>(window, 0);
  cache_.configure(0, 0, 0);
  reset();
}

ModelOutput LlamaModel::forward(std::span<const int32_t> tokens, attention::Recorder* capture) {
  if (window_ == 0) return forward_block(tokens, capture);
  // Streaming: blocks that fit the cache; when full, evict the oldest non-sink row per token.
  check_tokens(tokens.first(std::min<size_t>(tokens.size(), 1)), 0);
  ModelOutput all;
  for (size_t i = 0; i < tokens.size();) {
    if (slots_ == sinks_ + window_) cache_.evict(sinks_, slots_--);
    const size_t n = std::min<size_t>(tokens.size() - i, sinks_ + window_ - slots_);
    ModelOutput out = forward_block(tokens.subspan(i, n), capture);
    all.kind = out.kind, all.cols = out.cols, all.rows += out.rows;
    all.values.insert(all.values.end(), out.values.begin(), out.values.end());
    i += n;
  }
  return all;
}

ModelOutput LlamaModel::forward_block(std::span<const int32_t> tokens, attention::Recorder* capture) {
  const int64_t pos0 = slots_;  // a cache slot; the position itself unless streaming
  check_tokens(tokens, pos0);
  const int64_t T = static_cast<int64_t>(tokens.size()), N = pos0 + T;
  const int64_t C = cfg_.dim, V = cfg_.vocab, NH = cfg_.n_heads, NKV = cfg_.n_kv_heads, HS = cfg_.head_dim;
  const int64_t Q = NH * HS, KV = NKV * HS, H = cfg_.hidden, S = cfg_.max_seq;
  if (pos0 == 0 && cache_.capacity() == 0) cache_.configure(cfg_.n_layers, KV, S);
  cache_.reserve(N, pos0);
  std::vector<float> x(T * C), xb(T * C), q(T * Q), att(T * Q), h1(T * H), h3(T * H);  // activations
  std::vector<float> krot(window_ > 0 ? N * KV : 0);  // streaming: [N, KV] keys rotated by slot
  attention::RopeOptions rope;
  rope.base = cfg_.rope_theta;
  rope.pairing = cfg_.rope_interleaved ? attention::RopePairing::interleaved : attention::RopePairing::half;
  for (int64_t t = 0; t < T; ++t) std::memcpy(&x[t * C], &tok_emb_[tokens[t] * C], C * sizeof(float));
  std::vector<uint8_t> kvs(NKV);
  for (int64_t l = 0; l < cfg_.n_layers; ++l) {
    const Layer& w = layers_[l];
    float* kc = cache_.k(l);  // [capacity, KV]; rows pos0..N-1 written now
    float* vc = cache_.v(l);
    // Pruned heads: only the kept heads' q/k/v rows and o columns are multiplied (a kv head is
    // kept while any query head of its group is); no pruning is one block, the plain GEMM.
    const uint8_t* skip = pruned(l);
    const std::vector<ColumnBlock> qb = kept_head_blocks(skip, NH, HS), kvb = kept_head_blocks(kv_skip(skip, NH, kvs), NKV, HS);
    rmsnorm_forward(x.data(), w.attn_norm.data(), T, C, cfg_.norm_eps, xb.data());
    linear_forward_out_blocks(xb.data(), w.wq.data(), T, C, Q, qb, q.data());
    linear_forward_out_blocks(xb.data(), w.wk.data(), T, C, KV, kvb, kc + pos0 * KV);
    linear_forward_out_blocks(xb.data(), w.wv.data(), T, C, KV, kvb, vc + pos0 * KV);
    attention::rope_rows(q.data(), T, NH, HS, pos0, rope);
    const float* keys = kc;
    if (window_ == 0) {
      attention::rope_rows(kc + pos0 * KV, T, NKV, HS, pos0, rope);
    } else {  // StreamingLLM: the cache holds keys before RoPE; slot j is rotated as position j
      std::copy_n(kc, N * KV, krot.data());
      attention::rope_rows(krot.data(), N, NKV, HS, 0, rope);
      keys = krot.data();
    }
    SelfAttentionShape s{T, N, NH, NKV, HS, true, -1};
    s.head_off = ablated(l);
    s.head_skip = skip;
    self_attention_forward(s, q.data(), keys, vc, att.data(), capture, site_name(l));
    linear_forward_in_blocks(att.data(), w.wo.data(), T, Q, C, qb, xb.data());
    for (int64_t i = 0; i < T * C; ++i) x[i] += xb[i];
    rmsnorm_forward(x.data(), w.ffn_norm.data(), T, C, cfg_.norm_eps, xb.data());
    linear_forward(xb.data(), w.w1.data(), nullptr, T, C, H, h1.data());
    linear_forward(xb.data(), w.w3.data(), nullptr, T, C, H, h3.data());
    swiglu_inplace(h1.data(), h3.data(), T * H);
    linear_forward(h1.data(), w.w2.data(), nullptr, T, H, C, xb.data());
    for (int64_t i = 0; i < T * C; ++i) x[i] += xb[i];
  }
  rmsnorm_forward(x.data(), norm_.data(), T, C, cfg_.norm_eps, xb.data());
  ModelOutput out;
  out.kind = ModelOutput::Kind::token_logits;
  out.rows = T;
  out.cols = V;
  out.values.resize(T * V);
  linear_forward(xb.data(), output_.empty() ? tok_emb_.data() : output_.data(), nullptr, T, C, V, out.values.data());
  pos_ += T;
  slots_ = N;
  return out;
}

}  // namespace attnscope::models
