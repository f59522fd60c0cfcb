// The caption task: image -> sentence with attention over a CNN grid (models/caption/captioner.h)
// on the built-in generated scenes (data/scenes.h: each training batch is freshly drawn from the
// train pool; validation and the final metrics use the valid and test pools) or on captioned
// photographs (data/caption_corpus.h: split 80/10/10 by image with the split seed; a batch draws
// images with one of their captions at random, shifted and flipped; the vocabulary is the
// training captions' words seen at least min-count times; metrics on the held-out test images
// against all their references). Loss: cross-entropy
// per word, plus the doubly stochastic regulariser (soft, hard, adaptive), optionally the concept
// detector's loss (each image's words from its best cell, against the words of all its captions;
// models/caption/captioner.h), on scenes optionally
// box supervision (attention/supervision.h: each object word's alpha pulled onto its object's
// cells), and for hard attention REINFORCE with a moving-average baseline and an entropy bonus
// (reward: each sampled cell's word log-likelihood, against a moving average per word), the expected context read instead of a
// sample on a share of the steps (hard-mix; Xu et al. 2015).
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "attnscope/attention/hard.h"
#include "attnscope/data/scenes.h"
#include "attnscope/models/caption/captioner.h"
#include "attnscope/train/settings.h"
#include "attnscope/train/task.h"
#include "attnscope/train/trainer.h"

namespace attnscope::train {

std::vector<SettingSpec> caption_settings();
// 1,500 steps of 32 scenes, lr 5e-3, validation every 250 steps, the best one kept.
TrainerOptions caption_defaults(const Settings& s);

class CaptionTask : public Task {
 public:
  CaptionTask(const Settings& s, uint64_t seed);

  nn::Module& model() override { return *model_; }
  std::string model_type() const override { return model_->model_type(); }
  std::string model_config() const override { return model_->config_json(); }
  StepLoss train_loss(int64_t batch, Rng& rng, const Shard& shard) override;
  double valid_loss() override;
  EvalReport evaluate() override;
  io::Trace trace_focus() override;
  // Scenes: pointing and correctness on the first kFocusScenes validation scenes; photos: none.
  std::map<std::string, double> focus_measures() override;
  std::string unit_name() const override { return "words"; }

  models::Captioner& captioner() { return *model_; }

 private:
  bool photos_ = false;
  double coverage_weight_, entropy_bonus_, hard_mix_, box_supervision_, entropy_weight_, concept_weight_;
  // concepts: the word ids any of these captions uses.
  std::vector<int64_t> bag_of_words(const std::vector<std::vector<std::string>>& captions) const;
  std::vector<std::vector<int64_t>> train_bags_;  // photos: per training image
  std::map<int64_t, attention::ReinforceBaseline> baselines_;  // hard attention: one per target word
  // Validation pairs (image, one caption); photos: every caption of every valid image.
  std::vector<data::Image> valid_images_;
  std::vector<std::pair<size_t, std::vector<std::string>>> valid_pairs_;
  // Photos: training images at the model's side with their captions; the held-out test images.
  std::vector<data::Image> train_images_, test_images_;
  std::vector<std::vector<std::vector<std::string>>> train_captions_, test_captions_;
  std::unique_ptr<models::Captioner> model_;
};

// `eval caption`: the built-in scenes' test pool drawn from the evaluation seed, or the held-out
// test images of captioned photos (the same split seed as training).
std::vector<SettingSpec> caption_eval_settings();
EvalReport evaluate_caption_checkpoint(const std::string& checkpoint, const Settings& s, uint64_t seed);

// Held-out scenes of the task's own end-of-run evaluation (the test pool, seed 1).
inline constexpr int64_t kCaptionTestScenes = 500;
// Photos: the model's input side unless set (scenes: data::kSceneSide).
inline constexpr int64_t kCaptionPhotoSide = 64;
// Validation scenes the focus series measures pointing on.
inline constexpr int64_t kFocusScenes = 64;

}  // namespace attnscope::train
