#include "attnscope/models/caption/captioner.h"

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/data/image_transform.h"
#include "attnscope/io/safetensors.h"
#include "attnscope/nn/checkpoint.h"
#include "attnscope/nn/eval_mode.h"

namespace attnscope::models {

using json = nlohmann::json;

namespace {

// Rows `idx` along dimension `dim` of a tensor (decoding only: no gradient).
Tensor select_rows(const Tensor& t, int dim, const std::vector<int64_t>& idx) {
  const std::vector<float> v = t.contiguous().to_vector();
  std::vector<int64_t> shape = t.shape().vec();
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < dim; ++d) outer *= shape[d];
  for (size_t d = static_cast<size_t>(dim) + 1; d < shape.size(); ++d) inner *= shape[d];
  const int64_t rows = shape[static_cast<size_t>(dim)], n = static_cast<int64_t>(idx.size());
  std::vector<float> out(static_cast<size_t>(outer * n * inner));
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t r = 0; r < n; ++r)
      std::copy_n(v.begin() + (o * rows + idx[r]) * inner, inner, out.begin() + (o * n + r) * inner);
  shape[static_cast<size_t>(dim)] = n;
  return Tensor::from(std::span<const float>(out), Shape(shape));
}

// log softmax of one row of logits, in double.
std::vector<double> log_softmax_row(const float* logits, int64_t V) {
  const double m = *std::max_element(logits, logits + V);
  double z = 0;
  for (int64_t v = 0; v < V; ++v) z += std::exp(logits[v] - m);
  const double lz = m + std::log(z);
  std::vector<double> out(static_cast<size_t>(V));
  for (int64_t v = 0; v < V; ++v) out[v] = logits[v] - lz;
  return out;
}

// log(1 + e^x) from ops with gradients: relu(x) + log(1 + e^-|x|), exact for any x.
Tensor softplus(const Tensor& x) {
  const Tensor r = ops::relu(x);
  return ops::add(r, ops::log(ops::add_scalar(ops::exp(ops::sub(x, ops::scale(r, 2.0))), 1.0)));
}

}  // namespace

Tensor concept_loss(const Tensor& scores, const std::vector<std::vector<int64_t>>& bags) {
  const int64_t B = scores.size(0), first = data::Vocab::kEos + 1, W = scores.size(1) - first;  // W: the words
  if (static_cast<int64_t>(bags.size()) != B) throw ValueError("concept_loss: one bag of words per image");
  if (W < 1) throw ValueError("concept_loss: the scores hold no words");
  std::vector<float> y(static_cast<size_t>(B * W), 0.0f);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t w : bags[b])
      if (w >= first && w < first + W) y[static_cast<size_t>(b * W + w - first)] = 1.0f;
  const Tensor target = Tensor::from(std::span<const float>(y), Shape{B, W}).to(scores.dtype());
  const Tensor s = ops::slice(scores, 1, first, first + W);
  // Binary cross-entropy with logits, log(1 + e^s) - y s, summed over the words, mean over images.
  return ops::scale(ops::sum(ops::sub(softplus(s), ops::mul(target, s))), 1.0 / static_cast<double>(B));
}

std::string CaptionerConfig::to_json() const {
  return json{{"attention", attention}, {"image_side", image_side}, {"channels", channels}, {"pool", pool},
              {"last_kernel", last_kernel}, {"cell", cell}, {"normalizer", normalizer}, {"location_aware", location_aware},
              {"init_state", init_state}, {"keys", keys}, {"feed_context", feed_context}, {"concepts", concepts}, {"embed", embed},
              {"hidden", hidden},       {"attn_dim", attn_dim},     {"dropout", dropout},   {"max_words", max_words}}
      .dump();
}

CaptionerConfig CaptionerConfig::from_json(const std::string& text) {
  CaptionerConfig c;
  try {
    const json j = json::parse(text);
    c.attention = j.at("attention").get<std::string>();
    c.image_side = j.at("image_side").get<int64_t>();
    c.channels = j.at("channels").get<int64_t>();
    // Checkpoints written before these fields existed had max pooling, a 3x3 last convolution,
    // 4 px cells, softmax weights and no location features.
    c.pool = j.value("pool", std::string("max"));
    c.last_kernel = j.value("last_kernel", int64_t{3});
    c.cell = j.value("cell", int64_t{4});
    c.normalizer = j.value("normalizer", std::string("softmax"));
    c.location_aware = j.value("location_aware", false);
    c.init_state = j.value("init_state", std::string("zero"));
    c.keys = j.value("keys", std::string("cells"));
    c.feed_context = j.value("feed_context", false);
    c.concepts = j.value("concepts", false);
    c.embed = j.at("embed").get<int64_t>();
    c.hidden = j.at("hidden").get<int64_t>();
    c.attn_dim = j.at("attn_dim").get<int64_t>();
    c.dropout = j.at("dropout").get<double>();
    c.max_words = j.at("max_words").get<int64_t>();
    c.validate();
  } catch (const json::exception& e) {
    throw FormatError(std::string("captioner config: ") + e.what());
  } catch (const ConfigError& e) {
    throw FormatError(std::string("captioner config: ") + e.what());
  }
  return c;
}

void CaptionerConfig::validate() const {
  if (attention != "soft" && attention != "hard" && attention != "adaptive" && attention != "none")
    throw ConfigError("captioner attention must be soft, hard, adaptive or none, got '" + attention + "'");
  if (image_side < 8 || image_side > 256 || image_side % 4) throw ConfigError("captioner image side must be a multiple of 4 in 8..256");
  if (pool != "max" && pool != "avg") throw ConfigError("captioner pooling must be max or avg, got '" + pool + "'");
  if (last_kernel != 1 && last_kernel != 3) throw ConfigError("captioner last convolution kernel must be 1 or 3");
  if (cell != 2 && cell != 4) throw ConfigError("captioner cell must be 2 or 4 pixels");
  if (!attention::normalizer_from_name(normalizer))
    throw ConfigError("captioner normalizer must be softmax, sparsemax or entmax15, got '" + normalizer + "'");
  if (normalizer != "softmax" && attention != "soft") throw ConfigError("captioner normalizer applies to soft attention only");
  if (location_aware && attention != "soft" && attention != "hard")
    throw ConfigError("captioner location-aware attention applies to soft and hard attention only");
  if (init_state != "zero" && init_state != "image") throw ConfigError("captioner init_state must be zero or image, got '" + init_state + "'");
  if (keys != "cells" && keys != "pixels") throw ConfigError("captioner keys must be cells or pixels, got '" + keys + "'");
  if (keys == "pixels" && attention == "none") throw ConfigError("captioner pixel keys need attention (attention is 'none')");
  if (feed_context && attention != "soft" && attention != "hard")
    throw ConfigError("captioner context feeding applies to soft and hard attention only");
  if (channels < 2 || channels > 1024 || channels % 2) throw ConfigError("captioner channels must be even, 2..1024");
  if (embed < 1 || hidden < 1 || attn_dim < 1 || embed > 4096 || hidden > 4096 || attn_dim > 4096)
    throw ConfigError("captioner widths must be in 1..4096");
  if (!(dropout >= 0 && dropout < 1)) throw ConfigError("captioner dropout must be in [0, 1)");
  if (max_words < 1 || max_words > 200) throw ConfigError("captioner max_words must be in 1..200");
}

Captioner::Captioner(const CaptionerConfig& cfg, data::Vocab vocab, Rng& rng) : cfg_(cfg), vocab_(std::move(vocab)) {
  cfg_.validate();
  const int64_t C = cfg_.channels, H = cfg_.hidden, E = cfg_.embed, K = cfg_.grid() * cfg_.grid(), V = vocab_.size();
  conv1_ = register_module("conv1", std::make_shared<nn::Conv2d>(3, C / 2, 3, rng, 1, 1));
  conv2_ = register_module("conv2", std::make_shared<nn::Conv2d>(C / 2, C / 2, 3, rng, 1, 1));
  conv3_ = register_module("conv3", std::make_shared<nn::Conv2d>(C / 2, C, 3, rng, 1, 1));
  conv4_ = register_module("conv4", std::make_shared<nn::Conv2d>(C, C, static_cast<int>(cfg_.last_kernel), rng, 1,
                                                                        static_cast<int>(cfg_.last_kernel / 2)));
  positions_ = register_parameter("positions", Tensor::randn(Shape{1, K, C}, rng, 0.1));
  norm_ = register_module("norm", std::make_shared<nn::LayerNorm>(C));
  if (cfg_.keys == "pixels") {
    pixel_conv_ = register_module("pixel_conv", std::make_shared<nn::Conv2d>(3, C / 2, 1, rng, 1, 0));
    pixel_proj_ = register_module("pixel_proj", std::make_shared<nn::Linear>(C / 2, C, rng));
    pixel_positions_ = register_parameter("pixel_positions", Tensor::randn(Shape{1, K, C}, rng, 0.1));
    pixel_norm_ = register_module("pixel_norm", std::make_shared<nn::LayerNorm>(C));
  }
  embed_ = register_module("embed", std::make_shared<nn::Embedding>(V, E, rng));
  nn::RecurrentOptions ro;
  ro.input_size = E + (cfg_.attention == "none" ? C : 2) + (cfg_.feed_context ? C : 0);
  ro.hidden_size = H;
  lstm_ = register_module("lstm", std::make_shared<nn::LSTM>(ro, rng));
  if (cfg_.attention == "none" || cfg_.init_state == "image") {
    init_h_ = register_module("init_h", std::make_shared<nn::Linear>(C, H, rng));
    init_c_ = register_module("init_c", std::make_shared<nn::Linear>(C, H, rng));
  }
  attention::SoftAttentionConfig sc;
  sc.query_dim = H;
  sc.key_dim = C;
  sc.attn_dim = cfg_.attn_dim;
  sc.score = attention::Score::additive;
  sc.normalizer = *attention::normalizer_from_name(cfg_.normalizer);
  if (cfg_.attention == "soft") {
    soft_ = register_module("attention", std::make_shared<attention::SoftAttention>(sc, rng));
    soft_->set_sequences("target", "image");
  } else if (cfg_.attention == "hard") {
    attention::HardAttentionConfig hc;
    hc.score = sc;
    hc.mode = attention::HardMode::sample;
    hc.seed = rng.next_u64();
    hard_ = register_module("attention", std::make_shared<attention::HardAttention>(hc, rng));
    hard_->set_sequences("target", "image");
  } else if (cfg_.attention == "adaptive") {
    region_proj_ = register_module("region_proj", std::make_shared<nn::Linear>(C, H, rng));
    sentinel_x_ = register_module("sentinel_x", std::make_shared<nn::Linear>(E + 2, H, rng));
    sentinel_h_ = register_module("sentinel_h", std::make_shared<nn::Linear>(H, H, rng, false));
    attention::SentinelAttentionConfig ac;
    ac.hidden_dim = H;
    ac.region_dim = H;
    ac.attn_dim = cfg_.attn_dim;
    ac.sentinel_bias = true;
    ac.sentinel_bias_init = -4.0;
    sentinel_ = register_module("attention", std::make_shared<attention::SentinelAttention>(ac, rng));
  }
  if (soft_ || hard_) gate_ = register_module("gate", std::make_shared<nn::Linear>(H, C, rng));
  if (cfg_.location_aware) {
    location_in_ = register_module("location_in", std::make_shared<nn::Linear>(2, 16, rng));
    location_out_ = register_module("location_out", std::make_shared<nn::Linear>(16, 1, rng, false));
  }
  if (cfg_.concepts) concept_ = register_module("concepts", std::make_shared<nn::Linear>(C, V, rng));
  out_ = register_module("out", std::make_shared<nn::Linear>(sentinel_ ? H : H + C, V, rng));
  dropout_ = register_module("dropout", std::make_shared<nn::Dropout>(cfg_.dropout, rng.next_u64()));
}

std::string Captioner::config_json() const {
  return json{{"model", json::parse(cfg_.to_json())}, {"vocab", json::parse(vocab_.to_json())}}.dump();
}

std::unique_ptr<Captioner> Captioner::load(const std::string& path) {
  const io::SafetensorsFile file = io::SafetensorsFile::open(path);
  const nn::CheckpointMeta meta = nn::read_checkpoint_meta(file);
  if (meta.model_type.rfind("caption-", 0) != 0)
    throw FormatError("'" + path + "' is a '" + meta.model_type + "' checkpoint, not an image captioner");
  json cfg;
  try {
    cfg = json::parse(meta.config);
    if (!cfg.contains("model") || !cfg.contains("vocab")) throw FormatError("");
  } catch (const std::exception&) {
    throw FormatError("'" + path + "': its config is not an image captioner's");
  }
  Rng rng(0);
  auto m = std::make_unique<Captioner>(CaptionerConfig::from_json(cfg["model"].dump()),
                                       data::Vocab::from_json(cfg["vocab"].dump()), rng);
  nn::load_checkpoint(file, *m, m->model_type());
  m->eval();
  return m;
}

Tensor Captioner::image_tensor(const std::vector<const data::Image*>& images) const {
  const int64_t S = cfg_.image_side, n = static_cast<int64_t>(images.size());
  std::vector<float> px(static_cast<size_t>(n * 3 * S * S));
  for (int64_t i = 0; i < n; ++i) {
    const data::Image im = data::resize_image(*images[i], S);  // a scene at the model's side is copied as is
    for (int64_t y = 0; y < S; ++y)
      for (int64_t x = 0; x < S; ++x)
        for (int64_t ch = 0; ch < 3; ++ch)
          px[static_cast<size_t>(((i * 3 + ch) * S + y) * S + x)] = static_cast<float>((im.at(y, x)[ch] / 255.0 - 0.5) / 0.25);
  }
  return Tensor::from(std::span<const float>(px), Shape{n, 3, S, S});
}

CaptionBatch Captioner::make_batch(const std::vector<const data::Image*>& images,
                                   const std::vector<std::vector<std::string>>& captions) const {
  if (images.empty() || images.size() != captions.size()) throw ValueError("captioner: a batch needs as many captions as images");
  CaptionBatch b;
  b.B = static_cast<int64_t>(images.size());
  for (const auto& c : captions) b.T = std::max<int64_t>(b.T, static_cast<int64_t>(c.size()) + 1);
  b.inputs.assign(b.B * b.T, data::Vocab::kPad);
  b.targets.assign(b.B * b.T, ops::kIgnore);
  for (int64_t i = 0; i < b.B; ++i) {
    const std::vector<int64_t> ids = vocab_.encode(captions[i]);
    const int64_t n = static_cast<int64_t>(ids.size());
    b.inputs[i * b.T] = data::Vocab::kBos;
    for (int64_t t = 0; t < n; ++t) {
      b.inputs[i * b.T + t + 1] = ids[t];
      b.targets[i * b.T + t] = ids[t];
    }
    b.targets[i * b.T + n] = data::Vocab::kEos;
    b.lengths.push_back(n + 1);
  }
  b.images = image_tensor(images);
  return b;
}

Captioner::Features Captioner::encode(const Tensor& images) {
  const auto pool = cfg_.pool == "avg" ? ops::avg_pool2d : ops::max_pool2d;
  Tensor x = ops::relu(conv1_->forward(images));
  x = pool(ops::relu(conv2_->forward(x)), 2, 2);
  x = ops::relu(conv3_->forward(x));
  if (cfg_.cell == 4) x = pool(x, 2, 2);
  x = ops::relu(conv4_->forward(x));  // [B, C, g, g]
  const int64_t B = x.size(0), C = x.size(1), K = x.size(2) * x.size(3);
  Tensor cells = ops::transpose(ops::reshape(x, Shape{B, C, K}), 1, 2);  // [B, K, C]
  cells = norm_->forward(ops::add(cells, positions_));
  Tensor pixels;
  if (pixel_conv_) {
    // The mean over a cell of a per-pixel feature: how much of the cell each kind of pixel covers,
    // and nothing from outside it.
    const int cell = static_cast<int>(cfg_.cell);
    const Tensor own = ops::avg_pool2d(ops::relu(pixel_conv_->forward(images)), cell, cell);  // [B, C/2, g, g]
    pixels = ops::transpose(ops::reshape(own, Shape{B, C / 2, K}), 1, 2);
    pixels = pixel_norm_->forward(ops::add(pixel_proj_->forward(pixels), pixel_positions_));
  }
  return {cells, ops::mean(cells, {1}), pixels};
}

Captioner::State Captioner::start(const Features& f) {
  const int64_t B = f.mean.size(0), H = cfg_.hidden;
  State st;
  if (!init_h_) {
    // Zero initial state (the default): the image reaches a word only through that word's look.
    // Xu et al. start from the mean feature (init_state "image"); on the scenes that pointed within
    // the training seeds' spread of this (docs/CAPTIONING.md).
    st.h = Tensor::zeros(Shape{1, B, H});
    st.c = Tensor::zeros(Shape{1, B, H});
  } else {
    st.h = ops::reshape(ops::tanh(init_h_->forward(f.mean)), Shape{1, B, H});
    st.c = ops::reshape(ops::tanh(init_c_->forward(f.mean)), Shape{1, B, H});
  }
  st.regions = sentinel_ ? ops::relu(region_proj_->forward(f.cells)) : f.cells;
  // What the scores read: the regions themselves, or (keys "pixels") each cell's own pixels, in
  // the regions' width (the sentinel's regions are projected to H).
  Tensor scored = st.regions;
  if (f.pixels.defined()) scored = sentinel_ ? ops::relu(region_proj_->forward(f.pixels)) : f.pixels;
  if (sentinel_) st.keys = sentinel_->project_regions(scored);
  else if (soft_) st.keys = soft_->project_keys(scored);
  else if (hard_) st.keys = hard_->project_keys(scored);
  st.mean = f.mean;
  st.where = Tensor::zeros(Shape{B, 1, 2});
  if (cfg_.feed_context) st.context = Tensor::zeros(Shape{B, 1, cfg_.channels});
  if (cfg_.location_aware) {
    st.last = Tensor::zeros(Shape{B, f.cells.size(1), 1});
    st.covered = st.last;
  }
  if (!coords_.defined()) {
    const int64_t g = cfg_.grid();
    std::vector<float> xy;
    for (int64_t k = 0; k < g * g; ++k) {
      xy.push_back(static_cast<float>(2.0 * (k % g + 0.5) / g - 1.0));
      xy.push_back(static_cast<float>(2.0 * (k / g + 0.5) / g - 1.0));
    }
    coords_ = Tensor::from(std::span<const float>(xy), Shape{g * g, 2});
  }
  return st;
}

Captioner::Step Captioner::step(State& st, const std::vector<int64_t>& prev, int64_t t, const Tensor& emb_in) {
  const int64_t B = static_cast<int64_t>(prev.size()), H = cfg_.hidden, C = cfg_.channels;
  const Tensor emb = emb_in.defined() ? emb_in : embed_->forward(prev, Shape{B, 1});  // [B, 1, E]
  const Tensor mean = ops::reshape(st.mean, Shape{B, 1, C});
  Step s;
  if (sentinel_) {
    const Tensor h_prev = ops::reshape(st.h, Shape{B, 1, H});
    const Tensor x = ops::concat({emb, st.where}, 2);
    const nn::RecurrentOutput o = lstm_->forward(x, {}, st.h, st.c);
    st.h = o.h_n;
    st.c = o.c_n;
    // The sentinel: what the LSTM's memory holds, gated by its input and previous state.
    const Tensor g = ops::sigmoid(ops::add(sentinel_x_->forward(x), sentinel_h_->forward(h_prev)));
    const Tensor sentinel = ops::mul(g, ops::tanh(ops::reshape(o.c_n, Shape{B, 1, H})));
    const attention::AttentionResult r = sentinel_->forward(o.output, st.regions, sentinel, {}, t, st.keys);
    s.alpha = r.weights;
    s.beta = r.extras.at("beta");
    st.where = ops::matmul(r.weights, coords_);
    s.logits = out_->forward(dropout_->forward(ops::add(r.context, o.output)));
    return s;
  }
  if (!soft_ && !hard_) {  // none: the mean feature every step
    const nn::RecurrentOutput o = lstm_->forward(ops::concat({emb, mean}, 2), {}, st.h, st.c);
    st.h = o.h_n;
    st.c = o.c_n;
    s.logits = out_->forward(dropout_->forward(ops::concat({o.output, mean}, 2)));
    return s;
  }
  // The LSTM reads the previous word and where it looked, then its new state looks at the image
  // (so the query knows the word just written).
  const Tensor in = cfg_.feed_context ? ops::concat({emb, st.where, st.context}, 2) : ops::concat({emb, st.where}, 2);
  const nn::RecurrentOutput o = lstm_->forward(in, {}, st.h, st.c);
  st.h = o.h_n;
  st.c = o.c_n;
  attention::SoftCall call;
  call.query_offset = t;
  call.projected_keys = st.keys;
  if (cfg_.location_aware) {
    const Tensor loc = location_out_->forward(ops::tanh(location_in_->forward(ops::concat({st.last, st.covered}, 2))));
    call.prior = ops::reshape(loc, Shape{B, 1, loc.size(1)});  // [B, 1, K]
  }
  const attention::AttentionResult r = soft_ ? soft_->forward(o.output, st.regions, {}, call) : hard_->forward(o.output, st.regions, {}, call);
  Tensor weights = r.weights, context = r.context;
  if (hard_ && hard_expected_ && training()) {
    weights = r.extras.at("probs");
    context = ops::matmul(weights, st.regions);
  } else if (hard_ && r.extras.count("log_prob")) {
    s.log_prob = r.extras.at("log_prob");
    s.entropy = r.extras.at("entropy");
  }
  const Tensor z = ops::mul(ops::sigmoid(gate_->forward(o.output)), context);
  s.alpha = hard_ ? r.extras.at("probs") : r.weights;
  st.where = ops::matmul(weights, coords_);
  if (cfg_.feed_context) st.context = z;
  if (cfg_.location_aware) {
    st.last = ops::reshape(weights, Shape{B, weights.size(2), 1});
    st.covered = ops::add(st.covered, st.last);
  }
  s.logits = out_->forward(dropout_->forward(ops::concat({o.output, z}, 2)));
  return s;
}

CaptionOutput Captioner::forward(const CaptionBatch& b) {
  const Features f = encode(b.images);
  State st = start(f);
  const Tensor emb = embed_->forward(b.inputs, Shape{b.B, b.T});  // [B, T, E], every input word at once
  std::vector<Tensor> logits, alpha, beta, log_prob, entropy;
  for (int64_t t = 0; t < b.T; ++t) {
    std::vector<int64_t> prev(b.B);
    for (int64_t i = 0; i < b.B; ++i) prev[i] = b.inputs[i * b.T + t];
    Step s = step(st, prev, t, ops::slice(emb, 1, t, t + 1));
    logits.push_back(s.logits);
    if (s.alpha.defined()) alpha.push_back(s.alpha);
    if (s.beta.defined()) beta.push_back(s.beta);
    if (s.log_prob.defined()) {
      log_prob.push_back(s.log_prob);
      entropy.push_back(s.entropy);
    }
  }
  CaptionOutput out;
  out.logits = ops::concat(logits, 1);
  if (!alpha.empty()) {
    out.alpha = ops::concat(alpha, 1);  // [B, T, K]
    const Tensor mask = ops::reshape(nn::lengths_to_mask(b.lengths, b.T), Shape{b.B, b.T, 1});
    const Tensor miss = ops::add_scalar(ops::neg(ops::sum(ops::mul(out.alpha, mask), {1})), 1.0);  // [B, K]
    out.coverage = ops::sum(ops::mul(miss, miss));
  }
  if (!beta.empty()) out.beta = ops::concat(beta, 1);
  if (concept_ && !b.bags.empty()) {
    // An image's score for a word is its best cell's; the -4 starts every word rare (most images'
    // captions use few of the words), as a bias would after many steps.
    const Tensor scores = ops::add_scalar(ops::max(concept_->forward(f.cells), 1), -4.0);  // [B, V]
    out.concepts = concept_loss(scores, b.bags);
  }
  if (!log_prob.empty()) {
    out.log_prob = ops::concat(log_prob, 1);
    out.entropy = ops::concat(entropy, 1);
  }
  return out;
}

std::vector<GeneratedCaption> Captioner::generate(const std::vector<const data::Image*>& images, int64_t beam) {
  if (beam < 1 || beam > 64) throw ConfigError("beam width must be in 1..64, got " + std::to_string(beam));
  std::vector<GeneratedCaption> res(images.size());
  if (images.empty()) return res;
  if (beam > 1) {
    for (size_t i = 0; i < images.size(); ++i) res[i] = beam_search(*images[i], beam);
    return res;
  }
  nn::EvalMode eval_mode(*this);
  autograd::NoGrad ng;
  const int64_t B = static_cast<int64_t>(images.size()), V = vocab_.size();
  State st = start(encode(image_tensor(images)));
  std::vector<int64_t> prev(B, data::Vocab::kBos);
  std::vector<bool> done(B, false);
  for (int64_t t = 0; t <= cfg_.max_words; ++t) {
    const Step s = step(st, prev, t);
    const std::vector<float> logits = s.logits.contiguous().to_vector();
    const std::vector<float> alpha = s.alpha.defined() ? s.alpha.contiguous().to_vector() : std::vector<float>{};
    const std::vector<float> beta = s.beta.defined() ? s.beta.contiguous().to_vector() : std::vector<float>{};
    const int64_t K = alpha.empty() ? 0 : static_cast<int64_t>(alpha.size()) / B;
    bool all = true;
    for (int64_t i = 0; i < B; ++i) {
      if (done[i]) continue;
      // Never <pad>/<unk>/<bos>: the words and <eos> compete.
      int64_t best = data::Vocab::kEos;
      for (int64_t v = data::Vocab::kEos + 1; v < V; ++v)
        if (logits[i * V + v] > logits[i * V + best]) best = v;
      GeneratedCaption& g = res[i];
      g.log_prob += log_softmax_row(logits.data() + i * V, V)[static_cast<size_t>(best)];
      if (K) g.alpha.emplace_back(alpha.begin() + i * K, alpha.begin() + (i + 1) * K);
      if (!beta.empty()) g.beta.push_back(beta[i]);
      if (best == data::Vocab::kEos || t == cfg_.max_words) {
        done[i] = true;
        if (best != data::Vocab::kEos) g.words.push_back(vocab_.token(best));
      } else {
        g.words.push_back(vocab_.token(best));
        all = false;
      }
      prev[i] = best;
    }
    if (all) break;
  }
  return res;
}

GeneratedCaption Captioner::beam_search(const data::Image& image, int64_t beam, std::vector<GeneratedCaption>* ended_out) {
  nn::EvalMode eval_mode(*this);
  autograd::NoGrad ng;
  const int64_t V = vocab_.size();
  struct Hyp {
    std::vector<int64_t> ids;
    double score = 0;
    std::vector<std::vector<float>> alpha;
    std::vector<float> beta;
  };
  State st = start(encode(image_tensor({&image})));
  std::vector<Hyp> alive(1);
  std::vector<Hyp> ended;
  for (int64_t t = 0; t <= cfg_.max_words && !alive.empty(); ++t) {
    const int64_t A = static_cast<int64_t>(alive.size());
    std::vector<int64_t> prev(static_cast<size_t>(A));
    for (int64_t a = 0; a < A; ++a) prev[a] = alive[a].ids.empty() ? data::Vocab::kBos : alive[a].ids.back();
    const Step s = step(st, prev, t);
    const std::vector<float> logits = s.logits.contiguous().to_vector();
    const std::vector<float> alpha = s.alpha.defined() ? s.alpha.contiguous().to_vector() : std::vector<float>{};
    const std::vector<float> beta = s.beta.defined() ? s.beta.contiguous().to_vector() : std::vector<float>{};
    const int64_t K = alpha.empty() ? 0 : static_cast<int64_t>(alpha.size()) / A;
    // Candidates (beam, token): <eos> and the words; the top `width` of them, where the width
    // is the beam less the hypotheses already ended (greedy's order on ties: <eos>, then by id).
    struct Cand {
      double score;
      int64_t from, token;
    };
    std::vector<Cand> cands;
    for (int64_t a = 0; a < A; ++a) {
      const std::vector<double> lp = log_softmax_row(logits.data() + a * V, V);
      cands.push_back({alive[a].score + lp[data::Vocab::kEos], a, data::Vocab::kEos});
      for (int64_t v = data::Vocab::kEos + 1; v < V; ++v) cands.push_back({alive[a].score + lp[v], a, v});
    }
    const size_t width = static_cast<size_t>(beam) - ended.size();
    std::stable_sort(cands.begin(), cands.end(), [](const Cand& x, const Cand& y) { return x.score > y.score; });
    cands.resize(std::min(cands.size(), width));
    std::vector<Hyp> next;
    std::vector<int64_t> rows;
    for (const Cand& c : cands) {
      Hyp h = alive[c.from];
      h.score = c.score;
      if (K) h.alpha.emplace_back(alpha.begin() + c.from * K, alpha.begin() + (c.from + 1) * K);
      if (!beta.empty()) h.beta.push_back(beta[c.from]);
      h.ids.push_back(c.token);
      if (c.token == data::Vocab::kEos || t == cfg_.max_words) {
        ended.push_back(std::move(h));
      } else {
        next.push_back(std::move(h));
        rows.push_back(c.from);
      }
    }
    alive = std::move(next);
    if (alive.empty()) break;
    st.h = select_rows(st.h, 1, rows);
    st.c = select_rows(st.c, 1, rows);
    st.regions = select_rows(st.regions, 0, rows);
    if (st.keys.defined()) st.keys = select_rows(st.keys, 0, rows);
    st.mean = select_rows(st.mean, 0, rows);
    st.where = select_rows(st.where, 0, rows);
    if (cfg_.feed_context) st.context = select_rows(st.context, 0, rows);
    if (cfg_.location_aware) {
      st.last = select_rows(st.last, 0, rows);
      st.covered = select_rows(st.covered, 0, rows);
    }
  }
  auto caption_of = [&](const Hyp& h) {
    GeneratedCaption g;
    g.log_prob = h.score;
    g.alpha = h.alpha;
    g.beta = h.beta;
    for (int64_t id : h.ids)
      if (id != data::Vocab::kEos) g.words.push_back(vocab_.token(id));
    return g;
  };
  if (ended_out)
    for (const Hyp& h : ended) ended_out->push_back(caption_of(h));
  return caption_of(*std::max_element(ended.begin(), ended.end(), [](const Hyp& x, const Hyp& y) { return x.score < y.score; }));
}

void Captioner::replay(const data::Image& image, const std::vector<int64_t>& ids) {
  nn::EvalMode eval_mode(*this);
  autograd::NoGrad ng;
  State st = start(encode(image_tensor({&image})));
  std::vector<int64_t> prev = {data::Vocab::kBos};
  for (size_t t = 0; t < ids.size(); ++t) {
    step(st, prev, static_cast<int64_t>(t));
    prev[0] = ids[t];
  }
}

void Captioner::attach(attention::Recorder* rec) {
  if (soft_) soft_->set_recorder(rec, "decoder.cross");
  if (hard_) hard_->set_recorder(rec, "decoder.cross");
  if (sentinel_) sentinel_->set_recorder(rec, "decoder.cross");
}

io::Trace Captioner::trace(const data::Image& image, int64_t beam) {
  const GeneratedCaption g = generate({&image}, beam).front();
  // The recorder sees the chosen caption's steps run again (decoding is deterministic); it
  // ended with <eos> unless it ran to the word limit.
  io::Trace t = trace_caption(image, g.words, g.words.size() <= static_cast<size_t>(cfg_.max_words));
  if (beam > 1) t.meta["beam"] = std::to_string(beam);
  return t;
}

io::Trace Captioner::trace_caption(const data::Image& image, const std::vector<std::string>& words, bool eos) {
  attention::Recorder rec;
  std::vector<int64_t> ids = vocab_.encode(words);
  if (eos) ids.push_back(data::Vocab::kEos);
  {
    struct Attached {
      Captioner& m;
      ~Attached() { m.attach(nullptr); }
    } attached{*this};
    attach(&rec);
    replay(image, ids);
  }
  // One row per decoding step: the words, then <eos>.
  std::vector<std::string> rows = words;
  if (eos) rows.push_back("<eos>");
  rec.set_sequence({"target", rows});
  io::TraceSequence grid{"image", {}, cfg_.grid(), cfg_.grid()};
  for (int64_t r = 0; r < cfg_.grid(); ++r)
    for (int64_t c = 0; c < cfg_.grid(); ++c) grid.tokens.push_back(std::to_string(r) + "," + std::to_string(c));
  rec.set_sequence(grid);
  rec.meta()["model"] = model_type();
  rec.meta()["task"] = "caption";
  rec.meta()["caption"] = caption_text(words);
  io::Trace t = rec.to_trace(0);
  t.image.height = image.height;
  t.image.width = image.width;
  t.image.channels = image.channels;
  t.image.pixels = image.pixels;
  return t;
}

}  // namespace attnscope::models
