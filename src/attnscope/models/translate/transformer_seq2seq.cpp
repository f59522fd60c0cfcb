#include "attnscope/models/translate/transformer_seq2seq.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "attnscope/attention/diagonal_prior.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::models {

using namespace attnscope::ops;

nlohmann::json TransformerSeq2SeqConfig::to_json() const {
  nlohmann::json j = {{"src_vocab", src_vocab}, {"tgt_vocab", tgt_vocab}, {"hidden", hidden},   {"heads", heads},
                      {"layers", layers},       {"ff", ff},               {"max_len", max_len}, {"positions", positions},
                      {"dropout", dropout}};
  // Only when on: configs (and so checkpoints) of models without the prior stay as they were.
  if (diagonal_prior > 0) j["diagonal_prior"] = diagonal_prior, j["length_ratio"] = length_ratio;
  if (adaptive_span > 0) j["adaptive_span"] = adaptive_span, j["span_penalty"] = span_penalty, j["span_ramp"] = span_ramp;
  return j;
}

TransformerSeq2SeqConfig TransformerSeq2SeqConfig::from_json(const nlohmann::json& j) {
  TransformerSeq2SeqConfig c;
  try {
    c.src_vocab = j.at("src_vocab");
    c.tgt_vocab = j.at("tgt_vocab");
    c.hidden = j.value("hidden", c.hidden);
    c.heads = j.value("heads", c.heads);
    c.layers = j.value("layers", c.layers);
    c.ff = j.value("ff", c.ff);
    c.max_len = j.value("max_len", c.max_len);
    c.positions = j.value("positions", c.positions);
    c.dropout = j.value("dropout", c.dropout);
    c.diagonal_prior = j.value("diagonal_prior", c.diagonal_prior);
    c.length_ratio = j.value("length_ratio", c.length_ratio);
    c.adaptive_span = j.value("adaptive_span", c.adaptive_span);
    c.span_penalty = j.value("span_penalty", c.span_penalty);
    c.span_ramp = j.value("span_ramp", c.span_ramp);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(std::string("seq2seq-transformer config: ") + e.what());
  }
  if (c.src_vocab < 5 || c.tgt_vocab < 5) throw ConfigError("seq2seq-transformer config: vocabularies too small");
  if (c.hidden <= 0 || c.heads <= 0 || c.hidden % c.heads)
    throw ConfigError("seq2seq-transformer: hidden must be a positive multiple of heads");
  if (c.layers <= 0 || c.layers > 24) throw ConfigError("seq2seq-transformer: layers must be in 1..24");
  if (c.ff < 0 || c.max_len <= 0) throw ConfigError("seq2seq-transformer: bad ff or max_len");
  if (c.positions != "sinusoidal" && c.positions != "learned" && c.positions != "alibi")
    throw ConfigError("seq2seq-transformer: positions must be sinusoidal, learned or alibi, got '" + c.positions + "'");
  if (c.dropout < 0 || c.dropout >= 1) throw ConfigError("seq2seq-transformer: dropout must be in [0, 1)");
  if (!(c.diagonal_prior >= 0) || !(c.length_ratio > 0) || !std::isfinite(c.diagonal_prior) || !std::isfinite(c.length_ratio))
    throw ConfigError("seq2seq-transformer: the diagonal prior's sigma must be >= 0 and its length ratio > 0");
  if (c.adaptive_span < 0 || c.adaptive_span > c.max_len || !(c.span_penalty >= 0) || !std::isfinite(c.span_penalty) ||
      !(c.span_ramp >= 1 && c.span_ramp <= 4096))
    throw ConfigError("seq2seq-transformer: adaptive_span must be in 0..max_len, span_penalty >= 0 and span_ramp in 1..4096");
  // Untrusted checkpoint configs: bound the allocation (see kMaxTranslationParams).
  const double C = static_cast<double>(c.hidden), F = c.ff > 0 ? static_cast<double>(c.ff) : 4 * C;
  const double params = (static_cast<double>(c.src_vocab) + 2.0 * c.tgt_vocab + 4.0 * c.max_len) * C +
                        c.layers * (10 * C * C + 4 * C * F);
  if (params > kMaxTranslationParams)
    throw ConfigError("seq2seq-transformer config: about " + std::to_string(static_cast<long long>(params)) +
                      " parameters, more than the limit of " + std::to_string(static_cast<long long>(kMaxTranslationParams)));
  return c;
}

struct TransformerSeq2Seq::State : DecodeState {
  Tensor memory;                                  // [B, S, C]
  std::vector<int32_t> src_len;                   // [B]
  std::vector<attention::KVCache> self_caches, cross_caches;  // one per decoder layer
};

TransformerSeq2Seq::TransformerSeq2Seq(const TransformerSeq2SeqConfig& cfg, Rng& rng)
    : cfg_(TransformerSeq2SeqConfig::from_json(cfg.to_json())), dropout_rng_(rng.fork()) {
  const int64_t C = cfg_.hidden;
  src_embed_ = register_module("src_embed", std::make_shared<nn::Embedding>(cfg_.src_vocab, C, rng));
  tgt_embed_ = register_module("tgt_embed", std::make_shared<nn::Embedding>(cfg_.tgt_vocab, C, rng));
  if (cfg_.positions == "learned") {
    src_pos_ = register_module("src_pos", std::make_shared<nn::Embedding>(cfg_.max_len, C, rng));
    tgt_pos_ = register_module("tgt_pos", std::make_shared<nn::Embedding>(cfg_.max_len, C, rng));
  }
  encoder_ = register_module("encoder", std::make_shared<nn::ModuleList<TransformerBlock>>());
  decoder_ = register_module("decoder", std::make_shared<nn::ModuleList<TransformerBlock>>());
  TransformerBlockConfig bc;
  bc.hidden = cfg_.hidden;
  bc.heads = cfg_.heads;
  bc.ff = cfg_.ff;
  bc.alibi = cfg_.positions == "alibi";
  TransformerBlockConfig dc = bc;
  dc.causal = dc.cross = true;
  dc.adaptive_span = cfg_.adaptive_span;
  dc.span_ramp = cfg_.span_ramp;
  for (int64_t l = 0; l < cfg_.layers; ++l) {
    encoder_->push_back(std::make_shared<TransformerBlock>(bc, rng));
    decoder_->push_back(std::make_shared<TransformerBlock>(dc, rng));
  }
  enc_norm_ = register_module("encoder_norm", std::make_shared<nn::LayerNorm>(C));
  dec_norm_ = register_module("decoder_norm", std::make_shared<nn::LayerNorm>(C));
  out_ = register_module("out", std::make_shared<nn::Linear>(C, cfg_.tgt_vocab, rng));
  register_rng("dropout", &dropout_rng_);
  // PE(p, 2i) = sin(p / 10000^(2i/C)), PE(p, 2i+1) = cos(p / 10000^(2i/C))
  std::vector<float> pe(cfg_.max_len * C);
  for (int64_t p = 0; p < cfg_.max_len; ++p)
    for (int64_t i = 0; i < C; ++i) {
      const double angle = p / std::pow(10000.0, static_cast<double>(2 * (i / 2)) / C);
      pe[p * C + i] = static_cast<float>(i % 2 ? std::cos(angle) : std::sin(angle));
    }
  sinusoid_ = Tensor::from(std::span<const float>(pe), Shape{cfg_.max_len, C});
}

Tensor TransformerSeq2Seq::regularizer() const {
  if (cfg_.adaptive_span <= 0 || cfg_.span_penalty <= 0) return {};
  Tensor sum;
  for (size_t l = 0; l < decoder_->size(); ++l) {
    const Tensor p = (*decoder_)[l].self_attn->adaptive_span()->penalty(cfg_.span_penalty);
    sum = sum.defined() ? add(sum, p) : p;
  }
  return sum;
}

std::vector<std::vector<float>> TransformerSeq2Seq::decoder_spans() const {
  std::vector<std::vector<float>> out;
  if (cfg_.adaptive_span <= 0) return out;
  for (size_t l = 0; l < decoder_->size(); ++l) {
    const Tensor z = (*decoder_)[l].self_attn->adaptive_span()->spans().detach().to(DType::f32);
    out.emplace_back(z.data<float>(), z.data<float>() + z.numel());
  }
  return out;
}

void TransformerSeq2Seq::prune_heads(const std::vector<uint8_t>& pruned) {
  const int64_t H = cfg_.heads;
  if (!pruned.empty() && static_cast<int64_t>(pruned.size()) != attention_heads())
    throw ShapeError("transformer: head pruning mask of " + std::to_string(pruned.size()) + " entries for " +
                     std::to_string(attention_heads()) + " heads");
  auto part = [&](int64_t site) {
    return pruned.empty() ? std::vector<uint8_t>{} : std::vector<uint8_t>(pruned.begin() + site * H, pruned.begin() + (site + 1) * H);
  };
  for (int64_t l = 0; l < cfg_.layers; ++l) {
    (*encoder_)[l].self_attn->prune_heads(part(l));
    (*decoder_)[l].self_attn->prune_heads(part(cfg_.layers + 2 * l));
    (*decoder_)[l].cross_attn->prune_heads(part(cfg_.layers + 2 * l + 1));
  }
}

void TransformerSeq2Seq::set_recorder(attention::Recorder* r) {
  for (size_t l = 0; l < encoder_->size(); ++l) {
    auto& e = (*encoder_)[l];
    e.self_attn->set_recorder(r, "encoder." + std::to_string(l) + ".self");
    e.self_attn->set_sequences("source", "source");
    auto& d = (*decoder_)[l];
    d.self_attn->set_recorder(r, "decoder." + std::to_string(l) + ".self");
    d.self_attn->set_sequences("target", "target");
    d.cross_attn->set_recorder(r, "decoder." + std::to_string(l) + ".cross");
    d.cross_attn->set_sequences("target", "source");
  }
}

Tensor TransformerSeq2Seq::embed(const nn::Embedding& table, const std::vector<int64_t>& ids, int64_t B, int64_t T,
                                 int64_t offset) const {
  if (offset + T > cfg_.max_len)
    throw ValueError("seq2seq-transformer: sequence of " + std::to_string(offset + T) + " tokens exceeds max_len " +
                     std::to_string(cfg_.max_len));
  Tensor x = table.forward(ids, Shape{B, T});  // [B, T, C]
  if (cfg_.positions == "sinusoidal") {
    // No sqrt(C) scaling: Vaswani et al. scale embeddings initialized with std C^-1/2; ours are
    // N(0, 1) already, and scaling them would drown the unit-size sinusoids (the decoder must
    // know which ISO character it writes; with the scaling, 300 steps on dates gave 10% exact).
    x = add(x, slice(sinusoid_, 0, offset, offset + T));
  } else if (cfg_.positions == "learned") {
    std::vector<int64_t> pos(T);
    for (int64_t t = 0; t < T; ++t) pos[t] = offset + t;
    const nn::Embedding& p = &table == src_embed_.get() ? *src_pos_ : *tgt_pos_;
    x = add(x, p.forward(pos, Shape{T}));
  }
  return dropout(x, cfg_.dropout, training(), dropout_rng_);
}

Tensor TransformerSeq2Seq::encode_memory(const Batch& b, std::vector<int32_t>& lengths) const {
  for (int64_t id : b.src)
    if (id < 0 || id >= cfg_.src_vocab) throw ValueError("seq2seq-transformer: source id " + std::to_string(id) + " outside the vocabulary");
  lengths = b.src_len;
  Tensor x = probed_source(embed(*src_embed_, b.src, b.B, b.S, 0));
  attention::AttentionCall call;
  call.key_lengths = lengths;
  for (const auto& blk : *encoder_) x = blk->encode(x, call, cfg_.dropout, dropout_rng_);
  return enc_norm_->forward(x);
}

Tensor TransformerSeq2Seq::decode(Tensor y, const Tensor& memory, const std::vector<int32_t>& lengths,
                                  std::vector<attention::KVCache>* self_caches,
                                  std::vector<attention::KVCache>* cross_caches) const {
  for (size_t l = 0; l < decoder_->size(); ++l) {
    const TransformerBlock& blk = (*decoder_)[l];
    attention::AttentionCall self_call;
    if (self_caches) self_call.cache = &(*self_caches)[l];
    else self_call.query_offset = 0;
    y = add(y, dropout(blk.self_attn->forward(blk.norm1->forward(y), self_call).context, cfg_.dropout, training(), dropout_rng_));
    attention::AttentionCall cross_call;
    cross_call.key_lengths = lengths;
    if (cross_caches) cross_call.cache = &(*cross_caches)[l];
    if (self_caches) cross_call.query_offset = (*self_caches)[l].length() - y.size(1);
    const int64_t B = y.size(0), T = y.size(1), S = memory.size(1);
    if (cfg_.diagonal_prior > 0)
      cross_call.prior = reshape(attention::diagonal_prior(lengths, T, S, std::max<int64_t>(0, cross_call.query_offset),
                                                           cfg_.diagonal_prior, cfg_.length_ratio),
                                 Shape{B, 1, T, S});
    const bool keep = keeping_attention() && l + 1 == decoder_->size();
    cross_call.weights_grad = keep;
    attention::AttentionResult cross = blk.cross_attn->forward(blk.norm_cross->forward(y), memory, cross_call);
    if (keep) set_kept_attention(mean(cross.weights, {1}));  // [B, T, S]: the head mean
    y = add(y, dropout(cross.context, cfg_.dropout, training(), dropout_rng_));
    y = add(y, dropout(blk.feed_forward(blk.norm2->forward(y), cfg_.dropout, dropout_rng_), cfg_.dropout, training(), dropout_rng_));
  }
  return out_->forward(dec_norm_->forward(y));
}

Tensor TransformerSeq2Seq::forward(const Batch& b) {
  std::vector<int32_t> lengths;
  Tensor memory = encode_memory(b, lengths);
  for (int64_t id : b.tgt_in)
    if (id < 0 || id >= cfg_.tgt_vocab) throw ValueError("seq2seq-transformer: target id " + std::to_string(id) + " outside the vocabulary");
  return decode(embed(*tgt_embed_, b.tgt_in, b.B, b.T, 0), memory, lengths, nullptr, nullptr);
}

std::unique_ptr<DecodeState> TransformerSeq2Seq::encode(const Batch& b) {
  auto st = std::make_unique<State>();
  st->memory = encode_memory(b, st->src_len);
  st->self_caches.resize(decoder_->size());
  st->cross_caches.resize(decoder_->size());
  return st;
}

Tensor TransformerSeq2Seq::decode_step(DecodeState& state, const std::vector<int64_t>& prev) {
  State& st = static_cast<State&>(state);
  const int64_t B = static_cast<int64_t>(prev.size());
  for (int64_t id : prev)
    if (id < 0 || id >= cfg_.tgt_vocab) throw ValueError("seq2seq-transformer: target id " + std::to_string(id) + " outside the vocabulary");
  Tensor y = embed(*tgt_embed_, prev, B, 1, st.step);
  Tensor logits = decode(y, st.memory, st.src_len, &st.self_caches, &st.cross_caches);  // [B, 1, V]
  ++st.step;
  return log_softmax(reshape(logits, Shape{B, cfg_.tgt_vocab}));
}

void TransformerSeq2Seq::reorder(DecodeState& state, const std::vector<int64_t>& rows) {
  State& st = static_cast<State&>(state);
  st.memory = index_select(st.memory, 0, rows);
  std::vector<int32_t> len;
  for (int64_t r : rows) len.push_back(st.src_len[r]);
  st.src_len = len;
  for (auto* caches : {&st.self_caches, &st.cross_caches})
    for (auto& c : *caches) {
      if (c.empty()) continue;
      attention::KVCache n;
      n.append(index_select(c.keys(), 0, rows), index_select(c.values(), 0, rows));
      c = std::move(n);
    }
}

}  // namespace attnscope::models
