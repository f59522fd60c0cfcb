#include "attnscope/models/translate/rnn_seq2seq.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "attnscope/attention/diagonal_prior.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::models {

using namespace attnscope::ops;

nlohmann::json RnnSeq2SeqConfig::to_json() const {
  nlohmann::json j = {{"src_vocab", src_vocab}, {"tgt_vocab", tgt_vocab}, {"embed", embed}, {"hidden", hidden},
                      {"cell", cell}, {"attention", attention}, {"window", window}, {"dropout", dropout}};
  // Only when on: configs (and so checkpoints) of models without the prior stay as they were.
  if (diagonal_prior > 0) j["diagonal_prior"] = diagonal_prior, j["length_ratio"] = length_ratio;
  return j;
}

RnnSeq2SeqConfig RnnSeq2SeqConfig::from_json(const nlohmann::json& j) {
  RnnSeq2SeqConfig c;
  try {
    c.src_vocab = j.at("src_vocab");
    c.tgt_vocab = j.at("tgt_vocab");
    c.embed = j.value("embed", c.embed);
    c.hidden = j.value("hidden", c.hidden);
    c.cell = j.value("cell", c.cell);
    c.attention = j.value("attention", c.attention);
    c.window = j.value("window", c.window);
    c.dropout = j.value("dropout", c.dropout);
    c.diagonal_prior = j.value("diagonal_prior", c.diagonal_prior);
    c.length_ratio = j.value("length_ratio", c.length_ratio);
  } catch (const nlohmann::json::exception& e) {
    throw ConfigError(std::string("seq2seq-rnn config: ") + e.what());
  }
  if (!(c.diagonal_prior >= 0) || !(c.length_ratio > 0) || !std::isfinite(c.diagonal_prior) || !std::isfinite(c.length_ratio))
    throw ConfigError("seq2seq-rnn: the diagonal prior's sigma must be >= 0 and its length ratio > 0");
  if (c.diagonal_prior > 0 && c.attention != "additive" && c.attention != "dot" && c.attention != "general")
    throw ConfigError("seq2seq-rnn: the diagonal prior applies to soft attention (additive, dot, general), not '" +
                      c.attention + "'");
  if (c.src_vocab < 5 || c.tgt_vocab < 5) throw ConfigError("seq2seq-rnn config: vocabularies too small");
  if (c.embed <= 0 || c.hidden <= 0 || c.hidden % 2) throw ConfigError("seq2seq-rnn config: hidden must be even and positive");
  if (c.cell != "gru" && c.cell != "lstm") throw ConfigError("seq2seq-rnn: cell must be gru or lstm, got '" + c.cell + "'");
  if (c.attention != "additive" && c.attention != "dot" && c.attention != "general" && c.attention != "local" &&
      c.attention != "hard" && c.attention != "none")
    throw ConfigError("seq2seq-rnn: attention must be additive, dot, general, local, hard or none, got '" + c.attention + "'");
  if (c.window < 1 || c.window > 1024) throw ConfigError("seq2seq-rnn: window must be in 1..1024, got " + std::to_string(c.window));
  if (c.dropout < 0 || c.dropout >= 1) throw ConfigError("seq2seq-rnn: dropout must be in [0, 1)");
  // A checkpoint's config is untrusted: refuse sizes that would allocate gigabytes before the
  // tensor shapes are even checked. Estimate: embeddings, output layer, GRU/LSTM gates, linears.
  const double V = static_cast<double>(c.src_vocab) + c.tgt_vocab, E = c.embed, H = c.hidden;
  const double params = V * E + c.tgt_vocab * H + 4 * 3 * H * (E + 2 * H) + 6 * H * H;
  if (params > kMaxTranslationParams)
    throw ConfigError("seq2seq-rnn config: about " + std::to_string(static_cast<long long>(params)) +
                      " parameters, more than the limit of " + std::to_string(static_cast<long long>(kMaxTranslationParams)));
  return c;
}

struct RnnSeq2Seq::State : DecodeState {
  Tensor memory;                   // [B, S, H]
  Tensor keys;                     // the attention's projection of memory, once per sentence
  std::vector<int32_t> src_len;    // [B]
  Tensor h, c;                     // [1, B, H] decoder state (c: LSTM)
  Tensor feed;                     // [B, H] attentional vector of the previous step
  Tensor last;                     // [B, 1, H] encoder summary (the "none" baseline's context)
  std::vector<Tensor> kept;        // per step [B, 1, S] weights, while keeping attention
};

namespace {
attention::Score score_of(const std::string& name) {
  if (name == "dot") return attention::Score::dot;
  if (name == "general") return attention::Score::general;
  return attention::Score::additive;
}
}  // namespace

RnnSeq2Seq::RnnSeq2Seq(const RnnSeq2SeqConfig& cfg, Rng& rng) : cfg_(RnnSeq2SeqConfig::from_json(cfg.to_json())), dropout_rng_(rng.fork()) {
  const int64_t H = cfg_.hidden, E = cfg_.embed;
  src_embed_ = register_module("src_embed", std::make_shared<nn::Embedding>(cfg_.src_vocab, E, rng));
  encoder_ = register_module("encoder", nn::make_recurrent(cfg_.cell, {E, H / 2, 1, true, true}, rng));
  bridge_ = register_module("bridge", std::make_shared<nn::Linear>(H, H, rng));
  tgt_embed_ = register_module("tgt_embed", std::make_shared<nn::Embedding>(cfg_.tgt_vocab, E, rng));
  decoder_ = register_module("decoder", nn::make_recurrent(cfg_.cell, {E + H, H, 1, false, true}, rng));
  attention::SoftAttentionConfig ac;
  ac.query_dim = H;
  ac.key_dim = H;
  ac.attn_dim = H;
  ac.score = score_of(cfg_.attention);
  if (cfg_.attention == "local") {
    attention::LocalAttentionConfig lc;
    lc.align = ac;
    lc.align.score = attention::Score::general;  // Luong et al.'s best local-p variant
    lc.mode = attention::LocalMode::predictive;
    lc.window = cfg_.window;
    local_ = register_module("attention", std::make_shared<attention::LocalAttention>(lc, rng));
    recordable_ = local_.get();
  } else if (cfg_.attention == "hard") {
    attention::HardAttentionConfig hc;
    hc.score = ac;
    hc.mode = attention::HardMode::gumbel;
    hard_ = register_module("attention", std::make_shared<attention::HardAttention>(hc, rng));
    recordable_ = hard_.get();
  } else if (cfg_.attention != "none") {
    soft_ = register_module("attention", std::make_shared<attention::SoftAttention>(ac, rng));
    recordable_ = soft_.get();
  }
  combine_ = register_module("combine", std::make_shared<nn::Linear>(2 * H, H, rng));
  out_ = register_module("out", std::make_shared<nn::Linear>(H, cfg_.tgt_vocab, rng));
  register_rng("dropout", &dropout_rng_);
}

void RnnSeq2Seq::set_recorder(attention::Recorder* r) {
  if (recordable_) recordable_->set_recorder(r, "decoder.cross");
}

std::unique_ptr<DecodeState> RnnSeq2Seq::encode(const Batch& b) {
  for (int64_t id : b.src)
    if (id < 0 || id >= cfg_.src_vocab)
      throw ValueError("seq2seq-rnn: source id " + std::to_string(id) + " outside the vocabulary");
  auto st = std::make_unique<State>();
  const int64_t H = cfg_.hidden;
  std::vector<int64_t> lengths(b.src_len.begin(), b.src_len.end());
  Tensor emb = probed_source(dropout(src_embed_->forward(b.src, Shape{b.B, b.S}), cfg_.dropout, training(), dropout_rng_));
  Tensor mask = nn::lengths_to_mask(lengths, b.S);
  nn::RecurrentOutput enc = encoder_->forward(emb, mask);
  st->memory = enc.output;  // [B, S, H]
  if (recordable_) st->keys = local_ ? local_->project_keys(st->memory)
                              : hard_ ? hard_->project_keys(st->memory)
                                      : soft_->project_keys(st->memory);
  st->src_len = b.src_len;
  // h_n [2, B, H/2]: forward direction's last state, backward direction's state at t = 0.
  Tensor summary = concat({index_select(enc.h_n, 0, {0}), index_select(enc.h_n, 0, {1})}, 2);  // [1, B, H]
  st->h = tanh(bridge_->forward(summary));
  if (cfg_.cell == "lstm") st->c = Tensor::zeros(Shape{1, b.B, H});
  st->feed = Tensor::zeros(Shape{b.B, H});
  st->last = reshape(summary, Shape{b.B, 1, H});
  return st;
}

Tensor RnnSeq2Seq::step(State& st, const std::vector<int64_t>& prev) {
  const int64_t B = static_cast<int64_t>(prev.size()), H = cfg_.hidden;
  for (int64_t id : prev)
    if (id < 0 || id >= cfg_.tgt_vocab) throw ValueError("seq2seq-rnn: target id " + std::to_string(id) + " outside the vocabulary");
  Tensor emb = tgt_embed_->forward(prev, Shape{B, 1});                          // [B, 1, E]
  Tensor x = concat({emb, reshape(st.feed, Shape{B, 1, H})}, 2);                // [B, 1, E+H]
  nn::RecurrentOutput r = decoder_->forward(x, {}, st.h, st.c);
  st.h = r.h_n;
  if (cfg_.cell == "lstm") st.c = r.c_n;
  Tensor s = r.output;                                                            // [B, 1, H]
  Tensor ctx = attend(s, st);                                                     // [B, 1, H]
  Tensor a = tanh(combine_->forward(concat({s, ctx}, 2)));                       // [B, 1, H]
  a = dropout(a, cfg_.dropout, training(), dropout_rng_);
  st.feed = reshape(a, Shape{B, H});
  ++st.step;
  return a;
}

Tensor RnnSeq2Seq::attend(const Tensor& s, State& st) const {
  if (!recordable_) return st.last;
  attention::SoftCall call;
  call.key_lengths = st.src_len;
  call.query_offset = st.step;
  call.projected_keys = st.keys;
  if (local_) return local_->forward(s, st.memory, {}, call).context;
  if (hard_) return hard_->forward(s, st.memory, {}, call).context;
  if (cfg_.diagonal_prior > 0)
    call.prior = attention::diagonal_prior(st.src_len, 1, st.memory.size(1), st.step, cfg_.diagonal_prior, cfg_.length_ratio);
  attention::AttentionResult r = soft_->forward(s, st.memory, {}, call);
  if (keeping_attention()) st.kept.push_back(r.weights);
  return r.context;
}

Tensor RnnSeq2Seq::forward(const Batch& b) {
  auto base = encode(b);
  State& st = static_cast<State&>(*base);
  std::vector<Tensor> attentional;
  std::vector<int64_t> prev(b.B);
  for (int64_t t = 0; t < b.T; ++t) {
    for (int64_t i = 0; i < b.B; ++i) prev[i] = b.tgt_in[i * b.T + t];
    attentional.push_back(step(st, prev));
  }
  if (keeping_attention()) set_kept_attention(st.kept.empty() ? Tensor() : concat(st.kept, 1));  // [B, T, S]
  return out_->forward(concat(attentional, 1));  // [B, T, V]
}

Tensor RnnSeq2Seq::decode_step(DecodeState& state, const std::vector<int64_t>& prev) {
  const int64_t B = static_cast<int64_t>(prev.size());
  return log_softmax(reshape(out_->forward(step(static_cast<State&>(state), prev)), Shape{B, cfg_.tgt_vocab}));
}

void RnnSeq2Seq::reorder(DecodeState& state, const std::vector<int64_t>& rows) {
  State& st = static_cast<State&>(state);
  st.memory = index_select(st.memory, 0, rows);
  if (st.keys.defined()) st.keys = index_select(st.keys, 0, rows);
  st.h = index_select(st.h, 1, rows);
  if (st.c.defined()) st.c = index_select(st.c, 1, rows);
  st.feed = index_select(st.feed, 0, rows);
  st.last = index_select(st.last, 0, rows);
  std::vector<int32_t> len;
  for (int64_t r : rows) len.push_back(st.src_len[r]);
  st.src_len = len;
}

}  // namespace attnscope::models
