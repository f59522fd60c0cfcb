#include "attnscope/attention/multi_head.h"

#include <algorithm>

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

namespace {

// y = x W^T (+ b), as nn::Linear::forward, for the pruned copies of its weights.
Tensor linear(const Tensor& x, const Tensor& w, const Tensor& b) {
  Tensor y = ops::matmul(x, ops::transpose(w, 0, 1));
  return b.defined() ? ops::add(y, b) : y;
}

}  // namespace

void MultiHeadAttention::prune_heads(const std::vector<uint8_t>& pruned) {
  const int64_t NH = cfg_.num_heads, HS = cfg_.head_dim;
  if (!pruned.empty() && static_cast<int64_t>(pruned.size()) != NH)
    throw ShapeError("multi_head: head pruning mask of " + std::to_string(pruned.size()) + " entries for " +
                     std::to_string(NH) + " heads");
  pruned_.reset();
  if (std::none_of(pruned.begin(), pruned.end(), [](uint8_t b) { return b != 0; })) return;
  if (cfg_.num_kv_heads != NH)
    throw ConfigError("multi_head: head pruning needs one key/value head per query head (" + std::to_string(NH) +
                      " heads, " + std::to_string(cfg_.num_kv_heads) + " kv heads)");
  autograd::NoGrad ng;
  auto p = std::make_shared<Pruned>();
  std::vector<int64_t> rows;
  for (int64_t h = 0; h < NH; ++h)
    if (!pruned[h]) {
      p->heads.push_back(h);
      for (int64_t i = 0; i < HS; ++i) rows.push_back(h * HS + i);
    }
  auto pick = [&](const Tensor& t, int dim) { return t.defined() ? ops::contiguous(ops::index_select(t.detach(), dim, rows)) : Tensor{}; };
  p->wq = pick(q_proj_->weight(), 0), p->bq = pick(q_proj_->bias(), 0);
  p->wk = pick(k_proj_->weight(), 0), p->bk = pick(k_proj_->bias(), 0);
  p->wv = pick(v_proj_->weight(), 0), p->bv = pick(v_proj_->bias(), 0);
  p->wo = pick(o_proj_->weight(), 1);
  pruned_ = std::move(p);
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
  const int64_t B = x.size(0), T = x.size(1), HS = cfg_.head_dim;
  KVCache* cache = call.cache;
  const int64_t offset = call.query_offset >= 0 ? call.query_offset : (cache && !cross ? cache->length() : 0);

  // Pruned heads: everything below runs over the kept heads only (NH of them from here on).
  const Pruned* pr = pruned_.get();
  const int64_t NH = pr ? static_cast<int64_t>(pr->heads.size()) : cfg_.num_heads;
  const int64_t NKV = pr ? NH : cfg_.num_kv_heads;
  auto q_of = [&](const Tensor& in) { return pr ? linear(in, pr->wq, pr->bq) : q_proj_->forward(in); };
  auto k_of = [&](const Tensor& in) { return pr ? linear(in, pr->wk, pr->bk) : k_proj_->forward(in); };
  auto v_of = [&](const Tensor& in) { return pr ? linear(in, pr->wv, pr->bv) : v_proj_->forward(in); };
  // Per-head operands (biases, priors, masks [.., NH, T, N]) keep the kept heads' slices.
  auto heads_of = [&](const Tensor& t) {
    if (!pr || !t.defined() || t.ndim() < 3 || t.size(t.ndim() - 3) != cfg_.num_heads) return t;
    return ops::index_select(t, static_cast<int>(t.ndim() - 3), pr->heads);
  };
  if (pr && NH == 0) {  // every head pruned: the layer adds o_proj's bias only
    AttentionResult r;
    r.context = Tensor::zeros(Shape{B, T, cfg_.dim});
    if (o_proj_->bias().defined()) r.context = ops::add(r.context, o_proj_->bias());
    return r;
  }
  // q [B, NH, T, HS]
  Tensor q = ops::permute(ops::reshape(q_of(x), Shape{B, T, NH, HS}), {0, 2, 1, 3});
  if (cfg_.rope) q = rope(q, offset, cfg_.rope_options);
  // k, v [B, NKV, N, HS]
  Tensor k, v;
  if (cross && cache && !cache->empty()) {
    k = cache->keys();  // static memory: projected once
    v = cache->values();
  } else {
    const int64_t Nn = memory.size(1);
    k = ops::permute(ops::reshape(k_of(memory), Shape{B, Nn, NKV, HS}), {0, 2, 1, 3});
    v = ops::permute(ops::reshape(v_of(memory), Shape{B, Nn, NKV, HS}), {0, 2, 1, 3});
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
  o.mask.additive = heads_of(call.mask);
  o.alibi_slopes = alibi_;
  if (pr && !alibi_.empty()) {
    o.alibi_slopes.clear();
    for (int64_t h : pr->heads) o.alibi_slopes.push_back(alibi_[h]);
  }
  o.temperature = cfg_.temperature;
  o.normalizer = cfg_.normalizer;
  o.backend = call.weights_grad ? Backend::reference : cfg_.backend;
  o.need_weights = call.need_weights;
  if (relative_bias_) o.bias = heads_of(relative_bias_->forward(T, N, N - T));  // query row i sits at key position N - T + i
  if (adaptive_span_) o.soft_mask = heads_of(adaptive_span_->mask(T, N));
  const Tensor prior = heads_of(call.prior);
  if (prior.defined()) o.bias = o.bias.defined() ? ops::add(o.bias, prior) : prior;
  Site site{.name = record_name_, .mechanism = "scaled_dot", .query_seq = query_seq_or("tokens"),
            .key_seq = key_seq_or(cross ? "source" : "tokens"),
            .query_offset = offset};
  if (recording()) {
    if (adaptive_span_) o.extras["span"] = Extra::of(adaptive_span_->spans().detach(), false);
    if (!alibi_.empty()) o.extras["alibi_slope"] = Extra::of(Tensor::from(std::span<const float>(o.alibi_slopes), Shape{NH}), false);
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
  r.context = pr ? linear(ctx, pr->wo, o_proj_->bias()) : o_proj_->forward(ctx);
  return r;
}

}  // namespace attnscope::attention
