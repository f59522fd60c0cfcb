#include "attnscope/attention/local.h"

#include <cmath>
#include <limits>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {

LocalAttention::LocalAttention(const LocalAttentionConfig& cfg, Rng& rng) : cfg_(cfg) {
  if (cfg_.window < 1) throw ConfigError("local attention: window D must be >= 1, got " + std::to_string(cfg_.window));
  align_ = register_module("align", std::make_shared<SoftAttention>(cfg_.align, rng));
  if (cfg_.mode == LocalMode::predictive) {
    const int64_t H = cfg_.centre_dim ? cfg_.centre_dim : cfg_.align.query_dim;
    centre_proj_ = register_module("centre_proj", std::make_shared<nn::Linear>(cfg_.align.query_dim, H, rng, false));
    centre_v_ = register_module("centre_v", std::make_shared<nn::Linear>(H, 1, rng, false));
  }
}

Tensor local_weights(const Tensor& e, const Tensor& centre, int64_t D_in, const Tensor& pad, Normalizer n) {
  if (e.ndim() != 3 || centre.ndim() != 2 || centre.size(0) != e.size(0) || centre.size(1) != e.size(1))
    throw ShapeError("local attention: expected scores [B, T, N] and centres [B, T], got " + e.str() + ", " + centre.str());
  const int64_t B = e.size(0), T = e.size(1), N = e.size(2);
  const DType dt = e.dtype();
  const double D = static_cast<double>(D_in), sigma = D / 2;
  // Window mask from the (detached) centre: keys with |s - p| > D excluded.
  Tensor mask = Tensor::zeros(Shape{B, T, N}, dt);
  {
    const std::vector<double> p = centre.detach().contiguous().to_vector_f64();
    dispatch_dtype(dt, [&]<class V>() {
      V* w = mask.data<V>();
      for (int64_t bt = 0; bt < B * T; ++bt)
        for (int64_t s = 0; s < N; ++s)
          if (std::abs(static_cast<double>(s) - p[bt]) > D) w[bt * N + s] = -std::numeric_limits<V>::infinity();
    });
  }
  if (pad.defined()) {
    autograd::NoGrad ng;
    mask = ops::add(mask, pad);
  }
  Tensor align = normalize(e, mask, n);
  // Gaussian exp(-(s - p)^2 / (2 sigma^2)) [B, T, N], differentiable in p.
  Tensor pos = ops::reshape(Tensor::arange(N, dt), Shape{1, 1, N});
  Tensor d = ops::sub(pos, ops::reshape(centre, Shape{B, T, 1}));
  Tensor gauss = ops::exp(ops::scale(ops::mul(d, d), -1.0 / (2 * sigma * sigma)));
  return ops::mul(align, gauss);
}

AttentionResult LocalAttention::forward(const Tensor& query, const Tensor& keys, const Tensor& values_in,
                                        const SoftCall& call) const {
  const char* op = cfg_.mode == LocalMode::predictive ? "local_p" : "local_m";
  check_memory_shapes(query, keys, values_in, cfg_.align.query_dim, cfg_.align.key_dim, op);
  const Tensor values = values_in.defined() ? values_in : keys;
  const int64_t B = query.size(0), T = query.size(1), N = keys.size(1);
  const DType dt = query.dtype();
  Tensor pad = SoftAttention::padding_mask(call.key_lengths, B, N, dt, op);  // validates lengths

  // Centre p [B, T, 1].
  Tensor centre;
  if (cfg_.mode == LocalMode::predictive) {
    std::vector<double> S(B);
    for (int64_t b = 0; b < B; ++b) S[b] = static_cast<double>((call.key_lengths.empty() ? N : call.key_lengths[b]) - 1);
    Tensor Sb = Tensor::from(std::span<const double>(S), Shape{B, 1, 1}).to(dt);
    centre = ops::mul(ops::sigmoid(centre_v_->forward(ops::tanh(centre_proj_->forward(query)))), Sb);
  } else {
    Tensor t = Tensor::arange(T, dt);
    centre = ops::reshape(ops::add_scalar(t, static_cast<double>(call.query_offset)), Shape{1, T, 1});
    centre = ops::add(centre, Tensor::zeros(Shape{B, 1, 1}, dt));
  }
  Tensor e = align_->scores(query, keys, call.projected_keys);  // [B, T, N]
  if (align_->config().temperature != 1.0) e = ops::scale(e, 1.0 / align_->config().temperature);
  e = add_prior(e, call.prior, op);
  AttentionResult r;
  r.weights = local_weights(e, ops::reshape(centre, Shape{B, T}), cfg_.window, pad, align_->config().normalizer);
  r.context = ops::matmul(r.weights, values);
  r.extras["centre"] = ops::reshape(centre, Shape{B, T});
  if (recording()) {
    Extras ex;
    ex["centre"] = Extra::of(r.extras["centre"].detach(), true, 0);
    recorder_->record({.name = record_name_, .mechanism = op, .kind = WeightKind::soft, .query_seq = "target",
                       .key_seq = "source", .query_offset = call.query_offset},
                      ops::reshape(r.weights.detach(), Shape{B, 1, T, N}), std::move(ex));
  }
  return r;
}

}  // namespace attnscope::attention
