#include "attnscope/models/sentiment/classifier.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/nn/checkpoint.h"

namespace attnscope::models {

using json = nlohmann::json;

// Untrusted checkpoint configs: bound what a config can make us allocate.
constexpr double kMaxClassifierParams = 2e8;

std::string ClassifierConfig::to_json() const {
  return json{{"cell", cell},     {"pooling", pooling},       {"normalizer", normalizer}, {"topk", topk}, {"queries", queries},
              {"embed", embed},   {"hidden", hidden},         {"attn_dim", attn_dim},     {"dropout", dropout},
              {"word_dropout", word_dropout}, {"labels", labels}}
      .dump();
}

ClassifierConfig ClassifierConfig::from_json(const std::string& text) {
  ClassifierConfig c;
  try {
    const json j = json::parse(text);
    c.cell = j.at("cell").get<std::string>();
    c.pooling = j.at("pooling").get<std::string>();
    c.normalizer = j.at("normalizer").get<std::string>();
    c.topk = j.at("topk").get<int64_t>();
    c.queries = j.value("queries", int64_t{1});
    c.embed = j.at("embed").get<int64_t>();
    c.hidden = j.at("hidden").get<int64_t>();
    c.attn_dim = j.at("attn_dim").get<int64_t>();
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
  if (cell != "gru" && cell != "lstm") throw ConfigError("classifier cell must be gru or lstm, got '" + cell + "'");
  if (pooling != "attention" && pooling != "mean" && pooling != "max" && pooling != "last")
    throw ConfigError("classifier pooling must be attention, mean, max or last, got '" + pooling + "'");
  if (normalizer != "softmax" && normalizer != "sparsemax" && normalizer != "entmax15" && normalizer != "topk")
    throw ConfigError("classifier normalizer must be softmax, sparsemax, entmax15 or topk, got '" + normalizer + "'");
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
    : cfg_(cfg), vocab_(std::move(vocab)), word_rng_(rng.next_u64()) {
  cfg_.validate();
  const double H = static_cast<double>(cfg_.hidden), E = static_cast<double>(cfg_.embed);
  const double params = static_cast<double>(vocab_.size()) * E + 8 * H * (E + H) + 8 * H * H;
  if (params > kMaxClassifierParams) throw ConfigError("sentiment classifier: too many parameters for its config");
  embedding_ = register_module("embedding", std::make_shared<nn::Embedding>(vocab_.size(), cfg_.embed, rng));
  embed_dropout_ = register_module("embed_dropout", std::make_shared<nn::Dropout>(cfg_.dropout, rng.next_u64()));
  nn::RecurrentOptions ro;
  ro.input_size = cfg_.embed;
  ro.hidden_size = cfg_.hidden;
  ro.bidirectional = true;
  if (cfg_.cell == "gru") rnn_ = register_module("rnn", std::make_shared<nn::GRU>(ro, rng));
  else rnn_ = register_module("rnn", std::make_shared<nn::LSTM>(ro, rng));
  register_rng("word_dropout", &word_rng_);
  const int64_t D = 2 * cfg_.hidden;
  if (cfg_.pooling == "attention") {
    query_ = register_parameter("query", Tensor::randn(Shape{1, cfg_.queries, D}, rng, 1.0 / std::sqrt(static_cast<double>(D))));
    attention::SoftAttentionConfig sc;
    sc.query_dim = D;
    sc.key_dim = D;
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
      sc.normalizer = cfg_.normalizer == "softmax"     ? attention::Normalizer::softmax
                      : cfg_.normalizer == "sparsemax" ? attention::Normalizer::sparsemax
                                                       : attention::Normalizer::entmax15;
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
  if (meta.model_type != "sentiment-birnn")
    throw FormatError("'" + path + "' is a '" + meta.model_type + "' checkpoint, not a sentiment classifier");
  json cfg;
  try {
    cfg = json::parse(meta.config);
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

Tensor SentimentClassifier::embed(const ClassifierBatch& b) {
  std::vector<int64_t> ids = b.ids;
  if (training() && cfg_.word_dropout > 0)
    for (auto& id : ids)
      if (id != data::Vocab::kPad && word_rng_.uniform() < cfg_.word_dropout) id = data::Vocab::kUnk;
  return embedding_->forward(ids, Shape{b.B, b.T});
}

ClassifierOutput SentimentClassifier::classify(const Tensor& embedded, const ClassifierBatch& b) const {
  const Tensor mask = nn::lengths_to_mask(b.lengths, b.T);  // [B, T]
  const nn::RecurrentOutput r = rnn_->forward(embed_dropout_->forward(embedded), mask);
  const int64_t D = 2 * cfg_.hidden;
  ClassifierOutput out;
  Tensor pooled;  // [B, D]
  if (cfg_.pooling == "attention") {
    const int64_t R = cfg_.queries;
    const Tensor q = ops::add(Tensor::zeros(Shape{b.B, R, D}), query_);
    attention::SoftCall call;
    for (int64_t l : b.lengths) call.key_lengths.push_back(static_cast<int32_t>(l));
    const attention::AttentionResult a = soft_ ? soft_->forward(q, r.output, {}, call) : hard_->forward(q, r.output, {}, call);
    pooled = ops::reshape(a.context, Shape{b.B, R * D});
    out.weights = R == 1 ? ops::reshape(a.weights, Shape{b.B, b.T}) : ops::mean(a.weights, {1});
  } else if (cfg_.pooling == "mean") {
    const Tensor m3 = ops::reshape(mask, Shape{b.B, b.T, 1});
    pooled = ops::div(ops::sum(ops::mul(r.output, m3), {1}), ops::sum(m3, {1}));
  } else if (cfg_.pooling == "max") {
    const Tensor pad = ops::reshape(ops::add_scalar(ops::neg(mask), 1.0), Shape{b.B, b.T, 1});
    pooled = ops::max(ops::masked_fill(r.output, pad, -1e30), 1);
  } else {  // last: the forward direction's final state and the backward direction's (at word 0)
    pooled = ops::concat({ops::slice(r.h_n, 0, 0, 1), ops::slice(r.h_n, 0, 1, 2)}, 2);
    pooled = ops::reshape(pooled, Shape{b.B, D});
  }
  out.logits = out_->forward(out_dropout_->forward(pooled));
  return out;
}

std::vector<Classification> SentimentClassifier::predict(const std::vector<std::vector<std::string>>& sentences) {
  std::vector<Classification> res;
  if (sentences.empty()) return res;
  std::vector<std::vector<int64_t>> rows;
  for (const auto& s : sentences) rows.push_back(encode(s));
  const bool was = training();
  eval();
  autograd::NoGrad ng;
  ClassifierOutput o;
  try {
    o = forward(make_classifier_batch(rows, min_columns()));
  } catch (...) {
    train(was);
    throw;
  }
  train(was);
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
  // Top-k pooling pads a sentence shorter than k: the padding is recorded, then cut off below.
  std::vector<std::string> padded = words;
  padded.resize(b.T, "<pad>");
  attention::Recorder rec(keep);
  rec.set_sequence({"words", padded});
  std::vector<std::string> queries = {cfg_.labels[c.label]};
  for (int64_t q = 1; q < cfg_.queries; ++q) queries.push_back(cfg_.labels[c.label] + " #" + std::to_string(q + 1));
  if (cfg_.queries > 1) queries[0] += " #1";
  rec.set_sequence({"class", queries});
  if (soft_ || hard_) {
    attention::Recordable& site = soft_ ? static_cast<attention::Recordable&>(*soft_) : *hard_;
    site.set_recorder(&rec, "pool");
    const bool was = training();
    eval();
    try {
      autograd::NoGrad ng;
      forward(b);
    } catch (...) {
      site.set_recorder(nullptr, "pool");
      train(was);
      throw;
    }
    site.set_recorder(nullptr, "pool");
    train(was);
  }
  rec.meta()["model"] = model_type();
  rec.meta()["task"] = "sentiment";
  rec.meta()["label"] = cfg_.labels[c.label];
  rec.meta()["probability"] = std::to_string(c.probs[c.label]);
  io::Trace t = rec.to_trace(0);
  const int64_t n = static_cast<int64_t>(words.size());
  if (b.T > n) {
    for (auto& s : t.sequences)
      if (s.name == "words") s.tokens = words;
    for (auto& l : t.layers) {
      if (l.keep == io::TraceKeep::dense) {
        std::vector<float> w;
        for (int64_t r = 0; r < l.heads * l.queries; ++r)
          w.insert(w.end(), l.weights.begin() + r * l.keys, l.weights.begin() + r * l.keys + n);
        l.weights = std::move(w);
      }
      l.keys = n;
    }
  }
  return t;
}

}  // namespace attnscope::models
