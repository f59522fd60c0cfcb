// The sequence-reversal task (models/reverse_model.h): fresh random sequences every step, token
// cross-entropy with teacher forcing, token accuracy of greedy decoding as the metric. No
// attention: it tests recurrent learning and the Trainer's resume.
#pragma once
#include <memory>
#include <vector>

#include "attnscope/models/reverse_model.h"
#include "attnscope/train/settings.h"
#include "attnscope/train/task.h"
#include "attnscope/train/trainer.h"

namespace attnscope::train {

std::vector<SettingSpec> reverse_settings();
// 600 steps, batch 64, lr 1e-2, warm-up 50.
TrainerOptions reverse_defaults(const Settings& s);

class ReverseTask : public Task {
 public:
  ReverseTask(const models::ReverseConfig& cfg, uint64_t seed);
  ReverseTask(const Settings& s, uint64_t seed);

  nn::Module& model() override { return *model_; }
  std::string model_type() const override { return model_->model_type(); }
  std::string model_config() const override { return model_->config().to_json(); }
  StepLoss train_loss(int64_t batch, Rng& rng, const Shard& shard) override;
  double valid_loss() override;
  EvalReport evaluate() override;
  io::Trace trace_focus() override { return {}; }
  std::string unit_name() const override { return "target tokens"; }

  models::ReverseModel& reverse_model() { return *model_; }

 private:
  uint64_t seed_;
  std::unique_ptr<models::ReverseModel> model_;
  std::vector<models::ReverseBatch> valid_;
};

}  // namespace attnscope::train
