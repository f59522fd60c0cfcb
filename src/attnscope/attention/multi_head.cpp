#include "attnscope/attention/multi_head.h"

#include "attnscope/attention/alibi.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {

MultiHeadAttention::MultiHeadAttention(const MultiHeadConfig& cfg, Rng& rng) : cfg_(cfg) {
  if (cfg_.num_kv_heads == 0) cfg_.num_kv_heads = cfg_.num_heads;
  if (cfg_.kv_dim == 0) cfg_.kv_dim = cfg_.dim;
  if (cfg_.dim <= 0 || cfg_.num_heads <= 0 || cfg_.num_kv_heads <= 0 || cfg_.num_heads % cfg_.num_kv_heads)
    throw ConfigError("multi_head: need dim > 0 and num_heads a positive multiple of num_kv_heads (dim " +
                      std::to_string(cfg_.dim) + ", heads " + std::to_string(cfg_.num_heads) + ", kv heads " +
                      std::to_string(cfg_.num_kv_heads) + ")");
  if (cfg_.head_dim == 0) {
    if (cfg_.dim % cfg_.num_heads)
      throw ConfigError("multi_head: dim " + std::to_string(cfg_.dim) + " is not divisible by " +
                        std::to_string(cfg_.num_heads) + " heads (set head_dim)");
    cfg_.head_dim = cfg_.dim / cfg_.num_heads;
  }
  const int64_t NH = cfg_.num_heads, NKV = cfg_.num_kv_heads, HS = cfg_.head_dim;
  q_proj_ = register_module("q_proj", std::make_shared<nn::Linear>(cfg_.dim, NH * HS, rng, cfg_.bias));
  k_proj_ = register_module("k_proj", std::make_shared<nn::Linear>(cfg_.kv_dim, NKV * HS, rng, cfg_.bias));
  v_proj_ = register_module("v_proj", std::make_shared<nn::Linear>(cfg_.kv_dim, NKV * HS, rng, cfg_.bias));
  o_proj_ = register_module("o_proj", std::make_shared<nn::Linear>(NH * HS, cfg_.dim, rng, cfg_.bias));
  if (cfg_.position_bias == PositionBias::relative)
    relative_bias_ = register_module("relative_bias", std::make_shared<RelativePositionBias>(
                                                          NH, rng, cfg_.relative_buckets, cfg_.relative_max_distance, !cfg_.causal));
  if (cfg_.position_bias == PositionBias::alibi) alibi_ = alibi_slopes(NH);
  if (cfg_.adaptive_span > 0)
    adaptive_span_ = register_module("adaptive_span", std::make_shared<AdaptiveSpan>(NH, cfg_.adaptive_span, cfg_.adaptive_span_ramp));
}

AttentionResult MultiHeadAttention::forward(const Tensor& x, const AttentionCall& call) const {
  return run(x, x, false, call);
}

AttentionResult MultiHeadAttention::forward(const Tensor& x, const Tensor& memory, const AttentionCall& call) const {
  return run(x, memory, true, call);
}

AttentionResult MultiHeadAttention::run(const Tensor& x, const Tensor& memory, bool cross, const AttentionCall& call) const {
  const char* op = cross ? "multi_head cross-attention" : "multi_head self-attention";
  if (!x.defined() || x.ndim() != 3 || x.size(2) != cfg_.dim)
    throw ShapeError(std::string(op) + ": expected x [B, T, C = " + std::to_string(cfg_.dim) + "], got " + (x.defined() ? x.str() : "undefined"));
  if (cross && (!memory.defined() || memory.ndim() != 3 || memory.size(0) != x.size(0) || memory.size(2) != cfg_.kv_dim))
    throw ShapeError(std::string(op) + ": expected memory [B = " + std::to_string(x.size(0)) + ", N, " +
                     std::to_string(cfg_.kv_dim) + "], got " + (memory.defined() ? memory.str() : "undefined"));
  const int64_t B = x.size(0), T = x.size(1), NH = cfg_.num_heads, NKV = cfg_.num_kv_heads, HS = cfg_.head_dim;
  KVCache* cache = call.cache;
  const int64_t offset = call.query_offset >= 0 ? call.query_offset : (cache && !cross ? cache->length() : 0);

  // q [B, NH, T, HS]
  Tensor q = ops::permute(ops::reshape(q_proj_->forward(x), Shape{B, T, NH, HS}), {0, 2, 1, 3});
  if (cfg_.rope) q = rope(q, offset, cfg_.rope_options);
  // k, v [B, NKV, N, HS]
  Tensor k, v;
  if (cross && cache && !cache->empty()) {
    k = cache->keys();  // static memory: projected once
    v = cache->values();
  } else {
    const int64_t Nn = memory.size(1);
    k = ops::permute(ops::reshape(k_proj_->forward(memory), Shape{B, Nn, NKV, HS}), {0, 2, 1, 3});
    v = ops::permute(ops::reshape(v_proj_->forward(memory), Shape{B, Nn, NKV, HS}), {0, 2, 1, 3});
    if (cfg_.rope && !cross) k = rope(k, offset, cfg_.rope_options);
    if (cache) {
      cache->append(k, v);
      k = cache->keys();
      v = cache->values();
    }
  }
  const int64_t N = k.size(2);

  DotProductOptions o;
  o.mask.causal = cfg_.causal && !cross;
  o.mask.window = cfg_.window;
  o.mask.key_lengths = call.key_lengths;
  o.mask.additive = call.mask;
  o.alibi_slopes = alibi_;
  o.temperature = cfg_.temperature;
  o.normalizer = cfg_.normalizer;
  o.backend = call.weights_grad ? Backend::reference : cfg_.backend;
  o.need_weights = call.need_weights;
  if (relative_bias_) o.bias = relative_bias_->forward(T, N, N - T);  // query row i sits at key position N - T + i
  if (adaptive_span_) o.soft_mask = adaptive_span_->mask(T, N);
  if (call.prior.defined()) o.bias = o.bias.defined() ? ops::add(o.bias, call.prior) : call.prior;
  Site site{.name = record_name_, .mechanism = "scaled_dot", .query_seq = query_seq_or("tokens"),
            .key_seq = key_seq_or(cross ? "source" : "tokens"),
            .query_offset = offset};
  if (recording()) {
    if (adaptive_span_) o.extras["span"] = Extra::of(adaptive_span_->spans().detach(), false);
    if (!alibi_.empty()) o.extras["alibi_slope"] = Extra::of(Tensor::from(std::span<const float>(alibi_), Shape{NH}), false);
    if (o.bias.defined() && recorder_->keep().mode == io::TraceKeep::dense) {
      // The additive bias this call used, so its effect on the weights can be read off the trace.
      autograd::NoGrad ng;
      Tensor full = ops::add(o.bias.detach().to(DType::f32), Tensor::zeros(Shape{B, NH, T, N}));
      o.extras["bias"] = Extra::of(full, true, 1);
    }
  }
  AttentionResult r = dot_product_attention(q, k, v, o, recording() ? recorder_ : nullptr, site, op);
  // [B, NH, T, HS] -> [B, T, NH * HS] -> o_proj
  Tensor ctx = ops::reshape(ops::contiguous(ops::permute(r.context, {0, 2, 1, 3})), Shape{B, T, NH * HS});
  r.context = o_proj_->forward(ctx);
  return r;
}

}  // namespace attnscope::attention
