#include "attnscope/train/tasks/translate_task.h"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <span>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "attnscope/attention/supervision.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/core/fs.h"
#include "attnscope/core/progress.h"
#include "attnscope/focus/faithfulness.h"
#include "attnscope/models/translate/explain.h"
#include "attnscope/models/translate/robustness.h"
#include "attnscope/models/translate/transformer_seq2seq.h"
#include "attnscope/train/attention_losses.h"

namespace attnscope::train {

using models::Batch;
using models::make_batch;
using Rows = std::vector<std::vector<int64_t>>;
using Gold = std::vector<std::vector<int>>;  // per target position: gold source indices

// Every replica draws the same global batch (same RNG stream); each keeps its shard's rows.
class TranslateTask::Source {
 public:
  virtual ~Source() = default;
  // gold (may be null): each example's gold alignment (data::DateExample::gold), where known.
  virtual void draw(int64_t batch, Rng& rng, Rows* src, Rows* tgt, std::vector<Gold>* gold) = 0;
};

namespace {

class DateStream : public TranslateTask::Source {
 public:
  DateStream(const models::TextCodec& codec, const std::vector<data::DateExample>& held_out) : codec_(codec) {
    for (const auto& ex : held_out) held_out_.insert(ex.text);
  }
  void draw(int64_t batch, Rng& rng, Rows* src, Rows* tgt, std::vector<Gold>* gold) override {
    while (static_cast<int64_t>(src->size()) < batch) {
      data::DateExample ex = data::random_date(rng);
      if (held_out_.count(ex.text)) continue;
      src->push_back(codec_.source_vocab.encode(ex.source));
      tgt->push_back(codec_.target_vocab.encode(ex.target));
      if (gold) gold->push_back(std::move(ex.gold));
    }
  }

 private:
  const models::TextCodec& codec_;
  std::unordered_set<std::string> held_out_;
};

class CorpusSampler : public TranslateTask::Source {
 public:
  CorpusSampler(Rows src, Rows tgt) : src_(std::move(src)), tgt_(std::move(tgt)) {}
  void draw(int64_t batch, Rng& rng, Rows* src, Rows* tgt, std::vector<Gold>*) override {
    for (int64_t i = 0; i < batch; ++i) {
      const size_t k = rng.below(src_.size());
      src->push_back(src_[k]);
      tgt->push_back(tgt_[k]);
    }
  }

 private:
  Rows src_, tgt_;
};

std::vector<Batch> batches_of(const Rows& src, const Rows& tgt, size_t size) {
  std::vector<Batch> out;
  for (size_t i = 0; i < src.size(); i += size) {
    const size_t end = std::min(src.size(), i + size);
    out.push_back(make_batch({src.begin() + i, src.begin() + end}, {tgt.begin() + i, tgt.begin() + end}));
  }
  return out;
}

const char* const kRnnOnly[] = {"attention", "cell", "window", "embed"};
const char* const kTransformerOnly[] = {"positions", "layers", "heads", "ff", "adaptive-span", "span-penalty", "span-ramp"};

bool dates_data(const Settings& s) { return s.text("builtin") == "dates"; }

// The Transformer's learned decoder spans (empty for other models or without an adaptive span).
std::vector<std::vector<float>> decoder_spans(const models::Seq2SeqModel& model) {
  const auto* t = dynamic_cast<const models::TransformerSeq2Seq*>(&model);
  return t ? t->decoder_spans() : std::vector<std::vector<float>>{};
}

// "spans: decoder.0.self 3.1 4.0 | decoder.1.self 2.2 5.0" (tokens per head), or "".
std::string spans_line(const models::Seq2SeqModel& model) {
  const auto spans = decoder_spans(model);
  std::string line;
  for (size_t l = 0; l < spans.size(); ++l) {
    line += (l ? " | decoder." : "spans: decoder.") + std::to_string(l) + ".self";
    for (float z : spans[l]) {
      char v[24];
      std::snprintf(v, sizeof v, " %.1f", z);
      line += v;
    }
  }
  return line;
}

std::string dates_line(const models::TranslateEval& ev) {
  char line[128];
  std::snprintf(line, sizeof line, "dates: exact=%.1f%% alignment=%.1f%% held-out=%lld", 100 * ev.exact,
                100 * ev.alignment, static_cast<long long>(ev.n));
  return line;
}

// "aer: best decoder.0.cross head 1 = 2.1% | per head: ..." (empty without cross-attention).
std::string aer_line(const models::TranslateEval& ev) {
  const models::HeadAer* best = ev.best_aer();
  if (!best) return "";
  auto name = [](const models::HeadAer& a) {
    return a.layer + (a.head < 0 ? " mean" : " head " + std::to_string(a.head));
  };
  char num[96];
  std::snprintf(num, sizeof num, "%.1f%% (argmax links)", 100 * best->aer);
  std::string line = "aer: best " + name(*best) + " = " + num + " | per head, argmax / best threshold:";
  for (const auto& a : ev.aer) {
    std::snprintf(num, sizeof num, "%.1f%% / %.1f%% at %.2f", 100 * a.aer, 100 * a.aer_threshold, a.threshold);
    line += " " + name(a) + "=" + num;
  }
  return line;
}

// Which data a setting list names: exactly one of a file and the built-in dates.
void check_translate_data(const Settings& s, bool required) {
  const bool file = !s.text("data").empty(), builtin = !s.text("builtin").empty();
  if (builtin && s.text("builtin") != "dates") throw ConfigError("the only built-in translation data is 'dates'");
  if (file && builtin) throw ConfigError("give either a data file or the built-in dates, not both");
  if (required && !file && !builtin) throw ConfigError("no data: give a data file or the built-in dates");
}

}  // namespace

std::vector<SettingSpec> translate_settings() {
  return {
      text_setting("data", "", "Parallel text: TSV source<TAB>target, or SRC_FILE,TGT_FILE (line-aligned)"),
      text_setting("builtin", "", "Built-in data: dates (the default when no data file is given)", {"dates"}),
      text_setting("arch", "rnn", "Architecture: rnn or transformer", {"rnn", "transformer"}),
      text_setting("attention", "additive",
                   "RNN attention: additive, dot, general, local (Luong local-p), hard (Gumbel straight-through), none",
                   {"additive", "dot", "general", "local", "hard", "none"}),
      int_setting("window", 4, "RNN local attention: half width D of the window", 1, 1024),
      text_setting("cell", "gru", "RNN cell: gru or lstm", {"gru", "lstm"}),
      text_setting("positions", "sinusoidal", "Transformer positions: sinusoidal, learned, alibi",
                   {"sinusoidal", "learned", "alibi"}),
      int_setting("hidden", 128, "Model width (Transformer on dates: 64)", 1, 65536),
      int_setting("embed", 64, "RNN embedding width", 1, 65536),
      int_setting("layers", 2, "Transformer layers", 1, 64),
      int_setting("heads", 4, "Transformer heads", 1, 256),
      int_setting("ff", 0, "Transformer feed-forward width (0: 4 x hidden)", 0, 1 << 20),
      int_setting("adaptive-span", 0,
                  "Transformer: a learned attention span per decoder self-attention head, up to this many tokens "
                  "(Sukhbaatar et al. 2019; 0: off)", 0, 4096),
      real_setting("span-penalty", 0.0, "Transformer with --adaptive-span: L1 penalty on the spans (per token of span)",
                   0.0, 10.0),
      real_setting("span-ramp", 4.0, "Transformer with --adaptive-span: the span mask's soft edge (tokens)", 1.0, 4096.0),
      real_setting("dropout", 0.1, "Dropout (Transformer on dates: 0)", 0.0, 0.9),
      text_setting("source-tokens", "", "Source tokenization: word, char, dates (default: dates for the dates, else word)",
                   {"word", "char", "dates"}),
      text_setting("target-tokens", "", "Target tokenization: word, char, dates (default: char for the dates, else word)",
                   {"word", "char", "dates"}),
      int_setting("max-pairs", 0, "Read at most this many pairs (0: all)", 0, 1e12),
      int_setting("max-len", 40, "Drop pairs with a side longer than this (tokens)", 1, 100000),
      int_setting("min-freq", 2, "Vocabulary: minimum count", 1, 1e9),
      int_setting("max-vocab", 20000, "Vocabulary: at most this many words per side (most frequent)", 5, 1 << 24),
      real_setting("label-smoothing", 0.0, "Label smoothing", 0.0, 0.5),
      real_setting("attention-supervision", 0.0,
                   "Supervised attention (built-in dates): weight of the cross-entropy of the gold alignment "
                   "against the attention (RNN soft attention; Transformer: head mean of the last cross-attention)",
                   0.0, 100.0),
      real_setting("attention-entropy", 0.0,
                   "Entropy regulariser: weight of the mean entropy of the attention rows (> 0 sharpens, < 0 "
                   "spreads; RNN attention; Transformer: head mean of the last cross-attention)",
                   -10.0, 10.0),
      real_setting("diagonal-prior", 0.0,
                   "Diagonal log-prior -(i/I - j/J)^2 / (2 sigma^2) on the attention scores, sigma (0: off)", 0.0, 10.0),
      text_setting("test-out", "", "Write the held-out test pairs (TSV) for `eval translate`"),
  };
}

TrainerOptions translate_defaults(const Settings& s) {
  TrainerOptions o;
  o.steps = s.text("arch") == "transformer" && (dates_data(s) || s.text("data").empty()) ? 800 : 2000;
  o.batch = 64;
  o.lr = 3e-3;
  o.warmup = 100;
  o.eval_every = 250;
  return o;
}

TranslateTask::~TranslateTask() = default;

TranslateTask::TranslateTask(const Settings& s, uint64_t seed) {
  check_translate_data(s, false);
  const bool dates = s.text("data").empty();
  const std::string arch = s.text("arch");
  for (const char* name : arch == "rnn" ? std::span<const char* const>(kTransformerOnly) : std::span<const char* const>(kRnnOnly))
    if (s.given(name)) throw ConfigError(std::string("setting '") + name + "' does not apply to the " + arch + " architecture");
  if (s.given("window") && s.text("attention") != "local") throw ConfigError("setting 'window' applies to local attention only");
  label_smoothing_ = s.real("label-smoothing");

  nlohmann::json m = nlohmann::json::object();
  if (arch == "rnn") {
    m["cell"] = s.text("cell");
    m["attention"] = s.text("attention");
    for (const char* k : {"window", "embed"})
      if (s.given(k)) m[k] = s.integer(k);
  } else {
    m["positions"] = s.text("positions");
    for (const char* k : {"layers", "heads", "ff"})
      if (s.given(k)) m[k] = s.integer(k);
    if (s.integer("adaptive-span") > 0) m["adaptive_span"] = s.integer("adaptive-span"), m["span_penalty"] = s.real("span-penalty"),
                                          m["span_ramp"] = s.real("span-ramp");
    else if (s.given("span-penalty") || s.given("span-ramp")) throw ConfigError("settings 'span-penalty' and 'span-ramp' need 'adaptive-span'");
    if (dates) m["hidden"] = 64, m["dropout"] = 0.0;
  }
  if (s.given("hidden")) m["hidden"] = s.integer("hidden");
  if (s.given("dropout")) m["dropout"] = s.real("dropout");
  supervision_ = s.real("attention-supervision");
  entropy_weight_ = s.real("attention-entropy");
  // Loss terms on the attention need a differentiable distribution to act on.
  auto check_attention_losses = [&] {
    for (const auto& [name, on] : {std::pair{"attention-supervision", supervision_ > 0}, {"attention-entropy", entropy_weight_ != 0}})
      if (on && !translator_->model().supports_kept_attention())
        throw ConfigError("setting '" + std::string(name) + "' needs soft attention (additive, dot or general), not '" +
                          s.text("attention") + "'");
  };
  if (supervision_ > 0 && !dates)
    throw ConfigError("setting 'attention-supervision' needs gold alignments: only the built-in dates have them");
  // The diagonal prior's expected target length: (target tokens + <eos>) per source token of the
  // training data, so decoding (target unknown) adds the prior training added.
  auto set_prior = [&](const std::vector<std::vector<std::string>>& src, const std::vector<std::vector<std::string>>& tgt) {
    if (s.real("diagonal-prior") <= 0) return;
    double a = 0, b = 0;
    for (size_t i = 0; i < src.size(); ++i) a += tgt[i].size() + 1.0, b += std::max<size_t>(1, src[i].size());
    m["diagonal_prior"] = s.real("diagonal-prior");
    m["length_ratio"] = b > 0 ? a / b : 1.0;
  };

  models::TextCodec codec;
  codec.source_mode = s.given("source-tokens") ? s.text("source-tokens") : dates ? "dates" : "word";
  codec.target_mode = s.given("target-tokens") ? s.text("target-tokens") : dates ? "char" : "word";
  const std::string data = s.text("data");
  if (dates) {
    // Vocabularies from a large sample: every month and day name of every language appears.
    const auto sample = data::date_dataset(20000, seed + 17);
    std::vector<std::vector<std::string>> src, tgt;
    for (const auto& ex : sample) src.push_back(ex.source), tgt.push_back(ex.target);
    codec.source_vocab = data::Vocab::build(src, 1);
    codec.target_vocab = data::Vocab::build(tgt, 1);
    set_prior(src, tgt);
    held_out_ = models::held_out_dates(1000, seed);
    Rows vs, vt;
    for (size_t i = 0; i < 256 && i < held_out_.size(); ++i) {
      vs.push_back(codec.source_vocab.encode(held_out_[i].source));
      vt.push_back(codec.target_vocab.encode(held_out_[i].target));
    }
    translator_ = std::make_unique<models::Translator>(arch, m, codec, seed);
    check_attention_losses();
    source_ = std::make_unique<DateStream>(translator_->codec(), held_out_);
    valid_ = batches_of(vs, vt, 128);
    focus_src_ = held_out_[0].source;
    focus_tgt_ = held_out_[0].target;
    if (!s.text("test-out").empty())
      throw ConfigError("test-out does not apply to the built-in dates: they have no test file (evaluation generates held-out dates)");
    return;
  }
  auto pairs = models::read_pairs(data, s.integer("max-pairs"));
  // Length filter on tokens, then a seeded split.
  const int64_t max_len = s.integer("max-len");
  std::vector<data::SentencePair> kept;
  for (auto& p : pairs) {
    const auto a = models::tokenize_mode(codec.source_mode, p.source), b = models::tokenize_mode(codec.target_mode, p.target);
    if (!a.empty() && !b.empty() && static_cast<int64_t>(a.size()) <= max_len && static_cast<int64_t>(b.size()) <= max_len)
      kept.push_back(std::move(p));
  }
  if (kept.size() < 10) throw FormatError("'" + data + "': fewer than 10 usable sentence pairs after the length filter");
  auto splits = data::split_pairs(std::move(kept), 0.02, 0.05, seed);
  std::vector<std::vector<std::string>> src, tgt;
  for (const auto& p : splits.train)
    src.push_back(models::tokenize_mode(codec.source_mode, p.source)), tgt.push_back(models::tokenize_mode(codec.target_mode, p.target));
  const int min_freq = static_cast<int>(s.integer("min-freq"));
  codec.source_vocab = data::Vocab::build(src, min_freq, s.integer("max-vocab"));
  codec.target_vocab = data::Vocab::build(tgt, min_freq, s.integer("max-vocab"));
  Rows es, et;
  for (size_t i = 0; i < src.size(); ++i) es.push_back(codec.source_vocab.encode(src[i])), et.push_back(codec.target_vocab.encode(tgt[i]));
  Rows vs, vt;
  for (size_t i = 0; i < splits.valid.size() && i < 512; ++i)
    vs.push_back(codec.encode_source(splits.valid[i].source)), vt.push_back(codec.encode_target(splits.valid[i].target));
  valid_ = batches_of(vs, vt, 64);
  if (!splits.valid.empty()) {
    focus_src_ = codec.tokenize_source(splits.valid[0].source);
    focus_tgt_ = codec.tokenize_target(splits.valid[0].target);
  }
  test_ = std::move(splits.test);
  set_prior(src, tgt);
  translator_ = std::make_unique<models::Translator>(arch, m, codec, seed);
  check_attention_losses();
  source_ = std::make_unique<CorpusSampler>(std::move(es), std::move(et));
  if (const std::string out = s.text("test-out"); !out.empty()) {
    std::string tsv;
    for (const auto& p : test_) tsv += p.source + "\t" + p.target + "\n";
    write_file_atomic(out, tsv);
  }
}

nn::Module& TranslateTask::model() { return translator_->model(); }

std::string TranslateTask::model_config() const { return translator_->config_json(); }

StepLoss TranslateTask::train_loss(int64_t batch, Rng& rng, const Shard& shard) {
  Rows src, tgt;
  std::vector<Gold> gold;
  source_->draw(batch, rng, &src, &tgt, supervision_ > 0 ? &gold : nullptr);
  const int64_t b0 = shard.begin(batch), b1 = shard.end(batch);
  const Batch b = make_batch({src.begin() + b0, src.begin() + b1}, {tgt.begin() + b0, tgt.begin() + b1});
  models::Seq2SeqModel& model = translator_->model();
  StepLoss out;
  const bool on_attention = supervision_ > 0 || entropy_weight_ != 0;
  model.keep_attention(on_attention);
  out.loss = ops::cross_entropy(model.forward(b), b.tgt_out, ops::kIgnore, label_smoothing_);
  if (on_attention) {
    const Tensor att = model.kept_attention();  // [B, T, S]
    model.keep_attention(false);
    if (supervision_ > 0)
      out.loss = ops::add(out.loss, ops::scale(attention::attention_supervision_loss(att, {gold.begin() + b0, gold.begin() + b1}), supervision_));
    if (entropy_weight_ != 0) {
      std::vector<bool> real_rows(b.tgt_out.size());  // target positions that are not padding
      for (size_t i = 0; i < real_rows.size(); ++i) real_rows[i] = b.tgt_out[i] != ops::kIgnore;
      out.loss = ops::add(out.loss, ops::scale(attention_entropy_loss(att, real_rows), entropy_weight_));
    }
  }
  if (const Tensor r = model.regularizer(); r.defined()) out.loss = ops::add(out.loss, r);
  for (int64_t v : b.tgt_out) out.units += v != ops::kIgnore;
  return out;
}

double TranslateTask::valid_loss() {
  double sum = 0;
  for (const auto& b : valid_) sum += ops::cross_entropy(translator_->model().forward(b), b.tgt_out, ops::kIgnore).item();
  return valid_.empty() ? 0 : sum / valid_.size();
}

EvalReport TranslateTask::evaluate() {
  EvalReport r;
  if (const std::string sp = spans_line(translator_->model()); !sp.empty()) r.lines.push_back(sp);
  if (!held_out_.empty()) {
    const auto ev = models::evaluate_dates(*translator_, held_out_, {});
    r.lines.push_back(dates_line(ev));
    r.metrics = {{"exact", ev.exact}, {"alignment", ev.alignment}};
  } else if (!test_.empty()) {
    const auto ev = models::evaluate_pairs(*translator_, test_, {});
    char line[160];
    std::snprintf(line, sizeof line, "test: BLEU=%.2f chrF=%.2f exact=%.1f%% sentences=%lld", ev.bleu, ev.chrf,
                  100 * ev.exact, static_cast<long long>(ev.n));
    r.lines.push_back(line);
    r.metrics = {{"bleu", ev.bleu}, {"chrf", ev.chrf}, {"exact", ev.exact}};
  }
  return r;
}

io::Trace TranslateTask::trace_focus() {
  if (focus_src_.empty()) return {};
  return translator_->trace_pair(focus_src_, focus_tgt_);
}

std::map<std::string, double> TranslateTask::focus_measures() {
  std::map<std::string, double> m;
  // Learned spans (adaptive attention): a panel per decoder layer, a line per head.
  const auto spans = decoder_spans(translator_->model());
  for (size_t l = 0; l < spans.size(); ++l)
    for (size_t h = 0; h < spans[l].size(); ++h) m["span/decoder." + std::to_string(l) + ".self/h" + std::to_string(h)] = spans[l][h];
  if (held_out_.empty()) return m;
  const std::vector<data::DateExample> sample(held_out_.begin(), held_out_.begin() + std::min(kFocusDates, held_out_.size()));
  const auto ev = models::evaluate_dates(*translator_, sample, {});
  m["exact"] = ev.exact;
  m["alignment"] = ev.alignment;
  // The head mean of the last cross-attention layer: the attention supervision and alignment use.
  for (const auto& a : ev.aer)
    if (a.head < 0) m["aer"] = a.aer;
  return m;
}

std::vector<SettingSpec> translate_eval_settings() {
  return {
      text_setting("data", "", "TSV source<TAB>target, or SRC_FILE,TGT_FILE"),
      text_setting("builtin", "", "Built-in data: dates (held-out dates generated from the seed)", {"dates"}),
      int_setting("held-out", 1000, "Held-out dates to generate", 1, 1000000),
      int_setting("max-pairs", 0, "Evaluate at most this many pairs (0: all)", 0, 1e12),
      int_setting("beam", 1, "Beam size (1 = greedy)", 1, 64),
      text_setting("perturb", "",
                   "Robustness: also evaluate perturbed sources (distractors, filler, typos, dropout; NAME:LEVEL) and how "
                   "much cross-attention moves onto the perturbation (focus_shift)"),
      int_setting("faithfulness", 0,
                  "Also explain N sentences: Spearman of cross-attention, rollout and flow against leave-one-out "
                  "and input gradients, per layer (0: off)",
                  0, 1000000),
  };
}

namespace {

void add_robustness(EvalReport& r, const models::TranslationRobustness& rb, const data::Perturbation& p) {
  r.lines.push_back(models::translation_robustness_line(rb, p));
  r.metrics["perturbed_exact"] = rb.exact;
  if (rb.focus_shift >= 0) r.metrics["focus_shift"] = rb.focus_shift;
}

// The faithfulness table of the first n texts (models/translate/explain.h), as report lines.
void add_faithfulness_lines(models::Translator& t, const std::vector<std::string>& texts, int64_t n, EvalReport& r) {
  if (n <= 0) return;
  focus::FaithfulnessMean vs_loo, vs_grad;
  Progress bar("explain", std::min<int64_t>(n, static_cast<int64_t>(texts.size())));
  for (int64_t i = 0; i < n && i < static_cast<int64_t>(texts.size()); ++i) {
    models::add_faithfulness(models::explain_translation(t, texts[i]), vs_loo, vs_grad);
    bar.tick();
  }
  bar.finish();
  auto table = [&](const focus::FaithfulnessMean& m, const char* ref) {
    char line[256];
    std::snprintf(line, sizeof line, "faithfulness vs %s (Spearman over source tokens, mean over %lld target tokens):", ref,
                  static_cast<long long>(m.sentences()));
    r.lines.push_back(line);
    for (auto& l : m.lines()) r.lines.push_back(std::move(l));
  };
  table(vs_loo, "leave-one-out");
  table(vs_grad, "input gradient");
  for (const auto& row : vs_loo.mean()) {
    r.metrics["faithfulness_" + row.layer + "_raw"] = row.get("raw");
    r.metrics["faithfulness_" + row.layer + "_flow"] = row.get("flow");
  }
}

}  // namespace

EvalReport evaluate_translate(const std::string& checkpoint, const Settings& s, uint64_t seed) {
  check_translate_data(s, true);
  std::optional<data::Perturbation> perturbation;  // parsed before any work
  if (!s.text("perturb").empty()) perturbation = data::parse_perturbation(s.text("perturb"));
  models::Translator t = models::Translator::load(checkpoint);
  models::DecodeOptions d;
  d.beam = static_cast<int>(s.integer("beam"));
  EvalReport r;
  if (dates_data(s)) {
    if (t.codec().source_mode != "dates")
      throw ConfigError("'" + checkpoint + "' was not trained on the built-in dates (its source tokens are '" +
                        t.codec().source_mode + "'); evaluate it on a data file");
    const auto ev = models::evaluate_dates(t, models::held_out_dates(s.integer("held-out"), seed), d);
    r.lines.push_back(dates_line(ev));
    if (const std::string a = aer_line(ev); !a.empty()) r.lines.push_back(a);
    r.metrics = {{"exact", ev.exact}, {"alignment", ev.alignment}};
    if (const models::HeadAer* b = ev.best_aer()) r.metrics["aer_best"] = b->aer;
    if (perturbation) {
      std::vector<std::vector<std::string>> sources;
      std::vector<std::string> targets;
      for (const auto& ex : models::held_out_dates(s.integer("held-out"), seed)) {
        sources.push_back(ex.source);
        targets.push_back(t.codec().detokenize_target(ex.target));
      }
      add_robustness(r, models::evaluate_translation_robustness(t, sources, targets, *perturbation, seed,
                                                                models::date_neutral_words(t)), *perturbation);
    }
    std::vector<std::string> texts;
    for (const auto& d : models::held_out_dates(s.integer("faithfulness"), seed + 1)) texts.push_back(d.text);
    add_faithfulness_lines(t, texts, s.integer("faithfulness"), r);
    return r;
  }
  const std::vector<data::SentencePair> pairs = models::read_pairs(s.text("data"), s.integer("max-pairs"));
  const auto ev = models::evaluate_pairs(t, pairs, d);
  char line[160];
  std::snprintf(line, sizeof line, "BLEU=%.2f chrF=%.2f exact=%.1f%% sentences=%lld", ev.bleu, ev.chrf, 100 * ev.exact,
                static_cast<long long>(ev.n));
  r.lines.push_back(line);
  r.metrics = {{"bleu", ev.bleu}, {"chrf", ev.chrf}, {"exact", ev.exact}};
  if (perturbation) {
    std::vector<std::vector<std::string>> sources;
    std::vector<std::string> targets;
    for (const auto& p : pairs) {
      sources.push_back(t.codec().tokenize_source(p.source));
      targets.push_back(t.codec().detokenize_target(t.codec().tokenize_target(p.target)));
    }
    add_robustness(r, models::evaluate_translation_robustness(t, sources, targets, *perturbation, seed), *perturbation);
  }
  std::vector<std::string> texts;
  for (const auto& p : pairs) texts.push_back(p.source);
  add_faithfulness_lines(t, texts, s.integer("faithfulness"), r);
  return r;
}

}  // namespace attnscope::train
