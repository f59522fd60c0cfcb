#include "attnscope/nn/reverse_task.h"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/core/progress.h"
#include "attnscope/nn/checkpoint.h"
#include "attnscope/nn/lr_schedule.h"
#include "attnscope/nn/optimizer.h"

namespace attnscope::nn {

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
    const json j = json::parse(text);
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

namespace {
std::shared_ptr<RecurrentBase> make_rnn(const std::string& cell, const RecurrentOptions& o, Rng& rng) {
  if (cell == "gru") return std::make_shared<GRU>(o, rng);
  return std::make_shared<LSTM>(o, rng);
}
}  // namespace

ReverseModel::ReverseModel(const ReverseConfig& cfg, Rng& rng) : cfg_(cfg) {
  cfg.validate();
  src_embed_ = register_module("src_embed", std::make_shared<Embedding>(cfg.vocab, cfg.embed, rng));
  tgt_embed_ = register_module("tgt_embed", std::make_shared<Embedding>(cfg.vocab + 1, cfg.embed, rng));
  if (cfg.dropout > 0)
    dropout_ = register_module("dropout", std::make_shared<Dropout>(cfg.dropout, rng.next_u64()));
  const RecurrentOptions ro{cfg.embed, cfg.hidden, cfg.layers};
  encoder_ = register_module("encoder", make_rnn(cfg.cell, ro, rng));
  decoder_ = register_module("decoder", make_rnn(cfg.cell, ro, rng));
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
  b.targets.assign(B * T, ReverseBatch::kIgnore);
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
  const bool was_training = model.training();
  model.eval();
  int64_t right = 0, total = 0;
  for (int64_t k = 0; k < batches; ++k) {
    const ReverseBatch b = make_reverse_batch(model.config(), B, rng);
    const std::vector<int64_t> pred = model.greedy(b.ids, b.B, b.T, b.mask);
    for (int64_t i = 0; i < b.B * b.T; ++i) {
      if (b.targets[i] == ReverseBatch::kIgnore) continue;
      right += pred[i] == b.targets[i];
      ++total;
    }
  }
  model.train(was_training);
  return total ? static_cast<double>(right) / static_cast<double>(total) : 0.0;
}

// ---- training ---------------------------------------------------------------------------------

namespace {
// Training settings that shape the loss curve (stored in the checkpoint, checked on resume).
json settings_json(const ReverseTrainOptions& o) {
  return json{{"batch", o.batch}, {"lr", o.lr}, {"warmup", o.warmup}, {"schedule", o.schedule}, {"clip", o.clip}};
}
}  // namespace

TrainTaskResult train_reverse(const ReverseConfig& cfg_in, const ReverseTrainOptions& opt,
                              const std::function<void(int64_t, float)>& on_step) {
  const auto t0 = std::chrono::steady_clock::now();
  ReverseConfig cfg = cfg_in;
  if (!opt.resume.empty()) cfg = ReverseConfig::from_json(read_checkpoint_meta(opt.resume).config);
  cfg.validate();
  if (opt.steps < 0 || opt.batch < 1 || !(opt.lr > 0) || opt.warmup < 0)
    throw ConfigError("train reverse: need steps >= 0, batch >= 1, lr > 0, warmup >= 0");

  Rng init_rng(opt.seed);
  ReverseModel model(cfg, init_rng);
  AdamW optim(model.named_parameters(), AdamOptions{opt.lr, 0.9, 0.999, 1e-8, 0.0});
  LrSchedule sched{LrSchedule::parse_kind(opt.schedule), opt.lr, opt.warmup, opt.steps, opt.lr * 0.05};
  Rng data_rng(opt.seed ^ 0x5eedda7aULL);
  const NamedRngs extra = {{"data", &data_rng}};

  TrainTaskResult res;
  int64_t step = 0;
  if (!opt.resume.empty()) {
    const CheckpointMeta meta = load_checkpoint(opt.resume, model, model.model_type(), &optim, extra);
    step = meta.step;
    json tr;
    try {
      tr = json::parse(meta.training);
      res.losses = tr.at("losses").get<std::vector<float>>();
    } catch (const json::exception&) {
      throw FormatError("checkpoint '" + opt.resume + "': training state has no loss history");
    }
    // The same curve needs the same settings: refuse a silent change.
    const json now = settings_json(opt);
    for (const auto& [key, value] : now.items())
      if (tr.contains(key) && tr[key] != value)
        throw ConfigError("--resume: the checkpoint was trained with " + key + " = " + tr[key].dump() +
                          ", this run has " + value.dump() + " (use the same settings to continue its curve)");
    if (static_cast<int64_t>(res.losses.size()) != step)
      throw FormatError("checkpoint '" + opt.resume + "': loss history length differs from step");
  }
  auto save = [&](int64_t at_step) {
    json tr = settings_json(opt);
    tr["losses"] = res.losses;
    CheckpointMeta meta{model.model_type(), cfg.to_json(), at_step, tr.dump()};
    save_checkpoint(opt.output, model, meta, &optim, extra);
  };

  model.train();
  Progress progress("train reverse-" + cfg.cell, opt.steps > step ? opt.steps - step : 0, opt.quiet);
  for (; step < opt.steps; ++step) {
    const ReverseBatch b = make_reverse_batch(cfg, opt.batch, data_rng);
    optim.zero_grad();
    Tensor logits = model.forward(b.ids, b.targets, b.B, b.T, b.mask);  // [B, T, V]
    Tensor loss = ops::cross_entropy(logits, b.targets, ReverseBatch::kIgnore);
    autograd::backward(loss);
    if (opt.clip > 0) clip_grad_norm(model.parameters(), opt.clip);
    optim.set_lr(sched.at(step));
    optim.step();
    const float l = static_cast<float>(loss.item());
    res.losses.push_back(l);
    if (on_step) on_step(step, l);
    char status[48];
    std::snprintf(status, sizeof status, "loss=%.4f", l);
    progress.set_status(status);
    progress.tick();
    if (!opt.output.empty() && opt.checkpoint_every > 0 && (step + 1) % opt.checkpoint_every == 0 &&
        step + 1 < opt.steps)
      save(step + 1);
  }
  progress.finish();
  if (!opt.output.empty()) save(step);

  Rng eval_rng(opt.seed + 0x9e3779b97f4a7c15ULL);
  res.metrics["token_accuracy"] = reverse_accuracy(model, eval_rng);
  if (opt.on_finish) opt.on_finish(model);
  res.steps = step;
  res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return res;
}

TrainTask reverse_train_task() {
  TrainTask t;
  t.name = "reverse";
  t.description = "learn to reverse sequences (GRU/LSTM encoder-decoder); settings: cell, "
                  "vocab, seq_len, min_len, embed, hidden, layers, dropout, batch, lr, warmup, "
                  "schedule, clip, checkpoint_every";
  t.run = [](const TrainTaskOptions& o) {
    TaskParams p(o.params);
    ReverseConfig c;
    c.cell = p.get("cell", c.cell);
    c.vocab = p.get_int("vocab", c.vocab);
    c.seq_len = p.get_int("seq_len", c.seq_len);
    c.min_len = p.get_int("min_len", c.seq_len);
    c.embed = p.get_int("embed", c.embed);
    c.hidden = p.get_int("hidden", c.hidden);
    c.layers = static_cast<int>(p.get_int("layers", c.layers));
    c.dropout = p.get_double("dropout", c.dropout);
    ReverseTrainOptions r;
    r.seed = o.seed;
    if (o.steps > 0) r.steps = o.steps;
    r.batch = p.get_int("batch", r.batch);
    r.lr = p.get_double("lr", r.lr);
    r.warmup = p.get_int("warmup", r.warmup);
    r.schedule = p.get("schedule", r.schedule);
    r.clip = p.get_double("clip", r.clip);
    r.checkpoint_every = p.get_int("checkpoint_every", r.checkpoint_every);
    p.check_all_used("reverse");
    r.output = o.output;
    r.resume = o.resume;
    r.quiet = o.quiet;
    return train_reverse(c, r);
  };
  return t;
}

}  // namespace attnscope::nn
