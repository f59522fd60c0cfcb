// The sentiment task on the Trainer: it learns the built-in reviews, attention points at the
// sentiment words, a checkpoint predicts what the trained model predicted, every pooling and
// normalizer trains, and bad settings are refused.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "attnscope/core/error.h"
#include "attnscope/models/sentiment/evaluate.h"
#include "attnscope/models/sentiment/faithfulness.h"
#include "attnscope/train/tasks/sentiment_task.h"
#include "attnscope/train/trainer.h"
#include "slow_tests.h"

namespace attnscope::train {
namespace {

namespace fs = std::filesystem;

Settings review_settings(const std::map<std::string, std::string>& kv) {
  Settings s(sentiment_settings());
  for (const auto& [k, v] : kv) s.set(k, v);
  return s;
}

TrainerOptions quick_reviews(const Settings& s, int64_t steps) {
  TrainerOptions o = sentiment_defaults(s);
  o.steps = steps;
  o.quiet = true;
  return o;
}

// The built-in bar: accuracy >= 97% on the 1,000 test reviews after the default run.
// The attention lands on the sentiment word of every plain review (negated ones: docs/RESULTS.md).
TEST(SentimentTask, LearnsTheBuiltinReviewsAndAttendsTheSentimentWord) {
  const Settings s = review_settings({{"hidden", "64"}, {"embed", "64"}});
  SentimentTask task(s, 1);
  const TrainResult r = run_training(task, quick_reviews(s, slow_tests() ? 500 : 250));
  // Single steps are noisy (batch 32) and the first ~100 sit at chance: compare the means of the
  // first and last 20 steps after enough steps to leave the plateau.
  ASSERT_GE(r.losses.size(), 40u);
  auto mean = [&](size_t from) {
    double m = 0;
    for (size_t i = from; i < from + 20; ++i) m += r.losses[i];
    return m / 20;
  };
  EXPECT_LT(mean(r.losses.size() - 20), 0.8 * mean(0));
  if (!slow_tests()) return;
  const auto ev = models::evaluate_sentiment(task.classifier(), task.data().test);
  EXPECT_GE(ev.accuracy, 0.97);
  // Rationale on the reviews without negation.
  data::LabeledSet plain;
  plain.labels = task.data().test.labels;
  for (const auto& ex : task.data().test.examples)
    if (ex.negator < 0) plain.examples.push_back(ex);
  EXPECT_GE(models::evaluate_sentiment(task.classifier(), plain).rationale, 0.9);
}

TEST(SentimentTask, CheckpointPredictsWhatTheModelPredicted) {
  const fs::path dir = fs::temp_directory_path() / "attnscope_sentiment_ckpt";
  fs::create_directories(dir);
  const std::string path = (dir / "m.safetensors").string();
  const Settings s = review_settings({{"hidden", "16"}, {"embed", "16"}, {"normalizer", "sparsemax"}});
  SentimentTask task(s, 3);
  TrainerOptions o = quick_reviews(s, 30);
  o.output = path;
  o.eval_every = 10;
  run_training(task, o);
  auto loaded = models::SentimentClassifier::load(path);
  const std::vector<std::vector<std::string>> words = {{"the", "plot", "was", "not", "good", "."}, {"superb", "!"}};
  const auto a = task.classifier().predict(words), b = loaded->predict(words);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].label, b[i].label);
    for (size_t k = 0; k < a[i].probs.size(); ++k) EXPECT_NEAR(a[i].probs[k], b[i].probs[k], 1e-6);
    ASSERT_EQ(a[i].weights.size(), words[i].size());
    double sum = 0;
    for (double w : b[i].weights) sum += w;
    EXPECT_NEAR(sum, 1.0, 1e-5);
  }
  // The trace: one pooling row over the words, the predicted label as its query.
  const io::Trace t = loaded->trace(words[0]);
  ASSERT_EQ(t.layers.size(), 1u);
  EXPECT_EQ(t.layers[0].keys, 6);
  EXPECT_EQ(t.layers[0].queries, 1);
  EXPECT_EQ(t.meta.at("task"), "sentiment");
  EXPECT_THROW(models::SentimentClassifier::load((dir / "none.safetensors").string()), Error);
}

TEST(SentimentTask, EveryPoolingAndNormalizerTrains) {
  for (const auto& kv : std::vector<std::map<std::string, std::string>>{
           {{"pooling", "mean"}}, {{"pooling", "max"}}, {{"pooling", "last"}, {"cell", "lstm"}},
           {{"normalizer", "entmax15"}}, {{"normalizer", "topk:3"}}, {{"queries", "2"}},
           {{"arch", "transformer"}, {"pooling", "cls"}}, {{"arch", "transformer"}, {"normalizer", "topk:3"}, {"layers", "1"}}}) {
    auto all = kv;
    all["hidden"] = "16";
    if (!all.count("arch")) all["embed"] = "16";
    const Settings s = review_settings(all);
    SentimentTask task(s, 2);
    const TrainResult r = run_training(task, quick_reviews(s, 40));
    EXPECT_TRUE(std::isfinite(r.losses.back())) << kv.begin()->second;
    // A short sentence under top-3 pooling still classifies (padded to k columns).
    const auto p = task.classifier().predict({{"good"}});
    EXPECT_EQ(p[0].probs.size(), 2u);
    if (all.count("pooling") == 0) {
      EXPECT_EQ(p[0].weights.size(), 1u);
    }
    // Every attention site is in the trace: the Transformer's layers (all heads) and the pooling.
    const io::Trace t = task.classifier().trace({"not", "good", "."});
    size_t expect_layers = all.count("arch") ? std::stoul(all.count("layers") ? all["layers"] : "2") : 0;
    if (all.count("pooling") == 0) ++expect_layers;
    EXPECT_EQ(t.layers.size(), expect_layers);
    for (const auto& l : t.layers)
      if (l.name.rfind("encoder.", 0) == 0) {
        EXPECT_EQ(l.heads, 4);
      }
  }
}

TEST(SentimentTask, FaithfulnessMeasuresAreInRange) {
  const Settings s = review_settings({{"hidden", "16"}, {"embed", "16"}});
  SentimentTask task(s, 5);
  run_training(task, quick_reviews(s, 40));
  const auto f = models::measure_faithfulness(task.classifier(), task.data().test, 3, 1, 100);
  EXPECT_GT(f.sentences, 80);
  EXPECT_GE(f.tau_loo, -1);
  EXPECT_LE(f.tau_loo, 1);
  EXPECT_GE(f.tau_grad, -1);
  EXPECT_LE(f.tau_grad, 1);
  ASSERT_EQ(f.erase_attention.size(), 4u);
  // k = 0 removes nothing: both curves start at the model's accuracy on those sentences.
  data::LabeledSet first;
  first.labels = task.data().test.labels;
  first.examples.assign(task.data().test.examples.begin(), task.data().test.examples.begin() + 100);
  EXPECT_DOUBLE_EQ(f.erase_attention[0], models::evaluate_sentiment(task.classifier(), first).accuracy);
  EXPECT_DOUBLE_EQ(f.erase_random[0], f.erase_attention[0]);
  // A model without attention has nothing to measure.
  const Settings mean = review_settings({{"hidden", "8"}, {"embed", "8"}, {"pooling", "mean"}});
  SentimentTask no_attention(mean, 5);
  EXPECT_THROW(models::measure_faithfulness(no_attention.classifier(), first, 3, 1), ConfigError);
}

// Rationale supervision (issue 14): a short supervised run puts the attention on the gold words of
// the held-out reviews, negated ones included (word first, negator second), which the same run
// without it does not; the focus series measures it on the dev sample.
TEST(SentimentTask, RationaleSupervisionPutsTheAttentionOnTheGoldWords) {
  auto run = [&](const char* lambda) {
    const Settings s = review_settings({{"hidden", "32"}, {"embed", "32"}, {"rationale-supervision", lambda}});
    auto task = std::make_unique<SentimentTask>(s, 1);
    run_training(*task, quick_reviews(s, slow_tests() ? 300 : 150));
    return task;
  };
  const auto supervised = run("1");
  const auto ev = models::evaluate_sentiment(supervised->classifier(), supervised->data().test);
  // 300 steps reach 90%; the 150-step run of the sanitizer build (ATTNSCOPE_SLOW_TESTS=0) 89% on
  // negated reviews, still far from the < 50% without supervision.
  const double floor = slow_tests() ? 0.9 : 0.8;
  EXPECT_GE(ev.rationale_negated, floor);
  EXPECT_GE(ev.rationale, floor);
  const auto m = supervised->focus_measures();
  ASSERT_TRUE(m.count("rationale"));
  EXPECT_GE(m.at("rationale"), floor);
  const auto plain = run("0");
  EXPECT_LT(models::evaluate_sentiment(plain->classifier(), plain->data().test).rationale_negated, 0.5);
  // The gold row: the sentiment word twice the negator's weight.
  data::LabeledText ex;
  ex.rationale = {4};
  ex.negator = 3;
  EXPECT_EQ(rationale_gold(ex), (attention::GoldRow{{4, 2.0}, {3, 1.0}}));
}

// Word keys score a window of embeddings: a sentence's weights do not depend on the batch it is
// in (padding reads as zeros past its end), and a checkpoint keeps the setting.
TEST(SentimentTask, WordKeysAreBatchInvariantAndSaved) {
  const fs::path dir = fs::temp_directory_path() / "attnscope_sentiment_wordkeys";
  fs::create_directories(dir);
  const std::string path = (dir / "m.safetensors").string();
  const Settings s = review_settings({{"hidden", "16"}, {"embed", "16"}, {"attention-keys", "words"}, {"key-window", "2"}});
  SentimentTask task(s, 4);
  TrainerOptions o = quick_reviews(s, 30);
  o.output = path;
  o.eval_every = 10;
  run_training(task, o);
  const std::vector<std::string> short_one = {"not", "good", "."};
  const auto alone = task.classifier().predict({short_one});
  const auto batched = task.classifier().predict({short_one, {"the", "plot", "was", "dull", "and", "it", "is", "long", "."}});
  ASSERT_EQ(batched[0].weights.size(), 3u);
  for (size_t t = 0; t < 3; ++t) EXPECT_NEAR(alone[0].weights[t], batched[0].weights[t], 1e-6);
  auto loaded = models::SentimentClassifier::load(path);
  EXPECT_EQ(loaded->config().attention_keys, "words");
  EXPECT_EQ(loaded->config().key_window, 2);
  const auto again = loaded->predict({short_one});
  for (size_t t = 0; t < 3; ++t) EXPECT_NEAR(again[0].weights[t], task.classifier().predict({short_one})[0].weights[t], 1e-6);
}

TEST(SentimentTask, RefusesContradictorySettings) {
  EXPECT_THROW(SentimentTask(review_settings({{"pooling", "mean"}, {"attention-keys", "words"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"key-window", "2"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"pooling", "mean"}, {"rationale-supervision", "1"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"data", "x.tsv"}, {"rationale-supervision", "1"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"pooling", "mean"}, {"normalizer", "sparsemax"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"normalizer", "topk:0"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"arch", "transformer"}, {"cell", "lstm"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"layers", "3"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"pooling", "cls"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"arch", "transformer"}, {"pooling", "last"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"normalizer", "softmax2"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"data", "x.tsv"}, {"builtin", "reviews"}}), 1), ConfigError);
  EXPECT_THROW(SentimentTask(review_settings({{"data", "/nonexistent/x.tsv"}}), 1), IoError);
  EXPECT_EQ(parse_normalizer("topk:12"), (std::pair<std::string, int64_t>{"topk", 12}));
  EXPECT_THROW(parse_normalizer("topk:99999999999999999999"), ConfigError);
}

}  // namespace
}  // namespace attnscope::train
