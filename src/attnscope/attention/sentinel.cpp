#include "attnscope/attention/sentinel.h"

#include "attnscope/attention/soft.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {

AttentionResult sentinel_mix(const Tensor& z, const Tensor& zs, const Tensor& regions, const Tensor& sentinel,
                             const Tensor& mask) {
  if (z.ndim() != 3 || zs.ndim() != 3 || regions.ndim() != 3 || sentinel.ndim() != 3 || zs.size(2) != 1 ||
      zs.size(0) != z.size(0) || zs.size(1) != z.size(1) || regions.size(0) != z.size(0) || regions.size(1) != z.size(2) ||
      !(sentinel.shape() == Shape{z.size(0), z.size(1), regions.size(2)}))
    throw ShapeError("sentinel attention: expected z [B, T, K], zs [B, T, 1], regions [B, K, C], sentinel [B, T, C]; got " +
                     z.str() + ", " + zs.str() + ", " + regions.str() + ", " + sentinel.str());
  const int64_t B = z.size(0), T = z.size(1), K = z.size(2);
  Tensor mask_hat;
  if (mask.defined())  // the sentinel slot is always visible
    mask_hat = ops::concat({mask, Tensor::zeros(Shape{mask.size(0), 1, 1}, mask.dtype())}, 2);
  AttentionResult r;
  Tensor alpha_hat = ops::softmax(ops::concat({z, zs}, 2), mask_hat);    // [B, T, K + 1]
  Tensor beta = ops::slice(alpha_hat, 2, K, K + 1);                      // [B, T, 1]
  r.weights = ops::softmax(z, mask);                                     // alpha [B, T, K]
  Tensor c = ops::matmul(r.weights, regions);                            // [B, T, C]
  // c_hat = beta s + (1 - beta) c
  r.context = ops::add(ops::mul(beta, sentinel), ops::mul(ops::add_scalar(ops::neg(beta), 1.0), c));
  r.extras["beta"] = ops::reshape(beta, Shape{B, T});
  r.extras["alpha_hat"] = alpha_hat;
  return r;
}

SentinelAttention::SentinelAttention(const SentinelAttentionConfig& cfg, Rng& rng) : cfg_(cfg) {
  if (cfg_.attn_dim == 0) cfg_.attn_dim = cfg_.region_dim;
  if (cfg_.hidden_dim <= 0 || cfg_.region_dim <= 0) throw ConfigError("sentinel attention: hidden_dim and region_dim must be > 0");
  const int64_t A = cfg_.attn_dim;
  visual_proj_ = register_module("visual_proj", std::make_shared<nn::Linear>(cfg_.region_dim, A, rng, false));
  hidden_proj_ = register_module("hidden_proj", std::make_shared<nn::Linear>(cfg_.hidden_dim, A, rng, false));
  sentinel_proj_ = register_module("sentinel_proj", std::make_shared<nn::Linear>(cfg_.region_dim, A, rng, false));
  score_v_ = register_module("score_v", std::make_shared<nn::Linear>(A, 1, rng, false));
  if (cfg_.sentinel_bias) bias_ = register_parameter("sentinel_bias", Tensor::full(Shape{1}, cfg_.sentinel_bias_init));
}

AttentionResult SentinelAttention::forward(const Tensor& hidden, const Tensor& regions, const Tensor& sentinel,
                                           const std::vector<int32_t>& region_count, int64_t query_offset,
                                           const Tensor& projected) const {
  const char* op = "sentinel";
  check_memory_shapes(hidden, regions, {}, cfg_.hidden_dim, cfg_.region_dim, op);
  const int64_t B = hidden.size(0), T = hidden.size(1), K = regions.size(1), A = cfg_.attn_dim;
  if (!sentinel.defined() || !(sentinel.shape() == Shape{B, T, cfg_.region_dim}))
    throw ShapeError(std::string(op) + ": expected sentinel [B, T, C] = " + Shape{B, T, cfg_.region_dim}.str() + ", got " +
                     (sentinel.defined() ? sentinel.str() : "undefined"));
  Tensor gh = hidden_proj_->forward(hidden);                                   // W_g h  [B, T, A]
  Tensor z = ops::additive_score(gh, projected.defined() ? projected : project_regions(regions), score_v_->weight());  // [B, T, K]
  Tensor zs = ops::matmul(ops::tanh(ops::add(sentinel_proj_->forward(sentinel), gh)),
                          ops::reshape(score_v_->weight(), Shape{A, 1}));     // [B, T, 1]
  if (bias_.defined()) zs = ops::add(zs, bias_);
  AttentionResult r = sentinel_mix(z, zs, regions, sentinel, SoftAttention::padding_mask(region_count, B, K, hidden.dtype(), op));
  if (recording()) {
    Extras ex;
    ex["sentinel_beta"] = Extra::of(r.extras["beta"].detach(), true, 0);
    recorder_->record({.name = record_name_, .mechanism = "sentinel", .kind = WeightKind::soft, .query_seq = "target",
                       .key_seq = "image", .query_offset = query_offset},
                      ops::reshape(r.weights.detach(), Shape{B, 1, T, K}), std::move(ex));
  }
  return r;
}

}  // namespace attnscope::attention
