// The sentiment task: sentence -> label with a BiRNN classifier (models/sentiment/classifier.h)
// on SST (a directory in its layout), a labelled TSV/CSV file (split 80/10/10), or the built-in
// reviews (known rationales). Loss: cross-entropy per sentence. Metrics on the test split:
// accuracy, macro-F1, confusion, rationale accuracy (built-in), dev accuracy.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "attnscope/attention/supervision.h"
#include "attnscope/data/sentiment.h"
#include "attnscope/models/sentiment/classifier.h"
#include "attnscope/train/settings.h"
#include "attnscope/train/task.h"
#include "attnscope/train/trainer.h"

namespace attnscope::train {

std::vector<SettingSpec> sentiment_settings();
// Built-in reviews: 600 steps; files: 2,000 steps (about 9 epochs of SST-2); batch 32, lr 2e-3,
// validation every 100 steps, the best validation checkpoint kept, weight decay 1e-4.
TrainerOptions sentiment_defaults(const Settings& s);

class SentimentTask : public Task {
 public:
  // Reads the data, builds the vocabulary from the training split and the model (seeded).
  SentimentTask(const Settings& s, uint64_t seed);

  nn::Module& model() override { return *model_; }
  std::string model_type() const override { return model_->model_type(); }
  std::string model_config() const override { return model_->config_json(); }
  StepLoss train_loss(int64_t batch, Rng& rng, const Shard& shard) override;
  double valid_loss() override;
  EvalReport evaluate() override;
  io::Trace trace_focus() override;
  // Built-in reviews: rationale accuracy and accuracy on the first kFocusReviews dev reviews.
  std::map<std::string, double> focus_measures() override;
  static constexpr size_t kFocusReviews = 200;
  std::string unit_name() const override { return "sentences"; }

  models::SentimentClassifier& classifier() { return *model_; }
  const data::SentimentSplits& data() const { return data_; }

 private:
  data::SentimentSplits data_;
  std::vector<std::vector<int64_t>> train_ids_, dev_ids_;
  std::unique_ptr<models::SentimentClassifier> model_;
  std::vector<std::string> focus_words_;
  data::LabeledSet focus_sample_;
  double supervision_ = 0;  // rationale-supervision weight (built-in reviews)
};

// The gold attention row of a built-in review for rationale supervision: the sentiment word(s)
// weight 2, the negator 1 (normalised by the loss); empty without a rationale.
attention::GoldRow rationale_gold(const data::LabeledText& ex);

// `eval sentiment`: data (a labelled file, or a directory whose test split is used) or the
// built-in reviews' test split.
std::vector<SettingSpec> sentiment_eval_settings();
EvalReport evaluate_sentiment_checkpoint(const std::string& checkpoint, const Settings& s, uint64_t seed);

// "topk:K" -> ("topk", K); other normalizer names pass through with k = 0. ConfigError otherwise.
std::pair<std::string, int64_t> parse_normalizer(const std::string& text);

}  // namespace attnscope::train
