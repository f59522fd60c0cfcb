// The caption task: image -> sentence with attention over a CNN grid (models/caption/captioner.h)
// on the built-in generated scenes (data/scenes.h: each training batch is freshly drawn from the
// train pool; validation and the final metrics use the valid and test pools). Loss: cross-entropy
// per word, plus the doubly stochastic regulariser (soft, hard, adaptive) and, for hard attention,
// REINFORCE with a moving-average baseline and an entropy bonus (the reward: the caption's
// log-likelihood per word, Xu et al. 2015).
#pragma once
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
  std::string unit_name() const override { return "words"; }

  models::Captioner& captioner() { return *model_; }

 private:
  double coverage_weight_, entropy_bonus_;
  attention::ReinforceBaseline baseline_;
  std::vector<data::Scene> valid_;
  std::unique_ptr<models::Captioner> model_;
};

// `eval caption`: the built-in scenes' test pool drawn from the evaluation seed.
std::vector<SettingSpec> caption_eval_settings();
EvalReport evaluate_caption_checkpoint(const std::string& checkpoint, const Settings& s, uint64_t seed);

// Held-out scenes of the task's own end-of-run evaluation (the test pool, seed 1).
inline constexpr int64_t kCaptionTestScenes = 500;

}  // namespace attnscope::train
