// Adaptive attention with a visual sentinel (Lu, Xiong, Parikh & Socher 2017, "Knowing When to
// Look"): at each decoding step the model mixes the attended image context with a "sentinel"
// vector from the decoder's memory, through a gate beta in [0, 1] (beta -> 1: do not look).
//   z_t   = w_h^T tanh(W_v V + W_g h_t)                   [K]   (K image regions V [K, C])
//   alpha = softmax(z_t),  c_t = sum_i alpha_i v_i
//   zs_t  = w_h^T tanh(W_s s_t + W_g h_t)                       (sentinel score)
//   alpha_hat = softmax([z_t; zs_t]),  beta_t = alpha_hat[K]
//   c_hat_t = beta_t s_t + (1 - beta_t) c_t
// The sentinel s_t = g_t * tanh(m_t) (g_t a gate of the LSTM input and state, m_t its memory
// cell) is computed by the caller's decoder and passed in.
// Shapes: hidden [B, T, Ch], regions [B, K, C], sentinel [B, T, C]; context [B, T, C],
// weights alpha [B, T, K], extras "beta" [B, T], "alpha_hat" [B, T, K + 1].
// Parameters: visual_proj.weight (W_v), hidden_proj.weight (W_g), sentinel_proj.weight (W_s),
// score_v.weight (w_h).
#pragma once
#include <memory>

#include "attnscope/attention/recorder.h"
#include "attnscope/attention/result.h"
#include "attnscope/nn/linear.h"

namespace attnscope::attention {

// The gate and the mix from scores: z [B, T, K] (regions), zs [B, T, 1] (sentinel),
// regions [B, K, C], sentinel [B, T, C], optional additive region mask [B, 1, K].
// Returns context c_hat [B, T, C], weights alpha [B, T, K], extras "beta" [B, T], "alpha_hat".
AttentionResult sentinel_mix(const Tensor& z, const Tensor& zs, const Tensor& regions, const Tensor& sentinel,
                             const Tensor& mask = {});

struct SentinelAttentionConfig {
  int64_t hidden_dim = 0;  // Ch
  int64_t region_dim = 0;  // C (also the sentinel's width)
  int64_t attn_dim = 0;    // A; 0: region_dim
  // A learned offset b on the sentinel score (zs + b), registered as "sentinel_bias" when
  // `sentinel_bias` is set, starting at that value: a negative start keeps a decoder trained from
  // scratch looking at the image until the image is worth looking at (else beta can saturate at 1
  // before the visual features are useful, and then no gradient reaches them).
  bool sentinel_bias = false;
  double sentinel_bias_init = 0;
};

class SentinelAttention : public nn::Module, public Recordable {
 public:
  SentinelAttention(const SentinelAttentionConfig& cfg, Rng& rng);
  std::string type_name() const override { return "SentinelAttention"; }
  // region_count: valid regions per batch item (empty: all K). query_offset: step of row 0.
  // projected: project_regions(regions), kept by a decoder across its steps (undefined: computed).
  AttentionResult forward(const Tensor& hidden, const Tensor& regions, const Tensor& sentinel,
                          const std::vector<int32_t>& region_count = {}, int64_t query_offset = 0,
                          const Tensor& projected = {}) const;
  // W_v V: what the region scores read of the regions [B, K, C] -> [B, K, A].
  Tensor project_regions(const Tensor& regions) const { return visual_proj_->forward(regions); }

 private:
  SentinelAttentionConfig cfg_;
  std::shared_ptr<nn::Linear> visual_proj_, hidden_proj_, sentinel_proj_, score_v_;
  Tensor bias_;  // [1] when cfg_.sentinel_bias
};

}  // namespace attnscope::attention
