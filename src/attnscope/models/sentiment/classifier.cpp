#include "attnscope/models/sentiment/classifier.h"
#include "attnscope/io/json_parse.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/nn/checkpoint.h"
#include "attnscope/nn/eval_mode.h"

namespace attnscope::models {

using json = nlohmann::json;

// Untrusted checkpoint configs: bound what a config can make us allocate.
constexpr double kMaxClassifierParams = 2e8;

std::string ClassifierConfig::to_json() const {
  return json{{"arch", arch}, {"layers", layers}, {"heads", heads}, {"ff", ff}, {"max_len", max_len}, {"cell", cell},     {"pooling", pooling},       {"normalizer", normalizer}, {"topk", topk}, {"queries", queries},
              {"embed", embed},   {"hidden", hidden},         {"attn_dim", attn_dim},     {"attention_keys", attention_keys}, {"key_window", key_window},  {"dropout", dropout},
              {"word_dropout", word_dropout}, {"labels", labels}}
      .dump();
}

ClassifierConfig ClassifierConfig::from_json(const std::string& text) {
  ClassifierConfig c;
  try {
    const json j = json::parse(text);
    c.arch = j.value("arch", std::string("birnn"));
    c.layers = j.value("layers", c.layers);
    c.heads = j.value("heads", c.heads);
    c.ff = j.value("ff", c.ff);
    c.max_len = j.value("max_len", c.max_len);
    c.cell = j.at("cell").get<std::string>();
    c.pooling = j.at("pooling").get<std::string>();
    c.normalizer = j.at("normalizer").get<std::string>();
    c.topk = j.at("topk").get<int64_t>();
    c.queries = j.value("queries", int64_t{1});
    c.embed = j.at("embed").get<int64_t>();
    c.hidden = j.at("hidden").get<int64_t>();
    c.attn_dim = j.at("attn_dim").get<int64_t>();
    c.attention_keys = j.value("attention_keys", std::string("states"));
    c.key_window = j.value("key_window", c.key_window);
    c.dropout = j.at("dropout").get<double>();
    c.word_dropout = j.at("word_dropout").get<double>();
    c.labels = j.at("labels").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    throw FormatError(std::string("sentiment classifier config: ") + e.what());
  }
  try {
    c.validate();
  } catch (const ConfigError& e) {
    throw FormatError(std::string("sentiment classifier config: ") + e.what());
  }
  return c;
}

void ClassifierConfig::validate() const {
  if (arch != "birnn" && arch != "transformer") throw ConfigError("classifier arch must be birnn or transformer, got '" + arch + "'");
  if (arch == "transformer") {
    if (pooling == "last") throw ConfigError("the transformer classifier pools with cls, attention, mean or max, not last");
    if (layers < 1 || layers > 24 || heads < 1 || hidden % heads || ff < 0 || ff > 1 << 20 || max_len < 1 || max_len > 65536)
      throw ConfigError("transformer classifier: layers 1..24, hidden a multiple of heads, ff 0..2^20, max_len 1..65536");
  } else if (pooling == "cls") {
    throw ConfigError("cls pooling needs the transformer classifier");
  }
  if (cell != "gru" && cell != "lstm") throw ConfigError("classifier cell must be gru or lstm, got '" + cell + "'");
  if (pooling != "attention" && pooling != "mean" && pooling != "max" && pooling != "last" && pooling != "cls")
    throw ConfigError("classifier pooling must be attention, mean, max, last or cls, got '" + pooling + "'");
  if (normalizer != "topk" && !attention::normalizer_from_name(normalizer))
    throw ConfigError("classifier normalizer must be softmax, sparsemax, entmax15 or topk, got '" + normalizer + "'");
  if (attention_keys != "states" && attention_keys != "words")
    throw ConfigError("attention keys must be states or words, got '" + attention_keys + "'");
  if (key_window < 0 || key_window > 16) throw ConfigError("the attention key window takes 0..16 words either side");
  if (queries < 1 || queries > 64) throw ConfigError("attention pooling takes 1..64 queries");
  if (normalizer == "topk" && (topk < 1 || topk > 1024)) throw ConfigError("top-k pooling needs k in 1..1024");
  if (embed < 1 || hidden < 1 || attn_dim < 0 || embed > 65536 || hidden > 65536 || attn_dim > 65536)
    throw ConfigError("classifier widths must be in 1..65536");
  if (!(dropout >= 0 && dropout < 1) || !(word_dropout >= 0 && word_dropout < 1))
    throw ConfigError("classifier dropout and word dropout must be in [0, 1)");
  if (labels.size() < 2 || labels.size() > 1000) throw ConfigError("a classifier needs 2..1000 classes");
}

ClassifierBatch make_classifier_batch(const std::vector<std::vector<int64_t>>& rows, int64_t min_T) {
  ClassifierBatch b;
  b.B = static_cast<int64_t>(rows.size());
  if (b.B == 0) throw ValueError("a classifier batch needs at least one sentence");
  b.T = std::max<int64_t>(min_T, 1);
  for (const auto& r : rows) {
    if (r.empty()) throw ValueError("cannot classify an empty sentence");
    b.T = std::max<int64_t>(b.T, static_cast<int64_t>(r.size()));
    b.lengths.push_back(static_cast<int64_t>(r.size()));
  }
  b.ids.assign(b.B * b.T, data::Vocab::kPad);
  for (int64_t i = 0; i < b.B; ++i) std::copy(rows[i].begin(), rows[i].end(), b.ids.begin() + i * b.T);
  return b;
}

SentimentClassifier::SentimentClassifier(const ClassifierConfig& cfg, data::Vocab vocab, Rng& rng)
    : cfg_(cfg), vocab_(std::move(vocab)), word_rng_(rng.next_u64()), dropout_rng_(rng.next_u64()) {
  cfg_.validate();
  const double H = static_cast<double>(cfg_.hidden), E = static_cast<double>(cfg_.embed);
  const double params = static_cast<double>(vocab_.size()) * E + 8 * H * (E + H) + 8 * H * H +
                        cfg_.layers * 12.0 * H * H + static_cast<double>(cfg_.max_len) * H;
  if (params > kMaxClassifierParams) throw ConfigError("sentiment classifier: too many parameters for its config");
  const bool transformer = cfg_.arch == "transformer";
  if (transformer) cfg_.embed = cfg_.hidden;  // the residual stream's width
  embedding_ = register_module("embedding", std::make_shared<nn::Embedding>(vocab_.size(), cfg_.embed, rng));
  embed_dropout_ = register_module("embed_dropout", std::make_shared<nn::Dropout>(cfg_.dropout, rng.next_u64()));
  if (transformer) {
    positions_ = register_module("positions", std::make_shared<nn::Embedding>(cfg_.max_len, cfg_.hidden, rng));
    blocks_ = register_module("encoder", std::make_shared<nn::ModuleList<TransformerBlock>>());
    TransformerBlockConfig bc;
    bc.hidden = cfg_.hidden;
    bc.heads = cfg_.heads;
    bc.ff = cfg_.ff;
    for (int64_t l = 0; l < cfg_.layers; ++l) blocks_->push_back(std::make_shared<TransformerBlock>(bc, rng));
    final_norm_ = register_module("final_norm", std::make_shared<nn::LayerNorm>(cfg_.hidden));
    register_rng("dropout", &dropout_rng_);
  } else {
    nn::RecurrentOptions ro;
    ro.input_size = cfg_.embed;
    ro.hidden_size = cfg_.hidden;
    ro.bidirectional = true;
    if (cfg_.cell == "gru") rnn_ = register_module("rnn", std::make_shared<nn::GRU>(ro, rng));
    else rnn_ = register_module("rnn", std::make_shared<nn::LSTM>(ro, rng));
  }
  register_rng("word_dropout", &word_rng_);
  const int64_t D = transformer ? cfg_.hidden : 2 * cfg_.hidden;
  if (cfg_.pooling == "attention") {
    query_ = register_parameter("query", Tensor::randn(Shape{1, cfg_.queries, D}, rng, 1.0 / std::sqrt(static_cast<double>(D))));
    attention::SoftAttentionConfig sc;
    sc.query_dim = D;
    sc.key_dim = cfg_.attention_keys == "words" ? (2 * cfg_.key_window + 1) * cfg_.embed : D;
    sc.attn_dim = cfg_.attn_dim > 0 ? cfg_.attn_dim : D;
    sc.score = attention::Score::additive;
    if (cfg_.normalizer == "topk") {
      attention::HardAttentionConfig hc;
      hc.score = sc;
      hc.mode = attention::HardMode::topk;
      hc.k = cfg_.topk;
      hard_ = register_module("attention", std::make_shared<attention::HardAttention>(hc, rng));
      hard_->set_sequences("class", "words");
    } else {
      sc.normalizer = *attention::normalizer_from_name(cfg_.normalizer);
      soft_ = register_module("attention", std::make_shared<attention::SoftAttention>(sc, rng));
      soft_->set_sequences("class", "words");
    }
  }
  out_dropout_ = register_module("out_dropout", std::make_shared<nn::Dropout>(cfg_.dropout, rng.next_u64()));
  const int64_t P = cfg_.pooling == "attention" ? cfg_.queries * D : D;  // pooled width
  out_ = register_module("out", std::make_shared<nn::Linear>(P, static_cast<int64_t>(cfg_.labels.size()), rng));
}

std::string SentimentClassifier::config_json() const {
  return json{{"model", json::parse(cfg_.to_json())}, {"vocab", json::parse(vocab_.to_json())}}.dump();
}

std::unique_ptr<SentimentClassifier> SentimentClassifier::load(const std::string& path) {
  const io::SafetensorsFile file = io::SafetensorsFile::open(path);
  const nn::CheckpointMeta meta = nn::read_checkpoint_meta(file);
  if (meta.model_type != "sentiment-birnn" && meta.model_type != "sentiment-transformer")
    throw FormatError("'" + path + "' is a '" + meta.model_type + "' checkpoint, not a sentiment classifier");
  json cfg;
  try {
    cfg = io::parse_json(meta.config, "config");
    if (!cfg.contains("model") || !cfg.contains("vocab")) throw FormatError("");
  } catch (const std::exception&) {
    throw FormatError("'" + path + "': its config is not a sentiment classifier's");
  }
  Rng rng(0);
  auto m = std::make_unique<SentimentClassifier>(ClassifierConfig::from_json(cfg["model"].dump()),
                                                 data::Vocab::from_json(cfg["vocab"].dump()), rng);
  nn::load_checkpoint(file, *m, m->model_type());
  m->eval();
  return m;
}

std::vector<int64_t> SentimentClassifier::encode(const std::vector<std::string>& words) const {
  std::vector<int64_t> ids = vocab_.encode(words);
  if (cfg_.pooling == "cls") ids.insert(ids.begin(), data::Vocab::kBos);
  return ids;
}

Tensor SentimentClassifier::encode_words(const Tensor& embedded, const ClassifierBatch& b) const {
  if (!blocks_) return rnn_->forward(embed_dropout_->forward(embedded), nn::lengths_to_mask(b.lengths, b.T)).output;
  if (b.T > cfg_.max_len)
    throw ValueError("a sentence of " + std::to_string(b.T) + " tokens is longer than the classifier's " +
                     std::to_string(cfg_.max_len) + " positions");
  std::vector<int64_t> pos(b.T);
  for (int64_t t = 0; t < b.T; ++t) pos[t] = t;
  Tensor x = embed_dropout_->forward(ops::add(embedded, positions_->forward(pos, Shape{b.T})));
  attention::AttentionCall call;
  for (int64_t l : b.lengths) call.key_lengths.push_back(static_cast<int32_t>(l));
  for (const auto& blk : *blocks_) x = blk->encode(x, call, cfg_.dropout, dropout_rng_);
  // Padded rows are zeroed so that mean/max pooling and the trace ignore them like the RNN's.
  const Tensor mask = ops::reshape(nn::lengths_to_mask(b.lengths, b.T), Shape{b.B, b.T, 1});
  return ops::mul(final_norm_->forward(x), mask);
}

Tensor SentimentClassifier::word_keys(const Tensor& embedded, const ClassifierBatch& b, int64_t W) const {
  // Padding zeroed first, so a word's window reads zeros past the sentence's end whatever the
  // batch's width (the same keys in a batch as alone).
  const int64_t E = embedded.size(2);
  const Tensor x = ops::mul(embed_dropout_->forward(embedded), ops::reshape(nn::lengths_to_mask(b.lengths, b.T), Shape{b.B, b.T, 1}));
  std::vector<Tensor> window;  // x shifted by -W..W along the words
  for (int64_t d = -W; d <= W; ++d) {
    if (d == 0) {
      window.push_back(x);
    } else if (std::abs(d) >= b.T) {
      window.push_back(Tensor::zeros(Shape{b.B, b.T, E}, x.dtype()));
    } else {
      const Tensor zeros = Tensor::zeros(Shape{b.B, std::abs(d), E}, x.dtype());
      // d < 0: word t sees x_{t+d} (earlier words), zeros at the start; d > 0: later words.
      window.push_back(d < 0 ? ops::concat({zeros, ops::slice(x, 1, 0, b.T + d)}, 1)
                             : ops::concat({ops::slice(x, 1, d, b.T), zeros}, 1));
    }
  }
  return window.size() == 1 ? window[0] : ops::concat(window, 2);
}

void SentimentClassifier::attach(attention::Recorder* rec) {
  if (soft_) soft_->set_recorder(rec, "pool");
  if (hard_) hard_->set_recorder(rec, "pool");
  if (blocks_)
    for (size_t l = 0; l < blocks_->size(); ++l) {
      (*blocks_)[l].self_attn->set_recorder(rec, "encoder." + std::to_string(l) + ".self");
      (*blocks_)[l].self_attn->set_sequences("words", "words");
    }
}

Tensor SentimentClassifier::embed(const ClassifierBatch& b) {
  std::vector<int64_t> ids = b.ids;
  if (training() && cfg_.word_dropout > 0)
    for (auto& id : ids)
      if (id != data::Vocab::kPad && word_rng_.uniform() < cfg_.word_dropout) id = data::Vocab::kUnk;
  return embedding_->forward(ids, Shape{b.B, b.T});
}

ClassifierOutput SentimentClassifier::classify(const Tensor& embedded, const ClassifierBatch& b) const {
  const Tensor mask = nn::lengths_to_mask(b.lengths, b.T);  // [B, T]
  const Tensor h = encode_words(embedded, b);             // [B, T, D]
  const int64_t D = h.size(2);
  ClassifierOutput out;
  Tensor pooled;  // [B, D]
  if (cfg_.pooling == "attention") {
    const int64_t R = cfg_.queries;
    const Tensor q = ops::add(Tensor::zeros(Shape{b.B, R, D}), query_);
    attention::SoftCall call;
    for (int64_t l : b.lengths) call.key_lengths.push_back(static_cast<int32_t>(l));
    const Tensor keys = cfg_.attention_keys == "words" ? word_keys(embedded, b, cfg_.key_window) : h;
    const attention::AttentionResult a = soft_ ? soft_->forward(q, keys, h, call) : hard_->forward(q, keys, h, call);
    pooled = ops::reshape(a.context, Shape{b.B, R * D});
    out.weights = R == 1 ? ops::reshape(a.weights, Shape{b.B, b.T}) : ops::mean(a.weights, {1});
  } else if (cfg_.pooling == "mean") {
    const Tensor m3 = ops::reshape(mask, Shape{b.B, b.T, 1});
    pooled = ops::div(ops::sum(ops::mul(h, m3), {1}), ops::sum(m3, {1}));
  } else if (cfg_.pooling == "max") {
    const Tensor pad = ops::reshape(ops::add_scalar(ops::neg(mask), 1.0), Shape{b.B, b.T, 1});
    pooled = ops::max(ops::masked_fill(h, pad, -1e30), 1);
  } else if (cfg_.pooling == "cls") {
    pooled = ops::reshape(ops::slice(h, 1, 0, 1), Shape{b.B, D});
  } else {  // last: the forward direction's state at the last word, the backward one's at word 0
    std::vector<int64_t> last;
    for (int64_t i = 0; i < b.B; ++i) last.push_back(i * b.T + b.lengths[i] - 1);
    const Tensor flat = ops::reshape(h, Shape{b.B * b.T, D});
    pooled = ops::concat({ops::slice(ops::index_select(flat, 0, last), 1, 0, D / 2),
                          ops::slice(ops::reshape(ops::slice(h, 1, 0, 1), Shape{b.B, D}), 1, D / 2, D)}, 1);
  }
  out.logits = out_->forward(out_dropout_->forward(pooled));
  return out;
}

std::vector<Classification> SentimentClassifier::predict(const std::vector<std::vector<std::string>>& sentences) {
  std::vector<Classification> res;
  if (sentences.empty()) return res;
  std::vector<std::vector<int64_t>> rows;
  for (const auto& s : sentences) rows.push_back(encode(s));
  nn::EvalMode eval_mode(*this);
  autograd::NoGrad ng;
  const ClassifierOutput o = forward(make_classifier_batch(rows, min_columns()));
  const int64_t K = static_cast<int64_t>(cfg_.labels.size());
  const std::vector<double> probs = ops::softmax(o.logits).contiguous().to_vector_f64();
  const std::vector<double> w = o.weights.defined() ? o.weights.contiguous().to_vector_f64() : std::vector<double>{};
  const int64_t cols = o.weights.defined() ? o.weights.size(1) : 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    Classification c;
    c.probs.assign(probs.begin() + i * K, probs.begin() + (i + 1) * K);
    c.label = std::max_element(c.probs.begin(), c.probs.end()) - c.probs.begin();
    if (cols) c.weights.assign(w.begin() + i * cols, w.begin() + i * cols + rows[i].size());
    res.push_back(std::move(c));
  }
  return res;
}

io::Trace SentimentClassifier::trace(const std::vector<std::string>& words, attention::Keep keep) {
  if (words.empty()) throw ValueError("cannot classify an empty sentence");
  const Classification c = predict({words}).front();
  const ClassifierBatch b = make_classifier_batch({encode(words)}, min_columns());
  // Top-k pooling pads a sentence shorter than k: the trace shows those columns as <pad>.
  std::vector<std::string> padded = words;
  if (cfg_.pooling == "cls") padded.insert(padded.begin(), "[CLS]");
  padded.resize(b.T, "<pad>");
  attention::Recorder rec(keep);
  rec.set_sequence({"words", padded});
  std::vector<std::string> queries = {cfg_.labels[c.label]};
  for (int64_t q = 1; q < cfg_.queries; ++q) queries.push_back(cfg_.labels[c.label] + " #" + std::to_string(q + 1));
  if (cfg_.queries > 1) queries[0] += " #1";
  rec.set_sequence({"class", queries});
  {
    // Detached again on every exit, like the eval mode.
    struct Attached {
      SentimentClassifier& m;
      ~Attached() { m.attach(nullptr); }
    } attached{*this};
    attach(&rec);
    nn::EvalMode eval_mode(*this);
    autograd::NoGrad ng;
    forward(b);
  }
  rec.meta()["model"] = model_type();
  rec.meta()["task"] = "sentiment";
  rec.meta()["label"] = cfg_.labels[c.label];
  rec.meta()["probability"] = std::to_string(c.probs[c.label]);
  io::Trace t = rec.to_trace(0);
  return t;
}

}  // namespace attnscope::models
