#include "attnscope/train/tasks/caption_task.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "attnscope/attention/supervision.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/data/caption_corpus.h"
#include "attnscope/data/image_transform.h"
#include "attnscope/data/scene_perturb.h"
#include "attnscope/models/caption/evaluate.h"
#include "attnscope/train/attention_losses.h"
#include "attnscope/models/caption/robustness.h"

namespace attnscope::train {
namespace {

constexpr int64_t kValidScenes = 256;

// Per word (row-major [B, T], 0 at padding): log p(target) from detached logits, the REINFORCE
// reward of the cell sampled at that step.
std::vector<double> word_log_likelihood(const Tensor& logits, const models::CaptionBatch& b) {
  const std::vector<float> lp = ops::log_softmax(logits.detach()).contiguous().to_vector();
  const int64_t V = logits.size(2);
  std::vector<double> out(static_cast<size_t>(b.B * b.T), 0.0);
  for (int64_t i = 0; i < b.B * b.T; ++i)
    if (b.targets[i] != ops::kIgnore) out[i] = lp[static_cast<size_t>(i * V + b.targets[i])];
  return out;
}

bool photo_data(const Settings& s) {
  if (s.text("data").empty()) return false;
  if (s.given("builtin")) throw ConfigError("give either captioned photos or the built-in scenes, not both");
  return true;
}

// The split of the photos the settings name (training and evaluation agree on it).
data::CaptionSplit photo_split(const Settings& s) {
  const data::CaptionSplit split = data::split_caption_corpus(data::read_caption_corpus(s.text("data")),
                                                              static_cast<uint64_t>(s.integer("split-seed")));
  if (split.train.empty() || split.valid.empty() || split.test.empty())
    throw ConfigError("captioned photos: at least 3 images are needed (train, validation and test)");
  return split;
}

// Decodes every image (bounded, regular files only) and resizes it to the model's side, so all
// of them are checked before training starts and memory stays at side^2 per image.
std::vector<data::Image> load_images(const std::vector<data::CaptionedImage>& set, int64_t side) {
  std::vector<data::Image> out;
  out.reserve(set.size());
  for (const auto& im : set) out.push_back(data::resize_image(data::read_image_file(im.path), side));
  return out;
}

std::vector<std::vector<std::vector<std::string>>> captions_of(const std::vector<data::CaptionedImage>& set) {
  std::vector<std::vector<std::vector<std::string>>> out;
  for (const auto& im : set) out.push_back(im.captions);
  return out;
}

std::vector<const data::Image*> pointers(const std::vector<data::Image>& images) {
  std::vector<const data::Image*> out;
  for (const auto& im : images) out.push_back(&im);
  return out;
}

std::vector<SettingSpec> photo_settings() {
  return {
      text_setting("data", "",
                   "Captioned photos: a CSV (image,caption), Flickr8k/30k token lines or COCO-style JSON caption file, or a "
                   "folder holding one"),
      int_setting("split-seed", 1, "Photos: seed of the 80/10/10 split by image", 0, 1e18),
  };
}

}  // namespace

std::vector<SettingSpec> caption_settings() {
  std::vector<SettingSpec> specs = photo_settings();
  const std::vector<SettingSpec> rest = {
      text_setting("builtin", "scenes", "Built-in data: scenes (generated coloured shapes with boxes; the default without photos)", {"scenes"}),
      int_setting("image-side", 0, "Input side in pixels, a multiple of 4 (0: 32 for scenes, 64 for photos)", 0, 256),
      int_setting("min-count", 3, "Photos: vocabulary of the training captions' words seen this often", 1, 1e9),
      text_setting("attention", "soft", "Attention: soft (Xu 2015), hard (REINFORCE), adaptive (visual sentinel, Lu 2017), none (mean-pooled)",
                   {"soft", "hard", "adaptive", "none"}),
      int_setting("channels", 64, "CNN feature width", 2, 1024),
      text_setting("pool", "max", "Encoder pooling: max or avg (avg: a cell's feature grows with how much of an object it covers)",
                   {"max", "avg"}),
      int_setting("last-kernel", 3, "Kernel of the encoder's last convolution: 3 or 1 (1: a cell sees less of its neighbours)", 1, 3),
      int_setting("cell", 4, "Pixels per attention cell: 4 (two poolings: an 8x8 grid at 32 px) or 2 (one pooling: 16x16)", 2, 4),
      text_setting("normalizer", "softmax", "Soft attention's weights: softmax, sparsemax or entmax15 (exact zeros)",
                   {"softmax", "sparsemax", "entmax15"}),
      real_setting("attention-entropy", 0.0, "Weight of the mean entropy of the words' attention (> 0 sharpens; 0: off)", -10.0, 10.0),
      text_setting("location-aware", "auto",
                   "1: soft/hard attention also scores each cell by the previous word's weight and the caption's weight so far "
                   "there (Chorowski 2015, Tu 2016); auto: 1 for soft/hard attention on the scenes, else 0",
                   {"auto", "0", "1"}),
      text_setting("init-state", "auto",
                   "Soft/hard/adaptive: the LSTM starts from zeros, or from the image's mean feature (image: Xu 2015; none always "
                   "does); auto: image for soft attention on photos, else zero",
                   {"auto", "zero", "image"}),
      text_setting("keys", "auto",
                   "What the attention scores: cells (the grid features, each seeing 20 px around its cell) or pixels (a per-pixel "
                   "feature averaged over the cell's own pixels); the context reads the grid features; auto: pixels for soft/hard "
                   "attention on the scenes, else cells",
                   {"auto", "cells", "pixels"}),
      text_setting("feed-context", "auto",
                   "1: soft/hard attention's LSTM also reads the previous word's context (Xu 2015, Luong's input feeding; "
                   "0: the image reaches a word only through its own look); auto: 1 for soft attention on photos, else 0",
                   {"auto", "0", "1"}),
      int_setting("embed", 64, "Word embedding width", 1, 4096),
      int_setting("hidden", 128, "LSTM width", 1, 4096),
      int_setting("attn-dim", 64, "Attention score width", 1, 4096),
      real_setting("dropout", 0.1, "Dropout before the word classifier", 0.0, 0.9),
      real_setting("coverage", 0.0, "Doubly stochastic regularisation weight lambda (per word; 0: off)", 0.0, 100.0),
      real_setting("entropy-bonus", 0.01, "Hard attention: entropy bonus of REINFORCE", 0.0, 10.0),
      real_setting("hard-mix", 0.8,
                   "Hard attention: share of training steps that read the expected context instead of a sample (Xu 2015)", 0.0, 1.0),
      real_setting("concepts", 0.0,
                   "Weight of a word detector on every cell (multiple-instance learning, Fang 2015): each image learns which "
                   "words its captions use, from its best cell per word (0: off)",
                   0.0, 100.0),
      real_setting("box-supervision", 0.0,
                   "Scenes: weight of a loss pulling each object word's attention onto its object's box (Liu 2017; 0: off)", 0.0,
                   100.0),
  };
  specs.insert(specs.end(), rest.begin(), rest.end());
  return specs;
}

TrainerOptions caption_defaults(const Settings& s) {
  TrainerOptions o;
  // The scenes' pixel keys point better with the longer run (docs/CAPTIONING.md: 85-90% at 3,000
  // steps, 84-88% at 1,500); photos keep the 1,500 their recipes were measured with.
  o.steps = s.text("data").empty() ? 3000 : 1500;
  o.batch = 32;
  o.lr = 5e-3;
  o.warmup = 50;
  o.eval_every = 250;
  o.keep_best = true;
  return o;
}

CaptionTask::CaptionTask(const Settings& s, uint64_t seed)
    : photos_(photo_data(s)), coverage_weight_(s.real("coverage")),
      entropy_bonus_(s.real("entropy-bonus")),
      hard_mix_(s.real("hard-mix")),
      box_supervision_(s.real("box-supervision")), entropy_weight_(s.real("attention-entropy")),
      concept_weight_(s.real("concepts")) {
  models::CaptionerConfig cfg;
  cfg.attention = s.text("attention");
  if (cfg.attention == "none" && s.given("coverage"))
    throw ConfigError("setting 'coverage' needs attention (attention is 'none')");
  if (cfg.attention != "hard" && s.given("entropy-bonus"))
    throw ConfigError("setting 'entropy-bonus' applies to hard attention only (attention is '" + cfg.attention + "')");
  if (cfg.attention != "hard" && s.given("hard-mix"))
    throw ConfigError("setting 'hard-mix' applies to hard attention only (attention is '" + cfg.attention + "')");
  if (box_supervision_ > 0 && photos_) throw ConfigError("setting 'box-supervision' needs object boxes: only the built-in scenes have them");
  if (box_supervision_ > 0 && cfg.attention == "none") throw ConfigError("setting 'box-supervision' needs attention (attention is 'none')");
  if (!photos_ && (s.given("min-count") || s.given("split-seed")))
    throw ConfigError("settings 'min-count' and 'split-seed' apply to captioned photos only");
  cfg.image_side = s.integer("image-side") ? s.integer("image-side") : photos_ ? kCaptionPhotoSide : data::kSceneSide;
  cfg.channels = s.integer("channels");
  cfg.pool = s.text("pool");
  cfg.last_kernel = s.integer("last-kernel");
  cfg.cell = s.integer("cell");
  cfg.normalizer = s.text("normalizer");
  // Settings left at "auto" take what measured best for the data and the attention kind
  // (docs/CAPTIONING.md): on the scenes, soft and hard attention score each cell's own pixels with
  // location features (pointing 85-90% against 65-75%); on photos, soft attention starts from the
  // image and feeds its context back (Xu et al.'s decoder). Adaptive attention keeps grid keys.
  const bool soft_or_hard = cfg.attention == "soft" || cfg.attention == "hard";
  auto choose = [&](const char* name, const char* scenes_value, const char* photos_value) {
    const std::string v = s.text(name);
    return v != "auto" ? v : photos_ ? photos_value : scenes_value;
  };
  cfg.location_aware = choose("location-aware", soft_or_hard ? "1" : "0", "0") == "1";
  cfg.init_state = choose("init-state", "zero", cfg.attention == "soft" ? "image" : "zero");
  cfg.keys = choose("keys", soft_or_hard ? "pixels" : "cells", "cells");
  cfg.feed_context = choose("feed-context", "0", cfg.attention == "soft" ? "1" : "0") == "1";
  if (cfg.attention == "none" && (s.given("keys") || s.given("location-aware") || s.given("feed-context")))
    throw ConfigError("settings 'keys', 'location-aware' and 'feed-context' need attention (attention is 'none')");
  if (cfg.attention == "none" && s.given("init-state"))
    throw ConfigError("setting 'init-state' applies to soft, hard and adaptive attention (none always starts from the image)");
  if (cfg.attention == "none" && s.given("attention-entropy"))
    throw ConfigError("setting 'attention-entropy' needs attention (attention is 'none')");
  cfg.embed = s.integer("embed");
  cfg.hidden = s.integer("hidden");
  cfg.attn_dim = s.integer("attn-dim");
  cfg.dropout = s.real("dropout");
  cfg.concepts = concept_weight_ > 0;
  cfg.validate();
  data::Vocab vocab;
  if (photos_) {
    const data::CaptionSplit split = photo_split(s);
    train_images_ = load_images(split.train, cfg.image_side);
    valid_images_ = load_images(split.valid, cfg.image_side);
    test_images_ = load_images(split.test, cfg.image_side);
    train_captions_ = captions_of(split.train);
    test_captions_ = captions_of(split.test);
    for (size_t i = 0; i < split.valid.size(); ++i)
      for (const auto& c : split.valid[i].captions) valid_pairs_.emplace_back(i, c);
    std::vector<std::vector<std::string>> sentences;
    for (const auto& caps : train_captions_) sentences.insert(sentences.end(), caps.begin(), caps.end());
    vocab = data::Vocab::build(sentences, static_cast<int>(s.integer("min-count")));
  } else {
    for (auto& sc : data::make_scenes(data::ScenePool::valid, 1, kValidScenes)) {
      valid_pairs_.emplace_back(valid_images_.size(), sc.words);
      valid_images_.push_back(std::move(sc.image));
    }
    vocab = data::Vocab::from_tokens(data::scene_words());
  }
  Rng rng(seed);
  model_ = std::make_unique<models::Captioner>(cfg, std::move(vocab), rng);
  if (concept_weight_ > 0)
    for (const auto& caps : train_captions_) train_bags_.push_back(bag_of_words(caps));
}

std::vector<int64_t> CaptionTask::bag_of_words(const std::vector<std::vector<std::string>>& captions) const {
  std::vector<int64_t> bag;
  for (const auto& c : captions)
    for (int64_t id : model_->vocab().encode(c)) bag.push_back(id);
  std::sort(bag.begin(), bag.end());
  bag.erase(std::unique(bag.begin(), bag.end()), bag.end());
  return bag;
}

StepLoss CaptionTask::train_loss(int64_t batch, Rng& rng, const Shard& shard) {
  std::vector<data::Image> images;
  std::vector<std::vector<std::string>> captions;
  attention::AttentionGold boxes;  // scenes: per word, its object's cells
  std::vector<std::vector<int64_t>> bags;  // concepts: the words of all the image's captions
  for (int64_t i = 0; i < batch; ++i) {
    const bool mine = i >= shard.begin(batch) && i < shard.end(batch);
    if (photos_) {
      // Every replica draws the same numbers, so the shards split one batch.
      const size_t k = rng.below(train_images_.size());
      const auto& caps = train_captions_[k];
      const std::vector<std::string>& c = caps[rng.below(caps.size())];
      data::Image im = data::augment_image(train_images_[k], model_->config().image_side / 8, rng);
      if (!mine) continue;
      images.push_back(std::move(im));
      captions.emplace_back(c.begin(), c.begin() + std::min<size_t>(c.size(), model_->config().max_words));
      if (concept_weight_ > 0) bags.push_back(train_bags_[k]);
    } else {
      data::Scene sc = data::draw_scene(data::ScenePool::train, rng);
      if (!mine) continue;
      if (box_supervision_ > 0) boxes.push_back(models::scene_word_cells(sc, model_->config().grid()));
      if (concept_weight_ > 0) bags.push_back(bag_of_words({sc.words}));
      images.push_back(std::move(sc.image));
      captions.push_back(std::move(sc.words));
    }
  }
  models::CaptionBatch b = model_->make_batch(pointers(images), captions);
  b.bags = std::move(bags);
  // Hard attention: this step reads the expected context (drawn after the batch, by every replica alike).
  const bool expected = model_->config().attention == "hard" && rng.uniform() < hard_mix_;
  model_->use_expected_location(expected);
  const models::CaptionOutput out = model_->forward(b);
  model_->use_expected_location(false);
  double words = 0;
  for (int64_t n : b.lengths) words += static_cast<double>(n);
  const int64_t V = out.logits.size(2);
  Tensor loss = ops::cross_entropy(ops::reshape(out.logits, Shape{b.B * b.T, V}), b.targets);
  if (out.coverage.defined() && coverage_weight_ > 0) loss = ops::add(loss, ops::scale(out.coverage, coverage_weight_ / words));
  if (out.concepts.defined()) loss = ops::add(loss, ops::scale(out.concepts, concept_weight_));
  if (box_supervision_ > 0) loss = ops::add(loss, ops::scale(attention::attention_supervision_loss(out.alpha, boxes), box_supervision_));
  if (entropy_weight_ != 0) {
    std::vector<bool> words_rows(b.targets.size());  // steps that write a word (not padding)
    for (size_t i = 0; i < words_rows.size(); ++i) words_rows[i] = b.targets[i] != ops::kIgnore;
    loss = ops::add(loss, ops::scale(attention_entropy_loss(out.alpha, words_rows), entropy_weight_));
  }
  if (out.log_prob.defined()) {
    // Reward of the cell sampled for a word: that word's log-likelihood (the sampled cell feeds
    // only later steps' "where" besides it, so the step's own word carries the credit; a
    // sentence-level reward left the sampled cell near chance). Baseline: a moving average per
    // target word, so the advantage says how much this cell helped this word, not how hard the
    // word is ("a" is easy to say wherever one looks). Each takes its first batch in before use:
    // starting from 0, the first advantages (about -3) would push every sampled cell down.
    std::vector<double> reward = word_log_likelihood(out.logits, b);
    std::map<int64_t, std::pair<double, double>> by_word;  // target -> (sum, count) in this batch
    for (int64_t i = 0; i < b.B * b.T; ++i)
      if (b.targets[i] != ops::kIgnore) {
        by_word[b.targets[i]].first += reward[i];
        by_word[b.targets[i]].second += 1;
      }
    for (const auto& [w, sc] : by_word) baselines_[w].update(sc.first / sc.second);
    for (int64_t i = 0; i < b.B * b.T; ++i)
      if (b.targets[i] != ops::kIgnore) reward[i] -= baselines_[b.targets[i]].value();
    const Tensor mask = nn::lengths_to_mask(b.lengths, b.T);
    loss = ops::add(loss, attention::reinforce_loss(ops::mul(out.log_prob, mask), reward, 0.0, ops::mul(out.entropy, mask),
                                                    entropy_bonus_));
  }
  return {loss, words};
}

double CaptionTask::valid_loss() {
  double total = 0, words = 0;
  for (size_t i = 0; i < valid_pairs_.size(); i += 128) {
    std::vector<const data::Image*> images;
    std::vector<std::vector<std::string>> captions;
    for (size_t k = i; k < std::min(valid_pairs_.size(), i + 128); ++k) {
      images.push_back(&valid_images_[valid_pairs_[k].first]);
      const auto& c = valid_pairs_[k].second;
      captions.emplace_back(c.begin(), c.begin() + std::min<size_t>(c.size(), model_->config().max_words));
    }
    const models::CaptionBatch b = model_->make_batch(images, captions);
    const Tensor logits = model_->forward(b).logits;
    double n = 0;
    for (int64_t l : b.lengths) n += static_cast<double>(l);
    total += ops::cross_entropy(ops::reshape(logits, Shape{b.B * b.T, logits.size(2)}), b.targets).item() * n;
    words += n;
  }
  return total / words;
}

EvalReport CaptionTask::evaluate() {
  const auto e = photos_ ? models::evaluate_captions(*model_, pointers(test_images_), test_captions_)
                         : models::evaluate_scenes(*model_, data::make_scenes(data::ScenePool::test, 1, kCaptionTestScenes));
  EvalReport r;
  r.lines = models::caption_report(e);
  r.metrics = {{"bleu4", e.bleu[3]}, {"cider", e.cider}, {"exact", e.exact}};
  if (e.pointing >= 0) r.metrics["pointing"] = e.pointing;
  if (e.correctness >= 0) r.metrics["correctness"] = e.correctness;
  return r;
}

// Teacher-forced on the first validation caption, so every snapshot has the same rows.
io::Trace CaptionTask::trace_focus() { return model_->trace_caption(valid_images_.front(), valid_pairs_.front().second); }

std::map<std::string, double> CaptionTask::focus_measures() {
  if (photos_ || model_->config().attention == "none") return {};
  const auto e = models::evaluate_scenes(*model_, data::make_scenes(data::ScenePool::valid, 1, kFocusScenes));
  return {{"pointing", e.pointing}, {"correctness", e.correctness}, {"exact", e.exact}};
}

std::vector<SettingSpec> caption_eval_settings() {
  std::vector<SettingSpec> specs = photo_settings();
  const std::vector<SettingSpec> rest = {
      text_setting("builtin", "scenes", "Built-in data: scenes (the test pool, drawn from the seed; the default without photos)", {"scenes"}),
      int_setting("beam", 1, "Beam width of the decoder (1: greedy)", 1, 64),
      text_setting("split", "test",
                   "Photos: which held-out images to score: test, valid (to choose decoding settings such as the "
                   "beam width without looking at the test images), or all (every image: a test set of your own)",
                   {"test", "valid", "all"}),
      int_setting("scenes", 500, "How many held-out scenes", 1, 100000),
      text_setting("perturb", "",
                   "Robustness: also evaluate perturbed images (distractors, occlusion, noise; NAME:LEVEL) and how much "
                   "attention moves onto the perturbed pixels (focus_shift)"),
  };
  specs.insert(specs.end(), rest.begin(), rest.end());
  return specs;
}

EvalReport evaluate_caption_checkpoint(const std::string& checkpoint, const Settings& s, uint64_t seed) {
  std::optional<data::Perturbation> perturbation;  // parsed before any work
  if (!s.text("perturb").empty()) perturbation = data::parse_perturbation(s.text("perturb"), data::kScenePerturbations);
  const bool photos = photo_data(s);
  if (photos && (perturbation || s.given("scenes"))) throw ConfigError("settings 'perturb' and 'scenes' apply to the built-in scenes only");
  if (!photos && (s.given("split-seed") || s.given("split")))
    throw ConfigError("settings 'split-seed' and 'split' apply to captioned photos only");
  auto model = models::Captioner::load(checkpoint);
  const int64_t beam = s.integer("beam");
  if (photos) {
    const std::string part = s.text("split");
    if (part == "all" && s.given("split-seed")) throw ConfigError("setting 'split-seed' does not apply to split 'all' (every image)");
    const std::vector<data::CaptionedImage> held_out = part == "all" ? data::read_caption_corpus(s.text("data")).images
                                                       : part == "valid" ? photo_split(s).valid
                                                                         : photo_split(s).test;
    const std::vector<data::Image> images = load_images(held_out, model->config().image_side);
    const auto e = models::evaluate_captions(*model, pointers(images), captions_of(held_out), beam);
    EvalReport r;
    r.lines = models::caption_report(e);
    r.metrics = {{"bleu1", e.bleu[0]}, {"bleu4", e.bleu[3]}, {"cider", e.cider}};
    return r;
  }
  const std::vector<data::Scene> scenes = data::make_scenes(data::ScenePool::test, seed, s.integer("scenes"));
  const auto e = models::evaluate_scenes(*model, scenes, beam);
  EvalReport r;
  r.lines = models::caption_report(e);
  r.metrics = {{"bleu4", e.bleu[3]}, {"cider", e.cider}, {"exact", e.exact}};
  if (e.pointing >= 0) r.metrics["pointing"] = e.pointing;
  if (perturbation) {
    const models::CaptionRobustness rb = models::evaluate_caption_robustness(*model, scenes, *perturbation, seed);
    r.lines.push_back(models::caption_robustness_line(rb, *perturbation));
    r.metrics["perturbed_bleu4"] = rb.perturbed.bleu[3];
    if (rb.focus_shift >= 0) r.metrics["focus_shift"] = rb.focus_shift;
  }
  return r;
}

}  // namespace attnscope::train
