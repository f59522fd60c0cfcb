// BERT forward (HF BertModel + BertForSequenceClassification, inference).
// Shape legend: T tokens, C channels, NH heads, HS = C / NH, H intermediate, V vocab.
#include "attnscope/models/bert.h"

#include <cmath>

#include "attnscope/core/error.h"
#include "attnscope/models/blocks.h"
#include "attnscope/models/self_attention.h"

namespace attnscope::models {

namespace {

struct NameScheme {
  const char *word, *pos, *type, *emb_ln_w, *emb_ln_b;
  const char *q_w, *q_b, *k_w, *k_b, *v_w, *v_b, *o_w, *o_b, *ln1_w, *ln1_b, *up_w, *up_b, *down_w, *down_b, *ln2_w,
      *ln2_b;
  const char *pool_w, *pool_b, *cls_w, *cls_b;
};
#define ATTNSCOPE_BERT_HF(P)                                                                                        \
  {P "embeddings.word_embeddings.weight", P "embeddings.position_embeddings.weight",                                \
   P "embeddings.token_type_embeddings.weight", P "embeddings.LayerNorm.weight", P "embeddings.LayerNorm.bias",      \
   P "encoder.layer.{i}.attention.self.query.weight", P "encoder.layer.{i}.attention.self.query.bias",             \
   P "encoder.layer.{i}.attention.self.key.weight", P "encoder.layer.{i}.attention.self.key.bias",                 \
   P "encoder.layer.{i}.attention.self.value.weight", P "encoder.layer.{i}.attention.self.value.bias",             \
   P "encoder.layer.{i}.attention.output.dense.weight", P "encoder.layer.{i}.attention.output.dense.bias",         \
   P "encoder.layer.{i}.attention.output.LayerNorm.weight", P "encoder.layer.{i}.attention.output.LayerNorm.bias", \
   P "encoder.layer.{i}.intermediate.dense.weight", P "encoder.layer.{i}.intermediate.dense.bias",                 \
   P "encoder.layer.{i}.output.dense.weight", P "encoder.layer.{i}.output.dense.bias",                             \
   P "encoder.layer.{i}.output.LayerNorm.weight", P "encoder.layer.{i}.output.LayerNorm.bias",                     \
   P "pooler.dense.weight", P "pooler.dense.bias", "classifier.weight", "classifier.bias"}
constexpr NameScheme kNames[] = {
    ATTNSCOPE_BERT_HF("bert."),  // BertForSequenceClassification / BertForMaskedLM
    ATTNSCOPE_BERT_HF(""),       // BertModel
    // GGUF (llama.cpp; no pooler or classifier)
    {"token_embd.weight", "position_embd.weight", "token_types.weight", "token_embd_norm.weight",
     "token_embd_norm.bias", "blk.{i}.attn_q.weight", "blk.{i}.attn_q.bias", "blk.{i}.attn_k.weight",
     "blk.{i}.attn_k.bias", "blk.{i}.attn_v.weight", "blk.{i}.attn_v.bias", "blk.{i}.attn_output.weight",
     "blk.{i}.attn_output.bias", "blk.{i}.attn_output_norm.weight", "blk.{i}.attn_output_norm.bias",
     "blk.{i}.ffn_up.weight", "blk.{i}.ffn_up.bias", "blk.{i}.ffn_down.weight", "blk.{i}.ffn_down.bias",
     "blk.{i}.layer_output_norm.weight", "blk.{i}.layer_output_norm.bias", "-", "-", "-", "-"},
};
#undef ATTNSCOPE_BERT_HF

}  // namespace

BertModel::BertModel(const ModelConfig& cfg, const WeightSource& src) {
  cfg_ = cfg;
  cfg_.validate(src.path());
  const NameScheme* n = nullptr;
  for (const auto& scheme : kNames)
    if (src.has(scheme.word)) n = &scheme;
  if (!n) throw FormatError(src.path() + ": no BERT word embedding found (looked for bert.embeddings.word_embeddings.weight, embeddings.word_embeddings.weight, token_embd.weight)");
  const int64_t C = cfg_.dim, V = cfg_.vocab, H = cfg_.hidden, P = cfg_.max_seq;
  auto vec = [&](const char* pattern, int64_t i, std::vector<int64_t> shape) { return src.load(layer_name(pattern, i), shape); };
  word_ = src.load(n->word, {V, C});
  pos_emb_ = src.load(n->pos, {P, C});
  type_ = src.load(n->type, {cfg_.type_vocab, C});
  emb_ln_w_ = src.load(n->emb_ln_w, {C});
  emb_ln_b_ = src.load(n->emb_ln_b, {C});
  layers_.resize(cfg_.n_layers);
  for (int64_t i = 0; i < cfg_.n_layers; ++i) {
    Layer& l = layers_[i];
    l.q_w = vec(n->q_w, i, {C, C});
    l.q_b = vec(n->q_b, i, {C});
    l.k_w = vec(n->k_w, i, {C, C});
    l.k_b = vec(n->k_b, i, {C});
    l.v_w = vec(n->v_w, i, {C, C});
    l.v_b = vec(n->v_b, i, {C});
    l.o_w = vec(n->o_w, i, {C, C});
    l.o_b = vec(n->o_b, i, {C});
    l.ln1_w = vec(n->ln1_w, i, {C});
    l.ln1_b = vec(n->ln1_b, i, {C});
    l.up_w = vec(n->up_w, i, {H, C});
    l.up_b = vec(n->up_b, i, {H});
    l.down_w = vec(n->down_w, i, {C, H});
    l.down_b = vec(n->down_b, i, {C});
    l.ln2_w = vec(n->ln2_w, i, {C});
    l.ln2_b = vec(n->ln2_b, i, {C});
  }
  if (cfg_.num_labels > 0) {
    pool_w_ = src.load(n->pool_w, {C, C});
    pool_b_ = src.load(n->pool_b, {C});
    cls_w_ = src.load(n->cls_w, {cfg_.num_labels, C});
    cls_b_ = src.load(n->cls_b, {cfg_.num_labels});
  }
  source_ = src.path();
}

ModelOutput BertModel::forward(std::span<const int32_t> tokens, attention::Recorder* capture) {
  return forward_segments(tokens, {}, capture);
}

ModelOutput BertModel::forward_segments(std::span<const int32_t> tokens, std::span<const int32_t> segments,
                                        attention::Recorder* capture) {
  check_tokens(tokens, 0);
  const int64_t T = static_cast<int64_t>(tokens.size());
  if (!segments.empty() && static_cast<int64_t>(segments.size()) != T)
    throw ValueError("token types: " + std::to_string(segments.size()) + " for " + std::to_string(T) + " tokens");
  for (int32_t s : segments)
    if (s < 0 || s >= cfg_.type_vocab)
      throw ValueError("token type " + std::to_string(s) + " is outside the model's " + std::to_string(cfg_.type_vocab));
  const int64_t C = cfg_.dim, NH = cfg_.n_heads, HS = cfg_.head_dim, H = cfg_.hidden;
  std::vector<float> x(T * C), xb(T * C), q(T * C), k(T * C), v(T * C), ctx(T * C), h(T * H);  // activations
  for (int64_t t = 0; t < T; ++t) {
    const float* type = type_.data() + (segments.empty() ? 0 : segments[t]) * C;
    for (int64_t c = 0; c < C; ++c) xb[t * C + c] = word_[tokens[t] * C + c] + pos_emb_[t * C + c] + type[c];
  }
  layernorm_forward(xb.data(), emb_ln_w_.data(), emb_ln_b_.data(), T, C, cfg_.norm_eps, x.data());
  for (int64_t l = 0; l < cfg_.n_layers; ++l) {
    const Layer& w = layers_[l];
    linear_forward(x.data(), w.q_w.data(), w.q_b.data(), T, C, C, q.data());
    linear_forward(x.data(), w.k_w.data(), w.k_b.data(), T, C, C, k.data());
    linear_forward(x.data(), w.v_w.data(), w.v_b.data(), T, C, C, v.data());
    SelfAttentionShape s{T, T, NH, NH, HS, false, -1};
    s.head_off = ablated(l);
    s.head_skip = pruned(l);
    self_attention_forward(s, q.data(), k.data(), v.data(), ctx.data(), capture, site_name(l));
    linear_forward(ctx.data(), w.o_w.data(), w.o_b.data(), T, C, C, xb.data());
    for (int64_t i = 0; i < T * C; ++i) xb[i] += x[i];
    layernorm_forward(xb.data(), w.ln1_w.data(), w.ln1_b.data(), T, C, cfg_.norm_eps, x.data());
    linear_forward(x.data(), w.up_w.data(), w.up_b.data(), T, C, H, h.data());
    gelu_erf_inplace(h.data(), T * H);
    linear_forward(h.data(), w.down_w.data(), w.down_b.data(), T, H, C, xb.data());
    for (int64_t i = 0; i < T * C; ++i) xb[i] += x[i];
    layernorm_forward(xb.data(), w.ln2_w.data(), w.ln2_b.data(), T, C, cfg_.norm_eps, x.data());
  }
  ModelOutput out;
  if (!has_classifier()) {
    out.kind = ModelOutput::Kind::hidden;
    out.rows = T;
    out.cols = C;
    out.values = std::move(x);
    return out;
  }
  std::vector<float> pooled(C);  // tanh(W h[CLS] + b), [C]
  linear_forward(x.data(), pool_w_.data(), pool_b_.data(), 1, C, C, pooled.data());
  for (float& p : pooled) p = std::tanh(p);
  out.kind = ModelOutput::Kind::class_logits;
  out.rows = 1;
  out.cols = cfg_.num_labels;
  out.values.resize(cfg_.num_labels);
  linear_forward(pooled.data(), cls_w_.data(), cls_b_.data(), 1, C, cfg_.num_labels, out.values.data());
  return out;
}

}  // namespace attnscope::models
