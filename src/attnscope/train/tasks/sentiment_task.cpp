#include "attnscope/train/tasks/sentiment_task.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <optional>

#include "attnscope/attention/normalizer.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/models/sentiment/evaluate.h"
#include "attnscope/models/sentiment/faithfulness.h"
#include "attnscope/models/sentiment/robustness.h"

namespace attnscope::train {
namespace {

bool builtin_data(const Settings& s) { return s.text("data").empty(); }

void check_sentiment_data(const Settings& s, bool required) {
  const bool file = !s.text("data").empty(), builtin = !s.text("builtin").empty();
  if (file && builtin) throw ConfigError("give either a data file or the built-in reviews, not both");
  if (required && !file && !builtin) throw ConfigError("no data: give a labelled data file or the built-in reviews");
}

data::SentimentSplits read_splits(const Settings& s, uint64_t seed) {
  if (builtin_data(s)) return data::builtin_reviews();
  return data::read_sentiment_data(s.text("data"), static_cast<int>(s.integer("classes")),
                                   data::parse_text_format(s.text("format")), seed);
}

std::vector<std::vector<std::string>> words_of(const data::LabeledSet& set) {
  std::vector<std::vector<std::string>> out;
  for (const auto& ex : set.examples) out.push_back(ex.words);
  return out;
}

}  // namespace

attention::GoldRow rationale_gold(const data::LabeledText& ex) {
  // The sentiment word decides, the negator flips it: the word gets the larger share, so a model
  // that follows the gold ranks them as rationale accuracy asks (word first, negator second).
  attention::GoldRow row;
  for (int64_t j : ex.rationale) row.emplace_back(j, 2.0);
  if (ex.negator >= 0 && !row.empty()) row.emplace_back(ex.negator, 1.0);
  return row;
}

std::pair<std::string, int64_t> parse_normalizer(const std::string& text) {
  if (attention::normalizer_from_name(text)) return {text, 0};
  if (text.rfind("topk:", 0) == 0) {
    const std::string k = text.substr(5);
    if (!k.empty() && k.size() <= 4 && std::all_of(k.begin(), k.end(), [](unsigned char c) { return std::isdigit(c); })) {
      const int64_t v = std::stoll(k);
      if (v >= 1 && v <= 1024) return {"topk", v};
    }
  }
  throw ConfigError("normalizer '" + text + "' is not softmax, sparsemax, entmax15 or topk:K (K in 1..1024)");
}

namespace {

// Where the sentences come from: the same four settings for train and eval.
std::vector<SettingSpec> data_settings(const char* data_help, const char* builtin_help) {
  return {
      text_setting("data", "", data_help),
      text_setting("builtin", "", builtin_help, {"reviews"}),
      text_setting("format", "auto", "Data format: auto, sst, tsv, csv", {"auto", "sst", "tsv", "csv"}),
      int_setting("classes", 2, "SST directory: 2 (SST-2) or 5 (SST-5)", 2, 5),
  };
}

}  // namespace

std::vector<SettingSpec> sentiment_settings() {
  std::vector<SettingSpec> specs = data_settings(
      "Labelled sentences: an SST directory (stsa.binary.*), a dir with train/dev/test files, or one TSV/CSV/SST file",
      "Built-in data: reviews (generated, with gold rationales; the default when no data file is given)");
  const std::vector<SettingSpec> model = {
      text_setting("arch", "birnn", "Architecture: birnn (bidirectional RNN) or transformer (self-attention encoder)",
                   {"birnn", "transformer"}),
      text_setting("cell", "gru", "BiRNN cell: gru or lstm", {"gru", "lstm"}),
      text_setting("pooling", "attention",
                   "Pooling over words: attention, mean, max, last (BiRNN), cls (Transformer); mean/max/last: no-attention baselines",
                   {"attention", "mean", "max", "last", "cls"}),
      int_setting("layers", 2, "Transformer layers", 1, 24),
      int_setting("heads", 4, "Transformer heads", 1, 256),
      int_setting("ff", 0, "Transformer feed-forward width (0: 4 x hidden)", 0, 1 << 20),
      text_setting("normalizer", "softmax", "Attention pooling weights: softmax, sparsemax, entmax15 or topk:K (hard)"),
      text_setting("attention-keys", "states",
                   "Attention pooling scores: states (the encoder states) or words (a window of word embeddings; "
                   "the pooled values stay the states)",
                   {"states", "words"}),
      int_setting("key-window", 1, "Word keys: words either side of each word in its key", 0, 16),
      int_setting("queries", 1, "Attention pooling: learned queries (each may attend other words)", 1, 64),
      int_setting("embed", 128, "Embedding width", 1, 65536),
      int_setting("hidden", 128, "RNN width per direction", 1, 65536),
      int_setting("attn-dim", 0, "Attention score width (0: 2 x hidden)", 0, 65536),
      real_setting("dropout", 0.5, "Dropout on embeddings and before the classifier", 0.0, 0.9),
      real_setting("word-dropout", 0.1, "Probability of replacing a training word by <unk>", 0.0, 0.9),
      real_setting("rationale-supervision", 0.0,
                   "Attentional bias (built-in reviews): weight of a loss pulling the pooling attention toward the gold "
                   "rationale (the sentiment word 2/3, the negator 1/3)",
                   0.0, 1e6),
      int_setting("min-freq", 1, "Vocabulary: minimum count in the training split", 1, 1e9),
      int_setting("max-vocab", 30000, "Vocabulary: at most this many words (most frequent)", 5, 1 << 24),
  };
  specs.insert(specs.end(), model.begin(), model.end());
  return specs;
}

TrainerOptions sentiment_defaults(const Settings& s) {
  TrainerOptions o;
  o.steps = builtin_data(s) ? 600 : 2000;
  o.batch = 32;
  o.lr = 2e-3;
  o.warmup = 50;
  o.eval_every = 100;
  o.weight_decay = 1e-4;
  o.keep_best = true;
  return o;
}

SentimentTask::SentimentTask(const Settings& s, uint64_t seed) {
  check_sentiment_data(s, false);
  supervision_ = s.real("rationale-supervision");
  if (supervision_ > 0 && !builtin_data(s))
    throw ConfigError("setting 'rationale-supervision' needs gold rationales: only the built-in reviews have them");
  if (supervision_ > 0 && s.text("pooling") != "attention")
    throw ConfigError("setting 'rationale-supervision' needs attention pooling (pooling is '" + s.text("pooling") + "')");
  if (!builtin_data(s) && s.given("classes") && !std::filesystem::is_directory(s.text("data")))
    throw ConfigError("the number of classes is read from the labels of a data file; 'classes' only picks SST-2 or SST-5 in an SST directory");
  data_ = read_splits(s, seed);
  if (data_.dev.examples.empty()) throw ConfigError("the data has no validation sentences");
  models::ClassifierConfig cfg;
  cfg.arch = s.text("arch");
  const bool transformer = cfg.arch == "transformer";
  for (const char* name : transformer ? std::vector<const char*>{"cell", "embed"} : std::vector<const char*>{"layers", "heads", "ff"})
    if (s.given(name)) throw ConfigError(std::string("setting '") + name + "' does not apply to the " + cfg.arch + " architecture");
  cfg.layers = s.integer("layers");
  cfg.heads = s.integer("heads");
  cfg.ff = s.integer("ff");
  cfg.cell = s.text("cell");
  cfg.pooling = s.text("pooling");
  std::tie(cfg.normalizer, cfg.topk) = parse_normalizer(s.text("normalizer"));
  if (cfg.pooling != "attention" && s.given("normalizer"))
    throw ConfigError("setting 'normalizer' applies to attention pooling only (pooling is '" + cfg.pooling + "')");
  for (const char* name : {"attention-keys", "key-window"})
    if (cfg.pooling != "attention" && s.given(name))
      throw ConfigError(std::string("setting '") + name + "' applies to attention pooling only (pooling is '" + cfg.pooling + "')");
  cfg.attention_keys = s.text("attention-keys");
  cfg.key_window = s.integer("key-window");

  if (cfg.attention_keys != "words" && s.given("key-window"))
    throw ConfigError("setting 'key-window' applies to word keys only");
  cfg.queries = s.integer("queries");
  cfg.embed = s.integer("embed");
  cfg.hidden = s.integer("hidden");
  cfg.attn_dim = s.integer("attn-dim");
  cfg.dropout = s.real("dropout");
  cfg.word_dropout = s.real("word-dropout");
  cfg.labels = data_.train.labels;
  data::Vocab vocab = data::Vocab::build(words_of(data_.train), static_cast<int>(s.integer("min-freq")), s.integer("max-vocab"));
  Rng rng(seed);
  model_ = std::make_unique<models::SentimentClassifier>(cfg, std::move(vocab), rng);
  for (const auto& ex : data_.train.examples) train_ids_.push_back(model_->encode(ex.words));
  for (const auto& ex : data_.dev.examples) dev_ids_.push_back(model_->encode(ex.words));
  // The focus series' sample: the first dev reviews (built-in: they have gold rationales).
  if (builtin_data(s)) {
    focus_sample_.labels = data_.dev.labels;
    focus_sample_.examples.assign(data_.dev.examples.begin(),
                                  data_.dev.examples.begin() + std::min<size_t>(kFocusReviews, data_.dev.examples.size()));
  }
  // The focus example: a negated built-in review, else the first dev sentence.
  focus_words_ = data_.dev.examples.front().words;
  for (const auto& ex : data_.dev.examples)
    if (ex.negator >= 0) {
      focus_words_ = ex.words;
      break;
    }
}

StepLoss SentimentTask::train_loss(int64_t batch, Rng& rng, const Shard& shard) {
  std::vector<size_t> pick(batch);
  for (auto& k : pick) k = rng.below(train_ids_.size());
  std::vector<std::vector<int64_t>> rows;
  std::vector<int64_t> labels;
  std::vector<std::vector<attention::GoldRow>> gold;  // [B][1 pooling row]
  for (int64_t i = shard.begin(batch); i < shard.end(batch); ++i) {
    const data::LabeledText& ex = data_.train.examples[pick[i]];
    rows.push_back(train_ids_[pick[i]]);
    labels.push_back(ex.label);
    gold.push_back({rationale_gold(ex)});
  }
  const models::ClassifierBatch b = models::make_classifier_batch(rows, model_->min_columns());
  const auto out = model_->forward(b);
  Tensor loss = ops::cross_entropy(out.logits, labels);
  if (supervision_ > 0)
    loss = ops::add(loss, ops::scale(attention::supervision_loss(ops::reshape(out.weights, Shape{b.B, 1, b.T}), gold), supervision_));
  return {loss, static_cast<double>(rows.size())};
}

double SentimentTask::valid_loss() {
  double total = 0;
  const size_t n = dev_ids_.size(), step = 256;
  for (size_t i = 0; i < n; i += step) {
    const size_t end = std::min(n, i + step);
    std::vector<std::vector<int64_t>> rows(dev_ids_.begin() + i, dev_ids_.begin() + end);
    std::vector<int64_t> labels;
    for (size_t j = i; j < end; ++j) labels.push_back(data_.dev.examples[j].label);
    const auto out = model_->forward(models::make_classifier_batch(rows, model_->min_columns()));
    total += ops::cross_entropy(out.logits, labels).item() * static_cast<double>(end - i);
  }
  return total / static_cast<double>(n);
}

EvalReport SentimentTask::evaluate() {
  EvalReport r;
  const auto dev = models::evaluate_sentiment(*model_, data_.dev);
  const auto test = models::evaluate_sentiment(*model_, data_.test.examples.empty() ? data_.dev : data_.test);
  r.lines = models::sentiment_report(test, model_->config().labels);
  char buf[64];
  std::snprintf(buf, sizeof buf, "dev: accuracy=%.1f%% n=%lld", 100 * dev.accuracy, static_cast<long long>(dev.n));
  r.lines.insert(r.lines.begin() + 1, buf);
  r.metrics = {{"accuracy", test.accuracy}, {"macro_f1", test.macro_f1}, {"dev_accuracy", dev.accuracy}};
  if (test.rationale >= 0) r.metrics["rationale"] = test.rationale;
  return r;
}

std::map<std::string, double> SentimentTask::focus_measures() {
  if (focus_sample_.examples.empty() || model_->config().pooling != "attention") return {};
  const auto ev = models::evaluate_sentiment(*model_, focus_sample_);
  std::map<std::string, double> m = {{"accuracy", ev.accuracy}};
  if (ev.rationale >= 0) m["rationale"] = ev.rationale;
  return m;
}

io::Trace SentimentTask::trace_focus() {
  io::Trace t = model_->trace(focus_words_);
  // Snapshots share the first one's sequences: name the pooling queries, not a prediction that
  // changes during training.
  for (auto& s : t.sequences)
    if (s.name == "class")
      for (size_t q = 0; q < s.tokens.size(); ++q) s.tokens[q] = s.tokens.size() == 1 ? "pool" : "pool #" + std::to_string(q + 1);
  return t;
}

std::vector<SettingSpec> sentiment_eval_settings() {
  std::vector<SettingSpec> specs = data_settings("Labelled sentences (a file, or a directory whose test split is used)",
                                                 "Built-in data: reviews (its test split)");
  specs.push_back(flag_setting("faithfulness", "Also measure whether attention explains the prediction (Kendall tau, erasure)"));
  specs.push_back(int_setting("erase", 5, "Faithfulness: erasure curve up to k words", 1, 50));
  specs.push_back(text_setting("perturb", "",
                               "Robustness: also evaluate perturbed sentences (distractors, filler, typos, dropout; NAME:LEVEL) "
                               "and how much attention moves onto the perturbation (focus_shift)"));
  return specs;
}

EvalReport evaluate_sentiment_checkpoint(const std::string& checkpoint, const Settings& s, uint64_t seed) {
  check_sentiment_data(s, true);
  std::optional<data::Perturbation> perturbation;  // parsed before any work
  if (!s.text("perturb").empty()) perturbation = data::parse_perturbation(s.text("perturb"));
  auto model = models::SentimentClassifier::load(checkpoint);
  data::LabeledSet set;
  if (builtin_data(s)) {
    set = data::builtin_reviews().test;
  } else if (std::filesystem::is_directory(s.text("data"))) {
    set = read_splits(s, seed).test;
  } else {
    set = data::read_labeled_text(s.text("data"), data::parse_text_format(s.text("format")));
  }
  const auto ev = models::evaluate_sentiment(*model, set);
  EvalReport r;
  r.lines = models::sentiment_report(ev, model->config().labels);
  r.metrics = {{"accuracy", ev.accuracy}, {"macro_f1", ev.macro_f1}};
  if (ev.rationale >= 0) r.metrics["rationale"] = ev.rationale;
  if (perturbation) {
    const models::RobustnessEval rb = models::evaluate_robustness(*model, set, *perturbation, seed);
    r.lines.push_back(models::robustness_line(rb, *perturbation));
    r.metrics["perturbed_accuracy"] = rb.accuracy;
    if (rb.focus_shift >= 0) r.metrics["focus_shift"] = rb.focus_shift;
  }
  if (s.flag("faithfulness")) {
    const auto f = models::measure_faithfulness(*model, set, static_cast<int>(s.integer("erase")), seed);
    for (auto& line : models::faithfulness_report(f)) r.lines.push_back(line);
    r.metrics["tau_loo"] = f.tau_loo;
    r.metrics["tau_gradxinput"] = f.tau_grad;
  }
  return r;
}

}  // namespace attnscope::train
