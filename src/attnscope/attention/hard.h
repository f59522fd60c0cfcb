// Hard attention: the query reads one memory position (or k of them) instead of a blend.
//   argmax    deterministic a = onehot(argmax_j e_j) (inference; no gradient to the scores)
//   topk      keep the k highest scores, softmax renormalized over them (sparse; differentiable
//             through the kept scores). k larger than the key count N is an error.
//   sample    stochastic hard attention trained with REINFORCE (Xu et al. 2015, "Show, Attend
//             and Tell", section 4.1): s ~ Categorical(p), p = softmax(e); the module returns
//             log p(s) and H(p) so that the caller's loss can add
//               L_R = -mean((R - b) log p(s)) - lambda H(p)   (reinforce_loss below),
//             b a moving-average baseline of the reward (ReinforceBaseline).
//   gumbel    Gumbel-softmax straight-through (Jang, Gu & Poole 2017): y = softmax((e + g) / tau)
//             with g ~ Gumbel(0, 1); the forward uses onehot(argmax y), the backward y's gradient.
// In eval mode (Module::eval()) sample and gumbel select the argmax deterministically.
// Shapes as SoftAttention: query [B, T, Cq], keys [B, N, Ck], values [B, N, Cv];
// context [B, T, Cv], weights [B, T, N] (one-hot rows, or k-sparse rows for topk).
// Extras: "sample" [B, T] (chosen index, as float), "probs" [B, T, N] (softmax of the scores),
// "log_prob" [B, T] and "entropy" [B, T] (sample mode; differentiable).
#pragma once
#include <memory>

#include "attnscope/attention/soft.h"

namespace attnscope::attention {

enum class HardMode : uint8_t { argmax, topk, sample, gumbel };
const char* hard_mode_name(HardMode m);

struct HardAttentionConfig {
  SoftAttentionConfig score;  // score function (its normalizer is ignored)
  HardMode mode = HardMode::sample;
  int64_t k = 1;              // topk
  double gumbel_tau = 1.0;    // gumbel temperature
  uint64_t seed = 0;          // the module's sampling stream (saved in checkpoints as "sampler")
};

class HardAttention : public nn::Module, public Recordable {
 public:
  HardAttention(const HardAttentionConfig& cfg, Rng& rng);
  std::string type_name() const override { return "HardAttention"; }
  AttentionResult forward(const Tensor& query, const Tensor& keys, const Tensor& values = {},
                          const SoftCall& call = {}) const;
  const HardAttentionConfig& config() const { return cfg_; }
  // SoftAttention::project_keys of the score (for SoftCall::projected_keys).
  Tensor project_keys(const Tensor& keys) const { return score_->project_keys(keys); }

 private:
  HardAttentionConfig cfg_;
  std::shared_ptr<SoftAttention> score_;
  mutable Rng sampler_;
};

// Moving-average reward baseline b <- momentum b + (1 - momentum) mean(R) (first update sets b).
class ReinforceBaseline {
 public:
  explicit ReinforceBaseline(double momentum = 0.9) : momentum_(momentum) {}
  double value() const { return value_; }
  void update(double mean_reward);

 private:
  double momentum_, value_ = 0;
  bool started_ = false;
};

// L = -mean_{b,t}((reward[b] - baseline) log_prob[b, t]) - entropy_bonus * mean(entropy).
// log_prob, entropy [B, T]; reward [B] (one per sequence, shared by its steps) or [B * T] (one per
// step, row-major: each choice credited with its own step's reward); no gradient flows through it.
Tensor reinforce_loss(const Tensor& log_prob, const std::vector<double>& reward, double baseline,
                      const Tensor& entropy, double entropy_bonus);

}  // namespace attnscope::attention
