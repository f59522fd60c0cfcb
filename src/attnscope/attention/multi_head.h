// Multi-head self- and cross-attention (Vaswani et al. 2017) as an nn::Module:
//   q = x Wq, k = m Wk, v = m Wv (m = x for self-attention, the memory for cross-attention),
//   per head: O_h = normalize(q_h k_h^T / sqrt(HS) / temperature + bias + mask) v_h,
//   out = concat_h(O_h) Wo.
// With grouped-query heads (NKV < NH key/value heads; Ainslie et al. 2023), causal / padding /
// sliding-window masks, variable lengths in a batch (key_lengths), a KV cache for incremental
// decoding (output equal to the full recompute), RoPE on q and k, ALiBi or a learned T5 relative
// bias, a temperature, and a user prior (an additive guide such as "prefer the diagonal"), all
// of which show in the recorded weights. Softmax runs on the fused kernel by default.
// Parameter names: q_proj, k_proj, v_proj, o_proj (.weight/.bias), relative_bias.embedding,
// adaptive_span.span.
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "attnscope/attention/adaptive_span.h"
#include "attnscope/attention/dot_product.h"
#include "attnscope/attention/kv_cache.h"
#include "attnscope/attention/recorder.h"
#include "attnscope/attention/relative_bias.h"
#include "attnscope/attention/rope.h"
#include "attnscope/nn/linear.h"

namespace attnscope::attention {

enum class PositionBias : uint8_t { none, alibi, relative };

struct MultiHeadConfig {
  int64_t dim = 0;           // C: width of the query input and of the output
  int64_t num_heads = 1;     // NH
  int64_t num_kv_heads = 0;  // NKV; 0: NH. NH % NKV == 0 (grouped-query attention)
  int64_t kv_dim = 0;        // width of the key/value input (cross-attention memory); 0: dim
  int64_t head_dim = 0;      // HS; 0: dim / NH
  bool bias = true;          // projections with bias
  bool causal = false;
  int64_t window = 0;        // > 0: fixed sliding window of that many keys
  bool rope = false;
  RopeOptions rope_options{};
  PositionBias position_bias = PositionBias::none;
  int64_t relative_buckets = 32, relative_max_distance = 128;
  double temperature = 1.0;
  int64_t adaptive_span = 0;  // > 0: learned span per head up to this many keys (Sukhbaatar 2019)
  double adaptive_span_ramp = 32;
  Normalizer normalizer = Normalizer::softmax;
  Backend backend = Backend::automatic;
};

// Per-call inputs.
struct AttentionCall {
  std::vector<int32_t> key_lengths{};  // [B] valid keys (padding on the right); empty: all
  Tensor prior{};                    // additive guide broadcastable to [B, NH, T, N] (constant or learned)
  Tensor mask{};                     // extra additive mask broadcastable to [B, NH, T, N]
  KVCache* cache = nullptr;          // incremental decoding (self: appends; cross: filled once)
  int64_t query_offset = -1;         // position of query row 0; -1: the self-attention cache length
  bool need_weights = false;         // return weights even on the fused path
  bool weights_grad = false;         // return weights that carry gradients (runs the reference path)
};

class MultiHeadAttention : public nn::Module, public Recordable {
 public:
  MultiHeadAttention(const MultiHeadConfig& cfg, Rng& rng);
  std::string type_name() const override { return "MultiHeadAttention"; }

  // Self-attention: x [B, T, C] -> context [B, T, C], weights [B, NH, T, N].
  AttentionResult forward(const Tensor& x, const AttentionCall& call = {}) const;
  // Cross-attention: queries from x [B, T, C], keys/values from memory [B, N, Ckv].
  AttentionResult forward(const Tensor& x, const Tensor& memory, const AttentionCall& call = {}) const;

  const MultiHeadConfig& config() const { return cfg_; }
  nn::Linear& q_proj() const { return *q_proj_; }
  nn::Linear& k_proj() const { return *k_proj_; }
  nn::Linear& v_proj() const { return *v_proj_; }
  nn::Linear& o_proj() const { return *o_proj_; }
  // The adaptive span (null unless config().adaptive_span > 0): spans(), penalty(lambda).
  const AdaptiveSpan* adaptive_span() const { return adaptive_span_.get(); }
  // Head pruning (Michel et al. 2019): pruned [NH], 1 = the head is removed — its q/k/v rows and
  // o columns are not multiplied and the kernel runs over the kept heads only, so the output is
  // that of zeroing the head's context before o_proj, computed faster. Empty (or all zero): none.
  // The kept weights are copied now (set the mask after training or loading); the pruned
  // forward is for inference, and weights / recordings hold the kept heads only.
  // ShapeError for another size; ConfigError with grouped-query heads (NKV < NH).
  void prune_heads(const std::vector<uint8_t>& pruned);
  int64_t kept_heads() const { return pruned_ ? static_cast<int64_t>(pruned_->heads.size()) : cfg_.num_heads; }

 private:
  AttentionResult run(const Tensor& x, const Tensor& memory, bool cross, const AttentionCall& call) const;
  MultiHeadConfig cfg_;
  std::shared_ptr<nn::Linear> q_proj_, k_proj_, v_proj_, o_proj_;
  std::shared_ptr<RelativePositionBias> relative_bias_;
  std::shared_ptr<AdaptiveSpan> adaptive_span_;
  std::vector<float> alibi_;
  // The kept heads and their projection weights (detached copies), when some head is pruned.
  struct Pruned {
    std::vector<int64_t> heads;
    Tensor wq, bq, wk, bk, wv, bv, wo;  // [NHk*HS, C] ([C, NHk*HS] for wo); biases [NHk*HS]
  };
  std::shared_ptr<const Pruned> pruned_;
};

}  // namespace attnscope::attention
