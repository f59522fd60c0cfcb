// Local attention (Luong, Pham & Manning 2015, section 3.2): attend to a window of 2D + 1
// memory positions around a centre p_t, with a Gaussian that favours positions near p_t.
//   local-m (monotonic):  p_t = t  (the query's own position, offset by SoftCall::query_offset)
//   local-p (predictive): p_t = S * sigmoid(v_p^T tanh(W_p h_t)),  S = valid length - 1
//   a_t(s) = align(h_t, h_s) * exp(-(s - p_t)^2 / (2 sigma^2)),  sigma = D / 2
//   align = softmax of the score over the window |s - p_t| <= D (keys outside get exactly 0)
// As in the paper the Gaussian is applied after the softmax, so a row sums to at most 1.
// The centre is differentiable (through the Gaussian); the window edge is not.
// Fixed sliding windows (Longformer / Mistral style, no Gaussian) are AttentionMask::window
// and MultiHeadConfig::window.
// Parameters: align.* (the score's), centre_proj.weight (W_p), centre_v.weight (v_p).
#pragma once
#include <memory>

#include "attnscope/attention/soft.h"

namespace attnscope::attention {

enum class LocalMode : uint8_t { monotonic, predictive };

struct LocalAttentionConfig {
  SoftAttentionConfig align;  // score function of align(); default general (Luong's best)
  LocalMode mode = LocalMode::predictive;
  int64_t window = 5;         // D: half width
  int64_t centre_dim = 0;     // hidden size of the centre predictor; 0: query_dim
};

// The local weights from scores e [B, T, N] and centres p [B, T] (differentiable in both):
// window |s - p| <= D (plus `mask`, additive [B, 1|T, N] or undefined), normalized, times the
// Gaussian exp(-(s - p)^2 / (2 (D/2)^2)).
Tensor local_weights(const Tensor& e, const Tensor& centre, int64_t D, const Tensor& mask, Normalizer n);

class LocalAttention : public nn::Module, public Recordable {
 public:
  LocalAttention(const LocalAttentionConfig& cfg, Rng& rng);
  std::string type_name() const override { return "LocalAttention"; }
  // query [B, T, Cq], keys [B, N, Ck], values [B, N, Cv] (default keys) ->
  // context [B, T, Cv], weights [B, T, N], extras "centre" [B, T].
  AttentionResult forward(const Tensor& query, const Tensor& keys, const Tensor& values = {},
                          const SoftCall& call = {}) const;
  // SoftAttention::project_keys of the alignment score (for SoftCall::projected_keys).
  Tensor project_keys(const Tensor& keys) const { return align_->project_keys(keys); }

 private:
  LocalAttentionConfig cfg_;
  std::shared_ptr<SoftAttention> align_;
  std::shared_ptr<nn::Linear> centre_proj_, centre_v_;
};

}  // namespace attnscope::attention
