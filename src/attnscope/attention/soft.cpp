#include "attnscope/attention/soft.h"

#include <cmath>
#include <limits>

#include "attnscope/attention/mask.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {

const char* score_name(Score s) {
  switch (s) {
    case Score::additive: return "additive";
    case Score::concat: return "concat";
    case Score::dot: return "dot";
    case Score::general: return "general";
    case Score::scaled_dot: return "scaled_dot";
  }
  return "?";
}

void check_memory_shapes(const Tensor& query, const Tensor& keys, const Tensor& values, int64_t Cq, int64_t Ck,
                         const char* op) {
  auto s = [](const Tensor& t) { return t.defined() ? t.str() : std::string("undefined"); };
  const std::string got = "query " + s(query) + ", keys " + s(keys) + (values.defined() ? ", values " + values.str() : "");
  if (!query.defined() || !keys.defined() || query.ndim() != 3 || keys.ndim() != 3 || query.size(0) != keys.size(0) ||
      query.size(2) != Cq || keys.size(2) != Ck)
    throw ShapeError(std::string(op) + ": expected query [B, T, " + std::to_string(Cq) + "] and keys [B, N, " +
                     std::to_string(Ck) + "], got " + got);
  if (values.defined() && (values.ndim() != 3 || values.size(0) != keys.size(0) || values.size(1) != keys.size(1)))
    throw ShapeError(std::string(op) + ": values must be [B, N, Cv] matching keys, got " + got);
}

SoftAttention::SoftAttention(const SoftAttentionConfig& cfg, Rng& rng) : cfg_(cfg) {
  if (cfg_.attn_dim == 0) cfg_.attn_dim = cfg_.key_dim;
  if (cfg_.query_dim <= 0 || cfg_.key_dim <= 0)
    throw ConfigError(std::string("soft attention (") + score_name(cfg_.score) + "): query_dim and key_dim must be > 0");
  if ((cfg_.score == Score::dot || cfg_.score == Score::scaled_dot) && cfg_.query_dim != cfg_.key_dim)
    throw ConfigError(std::string("soft attention (") + score_name(cfg_.score) + "): needs query_dim == key_dim, got " +
                      std::to_string(cfg_.query_dim) + " and " + std::to_string(cfg_.key_dim));
  if (!(cfg_.temperature > 0)) throw ConfigError("soft attention: temperature must be > 0");
  switch (cfg_.score) {
    case Score::additive:
    case Score::concat:
      query_proj_ = register_module("query_proj", std::make_shared<nn::Linear>(cfg_.query_dim, cfg_.attn_dim, rng, false));
      key_proj_ = register_module("key_proj", std::make_shared<nn::Linear>(cfg_.key_dim, cfg_.attn_dim, rng, true));
      score_v_ = register_module("score_v", std::make_shared<nn::Linear>(cfg_.attn_dim, 1, rng, false));
      break;
    case Score::general:
      key_proj_ = register_module("key_proj", std::make_shared<nn::Linear>(cfg_.key_dim, cfg_.query_dim, rng, false));
      break;
    case Score::dot:
    case Score::scaled_dot: break;
  }
}

Tensor SoftAttention::project_keys(const Tensor& keys) const {
  return key_proj_ ? key_proj_->forward(keys) : keys;
}

Tensor SoftAttention::scores(const Tensor& query, const Tensor& keys, const Tensor& projected) const {
  const char* op = score_name(cfg_.score);
  check_memory_shapes(query, keys, {}, cfg_.query_dim, cfg_.key_dim, op);
  const Tensor pk = projected.defined() ? projected : project_keys(keys);
    switch (cfg_.score) {
    case Score::additive:
    case Score::concat: {
      return ops::additive_score(query_proj_->forward(query), pk, score_v_->weight());  // v . tanh(W_q s + pk)
    }
    case Score::general:
      return ops::matmul(query, ops::transpose(pk, 1, 2));  // [B, T, N]
    case Score::dot:
      return ops::matmul(query, ops::transpose(keys, 1, 2));
    case Score::scaled_dot:
      return ops::scale(ops::matmul(query, ops::transpose(keys, 1, 2)), 1.0 / std::sqrt(static_cast<double>(cfg_.key_dim)));
  }
  return {};
}

Tensor add_prior(const Tensor& e, const Tensor& prior, const char* op) {
  if (!prior.defined()) return e;
  bool ok = prior.ndim() <= e.ndim();
  for (int d = 0; ok && d < prior.ndim(); ++d) {
    const int64_t p = prior.shape()[d], s = e.shape()[d + e.ndim() - prior.ndim()];
    ok = p == 1 || p == s;
  }
  if (!ok) throw ShapeError(std::string(op) + ": prior " + prior.str() + " does not broadcast to scores " + e.str() + " [B, T, N]");
  return ops::add(e, prior.dtype() == e.dtype() ? prior : prior.to(e.dtype()));
}

Tensor SoftAttention::padding_mask(const std::vector<int32_t>& key_lengths, int64_t B, int64_t N, DType dtype, const char* op) {
  if (key_lengths.empty()) return {};
  AttentionMask m;
  m.key_lengths = key_lengths;
  m.validate(op, B, 1, 1, N);
  return ops::reshape(m.to_additive(B, 1, N, dtype), Shape{B, 1, N});
}

AttentionResult SoftAttention::forward(const Tensor& query, const Tensor& keys, const Tensor& values_in,
                                       const SoftCall& call) const {
  const char* op = score_name(cfg_.score);
  check_memory_shapes(query, keys, values_in, cfg_.query_dim, cfg_.key_dim, op);
  const Tensor values = values_in.defined() ? values_in : keys;
  const int64_t B = query.size(0), T = query.size(1), N = keys.size(1);
  Tensor e = scores(query, keys, call.projected_keys);  // [B, T, N]
  if (cfg_.temperature != 1.0) e = ops::scale(e, 1.0 / cfg_.temperature);
  e = add_prior(e, call.prior, op);
  {
    const Tensor ed = e.detach();
    dispatch_dtype(ed.dtype(), [&]<class V>() {
      const Tensor c = ed.contiguous();
      const V* p = c.data<V>();
      for (int64_t i = 0; i < c.numel(); ++i)
        if (std::isnan(p[i]) || p[i] == std::numeric_limits<V>::infinity())
          throw ValueError(std::string(op) + " attention: scores " + e.str() + " hold a non-finite value");
    });
  }
  const Tensor mask = padding_mask(call.key_lengths, B, N, e.dtype(), op);
  AttentionResult r;
  r.weights = normalize(e, mask, cfg_.normalizer);  // [B, T, N]
  r.context = ops::matmul(r.weights, values);        // [B, T, Cv]
  if (recording()) {
    Extras ex;
    if (call.prior.defined() && recorder_->keep().mode == io::TraceKeep::dense) {
      autograd::NoGrad ng;
      ex["bias"] = Extra::of(ops::add(call.prior.detach().to(DType::f32), Tensor::zeros(Shape{B, T, N})), true, 0);
    }
    recorder_->record({.name = record_name_, .mechanism = op, .kind = normalizer_kind(cfg_.normalizer),
                       .query_seq = query_seq_or("target"), .key_seq = key_seq_or("source"), .query_offset = call.query_offset},
                      ops::reshape(r.weights.detach(), Shape{B, 1, T, N}), std::move(ex));
  }
  return r;
}

}  // namespace attnscope::attention
