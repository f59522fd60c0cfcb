// The translation task: built-in dates (an endless stream of fresh dates, 1,000 held out) or
// parallel text (a TSV or two line-aligned files: length filter, seeded train/valid/test split,
// vocabularies from the training part). Model: the RNN encoder-decoder with attention or the
// Transformer (models/translate/). Loss: token cross-entropy (optional label smoothing).
// Metrics: exact match and alignment accuracy on dates; BLEU, chrF and exact match on test pairs.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "attnscope/models/translate/evaluate.h"
#include "attnscope/models/translate/translator.h"
#include "attnscope/train/settings.h"
#include "attnscope/train/task.h"
#include "attnscope/train/trainer.h"

namespace attnscope::train {

// The settings `train translate` takes (each is a flag of the CLI).
std::vector<SettingSpec> translate_settings();
// The Trainer's defaults for these settings: 2,000 steps, batch 64, lr 3e-3, warm-up 100,
// except the Transformer on dates: 800 steps (and hidden 64, dropout 0 unless set: the stream
// of fresh dates never repeats, so dropout only slows learning; docs/TRANSLATION.md).
TrainerOptions translate_defaults(const Settings& s);

inline constexpr size_t kFocusDates = 300;

class TranslateTask : public Task {
 public:
  // Reads the data and builds the model (seeded). ConfigError for contradictory settings
  // (a setting of the other architecture, data and built-in together), IoError/FormatError for
  // unreadable data.
  TranslateTask(const Settings& s, uint64_t seed);
  ~TranslateTask() override;

  nn::Module& model() override;
  std::string model_type() const override { return translator_->model_type(); }
  std::string model_config() const override;
  StepLoss train_loss(int64_t batch, Rng& rng, const Shard& shard) override;
  double valid_loss() override;
  EvalReport evaluate() override;
  io::Trace trace_focus() override;
  // Dates: exact, alignment and aer (argmax links of the last cross-attention's head mean) on
  // the first kFocusDates held-out dates.
  std::map<std::string, double> focus_measures() override;
  std::string unit_name() const override { return "target tokens"; }

  models::Translator& translator() { return *translator_; }
  const std::vector<data::DateExample>& held_out() const { return held_out_; }
  const std::vector<data::SentencePair>& test_pairs() const { return test_; }

  class Source;  // where training pairs come from (dates stream or corpus sampler)

 private:
  std::unique_ptr<models::Translator> translator_;
  std::unique_ptr<Source> source_;
  std::vector<models::Batch> valid_;
  std::vector<std::string> focus_src_, focus_tgt_;
  std::vector<data::DateExample> held_out_;  // built-in dates
  std::vector<data::SentencePair> test_;     // file data
  double label_smoothing_ = 0;
  double supervision_ = 0;  // attention-supervision weight (dates)
  double entropy_weight_ = 0;  // attention-entropy weight
};

// `eval translate`: settings (data, builtin, n, max-pairs, beam) and the evaluation of a
// checkpoint. ConfigError unless exactly one of data / builtin is given, or when the built-in
// dates are asked of a model that was not trained on them.
std::vector<SettingSpec> translate_eval_settings();
EvalReport evaluate_translate(const std::string& checkpoint, const Settings& s, uint64_t seed);

}  // namespace attnscope::train
