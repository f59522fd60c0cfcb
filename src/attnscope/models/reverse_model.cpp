#include "attnscope/models/reverse_model.h"
#include "attnscope/io/json_parse.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/nn/eval_mode.h"

namespace attnscope::models {

using namespace attnscope::nn;

using json = nlohmann::json;

// ---- config -----------------------------------------------------------------------------------

std::string ReverseConfig::to_json() const {
  return json{{"cell", cell},   {"vocab", vocab},   {"seq_len", seq_len}, {"min_len", min_len},
              {"embed", embed}, {"hidden", hidden}, {"layers", layers},   {"dropout", dropout}}
      .dump();
}

ReverseConfig ReverseConfig::from_json(const std::string& text) {
  ReverseConfig c;
  try {
    const json j = io::parse_json(text, "reverse model config");
    c.cell = j.at("cell").get<std::string>();
    c.vocab = j.at("vocab").get<int64_t>();
    c.seq_len = j.at("seq_len").get<int64_t>();
    c.min_len = j.at("min_len").get<int64_t>();
    c.embed = j.at("embed").get<int64_t>();
    c.hidden = j.at("hidden").get<int64_t>();
    c.layers = j.at("layers").get<int>();
    c.dropout = j.at("dropout").get<double>();
  } catch (const json::exception& e) {
    throw FormatError(std::string("reverse model config: ") + e.what());
  }
  try {
    c.validate();
  } catch (const ConfigError& e) {
    throw FormatError(e.what());
  }
  return c;
}

void ReverseConfig::validate() const {
  if (cell != "gru" && cell != "lstm") throw ConfigError("reverse: cell must be gru or lstm, got '" + cell + "'");
  if (vocab < 2 || seq_len < 1 || min_len < 1 || min_len > seq_len || embed < 1 || hidden < 1 ||
      layers < 1 || !(dropout >= 0 && dropout < 1))
    throw ConfigError("reverse: bad config " + to_json() +
                      " (need vocab >= 2, 1 <= min_len <= seq_len, sizes >= 1, 0 <= dropout < 1)");
}

// ---- model ------------------------------------------------------------------------------------

ReverseModel::ReverseModel(const ReverseConfig& cfg, Rng& rng) : cfg_(cfg) {
  cfg.validate();
  src_embed_ = register_module("src_embed", std::make_shared<Embedding>(cfg.vocab, cfg.embed, rng));
  tgt_embed_ = register_module("tgt_embed", std::make_shared<Embedding>(cfg.vocab + 1, cfg.embed, rng));
  if (cfg.dropout > 0)
    dropout_ = register_module("dropout", std::make_shared<Dropout>(cfg.dropout, rng.next_u64()));
  const RecurrentOptions ro{cfg.embed, cfg.hidden, cfg.layers};
  encoder_ = register_module("encoder", make_recurrent(cfg.cell, ro, rng));
  decoder_ = register_module("decoder", make_recurrent(cfg.cell, ro, rng));
  proj_ = register_module("proj", std::make_shared<Linear>(cfg.hidden, cfg.vocab, rng));
}

Tensor ReverseModel::embed(Embedding& table, const std::vector<int64_t>& ids, int64_t B, int64_t T) {
  Tensor x = table.forward(ids, Shape{B, T});  // [B, T, E]
  return dropout_ ? dropout_->forward(x) : x;
}

RecurrentOutput ReverseModel::encode(const std::vector<int64_t>& ids, int64_t B, int64_t T,
                                     const Tensor& mask) {
  return encoder_->forward(embed(*src_embed_, ids, B, T), mask);
}

Tensor ReverseModel::forward(const std::vector<int64_t>& ids, const std::vector<int64_t>& targets,
                             int64_t B, int64_t T, const Tensor& mask) {
  const RecurrentOutput enc = encode(ids, B, T, mask);
  // Teacher forcing: the decoder reads BOS, y_0, .., y_{T-2} (padding reads symbol 0; masked).
  std::vector<int64_t> dec_in(B * T);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t t = 0; t < T; ++t)
      dec_in[b * T + t] = t == 0 ? cfg_.vocab : std::max<int64_t>(targets[b * T + t - 1], 0);
  const RecurrentOutput dec = decoder_->forward(embed(*tgt_embed_, dec_in, B, T), mask, enc.h_n, enc.c_n);
  return proj_->forward(dec.output);  // [B, T, V]
}

std::vector<int64_t> ReverseModel::greedy(const std::vector<int64_t>& ids, int64_t B, int64_t T,
                                          const Tensor& mask) {
  autograd::NoGrad no_grad;
  const RecurrentOutput enc = encode(ids, B, T, mask);
  Tensor h = enc.h_n, c = enc.c_n;
  std::vector<int64_t> prev(B, cfg_.vocab), out(B * T);
  const int64_t V = cfg_.vocab;
  for (int64_t t = 0; t < T; ++t) {
    const RecurrentOutput dec = decoder_->forward(embed(*tgt_embed_, prev, B, 1), {}, h, c);
    h = dec.h_n;
    c = dec.c_n;
    const Tensor logits = proj_->forward(dec.output).contiguous();  // [B, 1, V]
    const float* p = logits.data<float>();
    for (int64_t b = 0; b < B; ++b) {
      int64_t best = 0;
      for (int64_t v = 1; v < V; ++v)
        if (p[b * V + v] > p[b * V + best]) best = v;
      out[b * T + t] = prev[b] = best;
    }
  }
  return out;
}

// ---- data -------------------------------------------------------------------------------------

ReverseBatch make_reverse_batch(const ReverseConfig& cfg, int64_t B, Rng& rng) {
  ReverseBatch b;
  b.B = B;
  b.T = cfg.seq_len;
  const int64_t T = b.T;
  b.ids.assign(B * T, 0);
  b.targets.assign(B * T, ops::kIgnore);
  std::vector<int64_t> lengths(B);
  for (int64_t r = 0; r < B; ++r) {
    const int64_t L = cfg.min_len + static_cast<int64_t>(rng.below(cfg.seq_len - cfg.min_len + 1));
    lengths[r] = L;
    for (int64_t t = 0; t < L; ++t) b.ids[r * T + t] = static_cast<int64_t>(rng.below(cfg.vocab));
    for (int64_t t = 0; t < L; ++t) b.targets[r * T + t] = b.ids[r * T + (L - 1 - t)];
  }
  b.mask = lengths_to_mask(lengths, T);
  return b;
}

double reverse_accuracy(ReverseModel& model, Rng& rng, int64_t batches, int64_t B) {
  const nn::EvalMode eval_mode(model);
  int64_t right = 0, total = 0;
  for (int64_t k = 0; k < batches; ++k) {
    const ReverseBatch b = make_reverse_batch(model.config(), B, rng);
    const std::vector<int64_t> pred = model.greedy(b.ids, b.B, b.T, b.mask);
    for (int64_t i = 0; i < b.B * b.T; ++i) {
      if (b.targets[i] == ops::kIgnore) continue;
      right += pred[i] == b.targets[i];
      ++total;
    }
  }
  return total ? static_cast<double>(right) / static_cast<double>(total) : 0.0;
}

}  // namespace attnscope::models
