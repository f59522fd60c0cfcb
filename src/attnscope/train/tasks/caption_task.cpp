#include "attnscope/train/tasks/caption_task.h"

#include <cmath>
#include <optional>

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"
#include "attnscope/data/scene_perturb.h"
#include "attnscope/models/caption/evaluate.h"
#include "attnscope/models/caption/robustness.h"

namespace attnscope::train {
namespace {

constexpr int64_t kValidScenes = 256;

std::vector<const data::Image*> images_of(const std::vector<data::Scene>& scenes) {
  std::vector<const data::Image*> out;
  for (const auto& s : scenes) out.push_back(&s.image);
  return out;
}

std::vector<std::vector<std::string>> captions_of(const std::vector<data::Scene>& scenes) {
  std::vector<std::vector<std::string>> out;
  for (const auto& s : scenes) out.push_back(s.words);
  return out;
}

// Per caption: the sum of its words' log-probabilities (REINFORCE's reward), from detached logits.
std::vector<double> caption_log_likelihood(const Tensor& logits, const models::CaptionBatch& b) {
  const std::vector<float> lp = ops::log_softmax(logits.detach()).contiguous().to_vector();
  const int64_t V = logits.size(2);
  std::vector<double> out(static_cast<size_t>(b.B), 0.0);
  for (int64_t i = 0; i < b.B; ++i)
    for (int64_t t = 0; t < b.T; ++t) {
      const int64_t y = b.targets[i * b.T + t];
      if (y != ops::kIgnore) out[i] += lp[static_cast<size_t>((i * b.T + t) * V + y)];
    }
  return out;
}

}  // namespace

std::vector<SettingSpec> caption_settings() {
  return {
      text_setting("builtin", "scenes", "Built-in data: scenes (generated coloured shapes with boxes)", {"scenes"}),
      text_setting("attention", "soft", "Attention: soft (Xu 2015), hard (REINFORCE), adaptive (visual sentinel, Lu 2017), none (mean-pooled)",
                   {"soft", "hard", "adaptive", "none"}),
      int_setting("channels", 64, "CNN feature width", 2, 1024),
      int_setting("embed", 64, "Word embedding width", 1, 4096),
      int_setting("hidden", 128, "LSTM width", 1, 4096),
      int_setting("attn-dim", 64, "Attention score width", 1, 4096),
      real_setting("dropout", 0.1, "Dropout before the word classifier", 0.0, 0.9),
      real_setting("coverage", 0.0, "Doubly stochastic regularisation weight lambda (per word; 0: off)", 0.0, 100.0),
      real_setting("entropy-bonus", 0.01, "Hard attention: entropy bonus of REINFORCE", 0.0, 10.0),
  };
}

TrainerOptions caption_defaults(const Settings&) {
  TrainerOptions o;
  o.steps = 1500;
  o.batch = 32;
  o.lr = 5e-3;
  o.warmup = 50;
  o.eval_every = 250;
  o.keep_best = true;
  return o;
}

CaptionTask::CaptionTask(const Settings& s, uint64_t seed)
    : coverage_weight_(s.real("coverage")), entropy_bonus_(s.real("entropy-bonus")) {
  models::CaptionerConfig cfg;
  cfg.attention = s.text("attention");
  if (cfg.attention == "none" && s.given("coverage"))
    throw ConfigError("setting 'coverage' needs attention (attention is 'none')");
  if (cfg.attention != "hard" && s.given("entropy-bonus"))
    throw ConfigError("setting 'entropy-bonus' applies to hard attention only (attention is '" + cfg.attention + "')");
  cfg.image_side = data::kSceneSide;
  cfg.channels = s.integer("channels");
  cfg.embed = s.integer("embed");
  cfg.hidden = s.integer("hidden");
  cfg.attn_dim = s.integer("attn-dim");
  cfg.dropout = s.real("dropout");
  valid_ = data::make_scenes(data::ScenePool::valid, 1, kValidScenes);
  Rng rng(seed);
  model_ = std::make_unique<models::Captioner>(cfg, data::Vocab::from_tokens(data::scene_words()), rng);
}

StepLoss CaptionTask::train_loss(int64_t batch, Rng& rng, const Shard& shard) {
  std::vector<data::Scene> scenes;
  for (int64_t i = 0; i < batch; ++i) {
    data::Scene sc = data::draw_scene(data::ScenePool::train, rng);
    if (i >= shard.begin(batch) && i < shard.end(batch)) scenes.push_back(std::move(sc));
  }
  const models::CaptionBatch b = model_->make_batch(images_of(scenes), captions_of(scenes));
  const models::CaptionOutput out = model_->forward(b);
  double words = 0;
  for (int64_t n : b.lengths) words += static_cast<double>(n);
  const int64_t V = out.logits.size(2);
  Tensor loss = ops::cross_entropy(ops::reshape(out.logits, Shape{b.B * b.T, V}), b.targets);
  if (out.coverage.defined() && coverage_weight_ > 0) loss = ops::add(loss, ops::scale(out.coverage, coverage_weight_ / words));
  if (out.log_prob.defined()) {
    // Reward: the caption's log-likelihood per word (a per-sentence sum would scale the gradient
    // with the caption's length). The baseline takes this batch in first: starting from 0, the
    // first advantages (all about -3 per word) would push every sampled location down.
    std::vector<double> reward = caption_log_likelihood(out.logits, b);
    double mean = 0;
    for (size_t i = 0; i < reward.size(); ++i) {
      reward[i] /= static_cast<double>(b.lengths[i]);
      mean += reward[i] / static_cast<double>(reward.size());
    }
    baseline_.update(mean);
    const Tensor mask = nn::lengths_to_mask(b.lengths, b.T);
    loss = ops::add(loss, attention::reinforce_loss(ops::mul(out.log_prob, mask), reward, baseline_.value(),
                                                    ops::mul(out.entropy, mask), entropy_bonus_));
  }
  return {loss, words};
}

double CaptionTask::valid_loss() {
  double total = 0, words = 0;
  for (size_t i = 0; i < valid_.size(); i += 128) {
    const std::vector<data::Scene> part(valid_.begin() + i, valid_.begin() + std::min(valid_.size(), i + 128));
    const models::CaptionBatch b = model_->make_batch(images_of(part), captions_of(part));
    const Tensor logits = model_->forward(b).logits;
    double n = 0;
    for (int64_t l : b.lengths) n += static_cast<double>(l);
    total += ops::cross_entropy(ops::reshape(logits, Shape{b.B * b.T, logits.size(2)}), b.targets).item() * n;
    words += n;
  }
  return total / words;
}

EvalReport CaptionTask::evaluate() {
  const auto e = models::evaluate_scenes(*model_, data::make_scenes(data::ScenePool::test, 1, kCaptionTestScenes));
  EvalReport r;
  r.lines = models::caption_report(e);
  r.metrics = {{"bleu4", e.bleu[3]}, {"cider", e.cider}, {"exact", e.exact}};
  if (e.pointing >= 0) r.metrics["pointing"] = e.pointing;
  if (e.correctness >= 0) r.metrics["correctness"] = e.correctness;
  return r;
}

io::Trace CaptionTask::trace_focus() { return model_->trace(valid_.front().image); }

std::vector<SettingSpec> caption_eval_settings() {
  return {
      text_setting("builtin", "scenes", "Built-in data: scenes (the test pool, drawn from the seed)", {"scenes"}),
      int_setting("scenes", 500, "How many held-out scenes", 1, 100000),
      text_setting("perturb", "",
                   "Robustness: also evaluate perturbed images (distractors, occlusion, noise; NAME:LEVEL) and how much "
                   "attention moves onto the perturbed pixels (focus_shift)"),
  };
}

EvalReport evaluate_caption_checkpoint(const std::string& checkpoint, const Settings& s, uint64_t seed) {
  std::optional<data::Perturbation> perturbation;  // parsed before any work
  if (!s.text("perturb").empty()) perturbation = data::parse_perturbation(s.text("perturb"), data::kScenePerturbations);
  auto model = models::Captioner::load(checkpoint);
  const std::vector<data::Scene> scenes = data::make_scenes(data::ScenePool::test, seed, s.integer("scenes"));
  const auto e = models::evaluate_scenes(*model, scenes);
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
