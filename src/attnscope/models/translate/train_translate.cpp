#include "attnscope/models/translate/train_translate.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <unordered_set>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/core/progress.h"
#include "attnscope/data/bleu.h"
#include "attnscope/data/chrf.h"
#include "attnscope/nn/lr_schedule.h"
#include "attnscope/nn/optimizer.h"

namespace attnscope::models {
namespace {

using Clock = std::chrono::steady_clock;
constexpr uint64_t kHeldOutSeedOffset = 0x5eed0ff5e7ULL;

struct Encoded {
  std::vector<std::vector<int64_t>> src, tgt;
};

// Where training batches come from: an endless stream of fresh dates, or samples of a corpus.
class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual Batch next(int64_t batch, Rng& rng) = 0;
};

class DateStream : public BatchSource {
 public:
  DateStream(const TextCodec& codec, const std::vector<data::DateExample>& held_out) : codec_(codec) {
    for (const auto& ex : held_out) held_out_.insert(ex.text);
  }
  Batch next(int64_t batch, Rng& rng) override {
    std::vector<std::vector<int64_t>> src, tgt;
    while (static_cast<int64_t>(src.size()) < batch) {
      data::DateExample ex = data::random_date(rng);
      if (held_out_.count(ex.text)) continue;
      src.push_back(codec_.source_vocab.encode(ex.source));
      tgt.push_back(codec_.target_vocab.encode(ex.target));
    }
    return make_batch(src, tgt);
  }

 private:
  const TextCodec& codec_;
  std::unordered_set<std::string> held_out_;
};

class CorpusSampler : public BatchSource {
 public:
  explicit CorpusSampler(Encoded data) : data_(std::move(data)) {}
  Batch next(int64_t batch, Rng& rng) override {
    std::vector<std::vector<int64_t>> src, tgt;
    for (int64_t i = 0; i < batch; ++i) {
      const size_t k = rng.below(data_.src.size());
      src.push_back(data_.src[k]);
      tgt.push_back(data_.tgt[k]);
    }
    return make_batch(src, tgt);
  }

 private:
  Encoded data_;
};

std::vector<data::SentencePair> load_pairs(const std::string& spec, int64_t max_pairs) {
  const size_t comma = spec.find(',');
  if (comma != std::string::npos) return data::read_line_pairs(spec.substr(0, comma), spec.substr(comma + 1), max_pairs);
  return data::read_tsv(spec, max_pairs);
}

double mean_valid_loss(Seq2SeqModel& model, const std::vector<Batch>& batches) {
  autograd::NoGrad ng;
  const bool was = model.training();
  model.eval();
  double sum = 0;
  for (const auto& b : batches) sum += ops::cross_entropy(model.forward(b), b.tgt_out, kIgnore).item();
  model.train(was);
  return batches.empty() ? 0 : sum / batches.size();
}

}  // namespace

std::vector<data::DateExample> held_out_dates(int64_t n, uint64_t seed) {
  return data::date_dataset(n, seed ^ kHeldOutSeedOffset);
}

TranslateTrainOptions with_task_defaults(TranslateTrainOptions opt) {
  const bool dates_transformer = opt.data == "dates" && opt.kind == "transformer";
  if (opt.steps == 0) opt.steps = dates_transformer ? 800 : 2000;
  if (dates_transformer && opt.model_config.is_object()) {
    if (!opt.model_config.contains("hidden")) opt.model_config["hidden"] = 64;
    if (!opt.model_config.contains("dropout")) opt.model_config["dropout"] = 0.0;
  }
  return opt;
}

TranslateTrainResult train_translation(const TranslateTrainOptions& given) {
  const TranslateTrainOptions opt = with_task_defaults(given);
  if (opt.steps <= 0 || opt.batch <= 0) throw ConfigError("train translate: --steps and --batch must be positive");
  if (opt.eval_every <= 0) throw ConfigError("train translate: --eval-every must be positive");
  TranslateTrainResult res;
  const bool dates = opt.data == "dates";
  TextCodec codec;
  codec.source_mode = !opt.source_mode.empty() ? opt.source_mode : dates ? "dates" : "word";
  codec.target_mode = !opt.target_mode.empty() ? opt.target_mode : dates ? "char" : "word";
  std::unique_ptr<BatchSource> source;
  std::vector<Batch> valid_batches;
  std::vector<std::string> focus_src, focus_tgt;

  if (dates) {
    // Vocabularies from a large sample: every month and day name of every language appears.
    auto sample = data::date_dataset(20000, opt.seed + 17);
    std::vector<std::vector<std::string>> s, t;
    for (const auto& ex : sample) s.push_back(ex.source), t.push_back(ex.target);
    codec.source_vocab = data::Vocab::build(s, 1);
    codec.target_vocab = data::Vocab::build(t, 1);
    res.held_out = held_out_dates(1000, opt.seed);
    source = std::make_unique<DateStream>(codec, res.held_out);
    std::vector<std::vector<int64_t>> vs, vt;
    for (size_t i = 0; i < 256 && i < res.held_out.size(); ++i) {
      vs.push_back(codec.source_vocab.encode(res.held_out[i].source));
      vt.push_back(codec.target_vocab.encode(res.held_out[i].target));
    }
    for (size_t i = 0; i < vs.size(); i += 128)
      valid_batches.push_back(make_batch({vs.begin() + i, vs.begin() + std::min(vs.size(), i + 128)},
                                         {vt.begin() + i, vt.begin() + std::min(vt.size(), i + 128)}));
    focus_src = res.held_out[0].source;
    focus_tgt = res.held_out[0].target;
  } else {
    auto pairs = load_pairs(opt.data, opt.max_pairs);
    // Length filter on tokens, then a seeded split.
    std::vector<data::SentencePair> kept;
    for (auto& p : pairs) {
      const auto a = tokenize_mode(codec.source_mode, p.source), b = tokenize_mode(codec.target_mode, p.target);
      if (!a.empty() && !b.empty() && static_cast<int64_t>(a.size()) <= opt.max_len && static_cast<int64_t>(b.size()) <= opt.max_len)
        kept.push_back(std::move(p));
    }
    if (kept.size() < 10) throw FormatError("'" + opt.data + "': fewer than 10 usable sentence pairs after the length filter");
    auto splits = data::split_pairs(std::move(kept), 0.02, 0.05, opt.seed);
    std::vector<std::vector<std::string>> s, t;
    for (const auto& p : splits.train) s.push_back(tokenize_mode(codec.source_mode, p.source)), t.push_back(tokenize_mode(codec.target_mode, p.target));
    codec.source_vocab = data::Vocab::build(s, opt.min_freq, opt.max_vocab);
    codec.target_vocab = data::Vocab::build(t, opt.min_freq, opt.max_vocab);
    Encoded enc;
    for (size_t i = 0; i < s.size(); ++i) enc.src.push_back(codec.source_vocab.encode(s[i])), enc.tgt.push_back(codec.target_vocab.encode(t[i]));
    source = std::make_unique<CorpusSampler>(std::move(enc));
    std::vector<std::vector<int64_t>> vs, vt;
    for (size_t i = 0; i < splits.valid.size() && i < 512; ++i)
      vs.push_back(codec.encode_source(splits.valid[i].source)), vt.push_back(codec.encode_target(splits.valid[i].target));
    for (size_t i = 0; i < vs.size(); i += 64)
      valid_batches.push_back(make_batch({vs.begin() + i, vs.begin() + std::min(vs.size(), i + 64)},
                                         {vt.begin() + i, vt.begin() + std::min(vt.size(), i + 64)}));
    if (!splits.valid.empty()) {
      focus_src = codec.tokenize_source(splits.valid[0].source);
      focus_tgt = codec.tokenize_target(splits.valid[0].target);
    }
    res.test = std::move(splits.test);
  }

  res.translator = std::make_unique<Translator>(opt.kind, opt.model_config, codec, opt.seed);
  Translator& tr = *res.translator;
  Seq2SeqModel& model = tr.model();
  nn::AdamOptions ao;
  ao.lr = opt.lr;
  nn::Adam adam(model.named_parameters(), ao);
  nn::LrSchedule sched;
  sched.kind = nn::LrSchedule::parse_kind(opt.schedule);
  sched.peak_lr = opt.lr;
  sched.warmup = opt.warmup;
  sched.total = opt.steps;
  sched.min_lr = opt.lr * opt.min_lr_fraction;
  Rng data_rng(opt.seed * 7919 + 1);
  const nn::NamedRngs rngs = {{"data", &data_rng}};

  int64_t step = 0;
  if (!opt.resume.empty()) {
    nn::CheckpointMeta meta = tr.resume(opt.resume, &adam, rngs);
    step = meta.step;
    try {
      auto j = nlohmann::json::parse(meta.training);
      res.losses = j.value("losses", std::vector<float>{});
      for (const auto& v : j.value("valid_losses", nlohmann::json::array())) res.valid_losses.emplace_back(v[0], v[1]);
    } catch (const nlohmann::json::exception& e) {
      throw FormatError("'" + opt.resume + "': training state is not valid JSON");
    }
    if (static_cast<int64_t>(res.losses.size()) != step)
      throw FormatError("'" + opt.resume + "': loss history does not match its step count");
  }
  auto save = [&](int64_t at) {
    if (opt.output.empty()) return;
    nlohmann::json training = {{"losses", res.losses}, {"data", opt.data}, {"steps", opt.steps}};
    nlohmann::json vl = nlohmann::json::array();
    for (const auto& [s, l] : res.valid_losses) vl.push_back({s, l});
    training["valid_losses"] = vl;
    tr.save(opt.output, at, training, &adam, rngs);
  };
  auto snapshot = [&](int64_t at) {
    if (opt.focus_every <= 0 || focus_src.empty()) return;
    io::Trace t = tr.trace_pair(focus_src, focus_tgt);
    if (res.focus.sequences.empty()) {
      res.focus.sequences = t.sequences;
      res.focus.meta = t.meta;
    }
    res.focus.layers = t.layers;
    res.focus.snapshots.push_back({"step " + std::to_string(at), at, t.layers});
  };

  model.train();
  const auto start = Clock::now();
  int64_t tokens = 0;
  Progress progress("train translate", opt.steps, opt.quiet);
  progress.tick(step);
  if (step == 0) snapshot(0);
  while (step < opt.steps) {
    Batch b = source->next(opt.batch, data_rng);
    adam.zero_grad();
    Tensor logits = model.forward(b);
    Tensor loss = ops::cross_entropy(logits, b.tgt_out, kIgnore, opt.label_smoothing);
    const double lv = loss.item();
    if (!std::isfinite(lv)) throw ValueError("train translate: loss became " + std::to_string(lv) + " at step " + std::to_string(step) + " (lower --lr)");
    autograd::backward(loss);
    nn::clip_grad_norm(model.parameters(), opt.clip);
    adam.set_lr(sched.at(step));
    adam.step();
    res.losses.push_back(static_cast<float>(lv));
    for (int64_t v : b.tgt_out) tokens += v != kIgnore;
    ++step;
    progress.set_status("loss=" + std::to_string(lv).substr(0, 6));
    progress.tick();
    if (opt.focus_every > 0 && step % opt.focus_every == 0) snapshot(step);
    const bool out_of_time = opt.time_limit > 0 && std::chrono::duration<double>(Clock::now() - start).count() > opt.time_limit;
    if (step % opt.eval_every == 0 || step == opt.steps || out_of_time) {
      res.valid_losses.emplace_back(step, mean_valid_loss(model, valid_batches));
      save(step);
    }
    if (out_of_time) break;
  }
  progress.finish();
  if (opt.focus_every > 0 && (res.focus.snapshots.empty() || res.focus.snapshots.back().step != step)) snapshot(step);
  res.steps = step;
  res.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  res.tokens_per_second = res.seconds > 0 ? tokens / res.seconds : 0;
  model.eval();
  return res;
}

std::vector<float> cross_attention_matrix(const io::Trace& trace, int64_t* T, int64_t* N) {
  const io::TraceLayer* last = nullptr;
  for (const auto& l : trace.layers)
    if (l.query_seq == "target" && l.key_seq == "source" && l.keep == io::TraceKeep::dense) last = &l;
  if (!last) return {};
  *T = last->queries;
  *N = last->keys;
  std::vector<float> m(last->queries * last->keys, 0.f);
  for (int64_t h = 0; h < last->heads; ++h)
    for (size_t i = 0; i < m.size(); ++i) m[i] += last->weights[h * m.size() + i] / last->heads;
  return m;
}

TranslateEval evaluate_pairs(Translator& t, const std::vector<data::SentencePair>& pairs, const DecodeOptions& opt) {
  TranslateEval ev;
  std::vector<std::string> hyps, refs;
  for (size_t i = 0; i < pairs.size(); i += 64) {
    std::vector<std::string> src;
    for (size_t j = i; j < std::min(pairs.size(), i + 64); ++j) src.push_back(pairs[j].source);
    for (auto& tr : t.translate(src, opt)) hyps.push_back(tr.text);
  }
  int64_t exact = 0;
  for (size_t i = 0; i < pairs.size(); ++i) {
    // The reference as the model would write it (same tokenization and case), for a fair match.
    refs.push_back(t.codec().detokenize_target(t.codec().tokenize_target(pairs[i].target)));
    exact += hyps[i] == refs[i];
  }
  ev.n = static_cast<int64_t>(pairs.size());
  if (ev.n == 0) return ev;
  ev.bleu = data::corpus_bleu(hyps, refs).score;
  ev.chrf = data::corpus_chrf(hyps, refs);
  ev.exact = static_cast<double>(exact) / ev.n;
  return ev;
}

TranslateEval evaluate_dates(Translator& t, const std::vector<data::DateExample>& examples, const DecodeOptions& opt) {
  TranslateEval ev;
  ev.n = static_cast<int64_t>(examples.size());
  if (ev.n == 0) return ev;
  int64_t exact = 0;
  focus::AlignmentCount align;
  for (size_t i = 0; i < examples.size(); i += 100) {
    std::vector<std::string> texts;
    for (size_t j = i; j < std::min(examples.size(), i + 100); ++j) texts.push_back(examples[j].text);
    auto out = t.translate(texts, opt);
    for (size_t j = 0; j < out.size(); ++j) {
      const auto& ex = examples[i + j];
      exact += out[j].target_tokens == ex.target;
    }
  }
  for (const auto& ex : examples) {
    io::Trace tr = t.trace_pair(ex.source, ex.target);
    int64_t T = 0, N = 0;
    auto m = cross_attention_matrix(tr, &T, &N);
    if (!m.empty()) align += focus::alignment_accuracy(m.data(), T, N, ex.gold);
  }
  ev.exact = static_cast<double>(exact) / ev.n;
  ev.alignment = align.total ? align.accuracy() : -1;
  return ev;
}

}  // namespace attnscope::models
