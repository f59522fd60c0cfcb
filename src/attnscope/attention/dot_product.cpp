// dot_product_attention: validation, path choice, and the reference path; the fused path is
// fused_attention.cpp. Recording happens here for both paths.
#include "attnscope/attention/dot_product.h"

#include <cmath>
#include <limits>

#include "attnscope/attention/adaptive_span.h"
#include "attnscope/attention/alibi.h"
#include "attnscope/attention/fused_attention.h"
#include "attnscope/attention/kernel_capture.h"
#include "attnscope/attention/qkv_text.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {

Tensor repeat_kv(const Tensor& x, int64_t NH) {
  const int64_t NKV = x.size(1);
  if (NKV == NH) return x;
  const int64_t G = NH / NKV;
  // [B, NKV, 1, N, HS] * ones [1, 1, G, 1, 1] -> [B, NKV, G, N, HS] -> [B, NH, N, HS]; the
  // broadcast's backward sums the G copies back onto their shared head.
  Tensor x5 = ops::reshape(x, Shape{x.size(0), NKV, 1, x.size(2), x.size(3)});
  Tensor rep = ops::mul(x5, Tensor::ones(Shape{1, 1, G, 1, 1}, x.dtype()));
  return ops::reshape(rep, Shape{x.size(0), NH, x.size(2), x.size(3)});
}

namespace {

void check_finite(const Tensor& t, const char* op, const std::string& what) {
  const Tensor c = t.detach().contiguous();
  dispatch_dtype(c.dtype(), [&]<class V>() {
    const V* p = c.data<V>();
    for (int64_t i = 0, n = c.numel(); i < n; ++i)
      if (std::isnan(p[i]) || p[i] == std::numeric_limits<V>::infinity() || (what != "scores" && std::isinf(p[i])))
        throw ValueError(std::string(op) + ": " + what + " " + t.str() + " hold a non-finite value");
  });
}

void validate(const Tensor& q, const Tensor& k, const Tensor& v, const DotProductOptions& opt, const char* op) {
  if (!q.defined() || !k.defined() || !v.defined() || q.ndim() != 4 || k.ndim() != 4 || v.ndim() != 4)
    throw ShapeError(std::string(op) + ": expected q [B, NH, T, HS], k, v [B, NKV, N, HS], got " +
                     (q.defined() && k.defined() && v.defined() ? qkv_dims(q, k, v) : std::string("undefined tensors")));
  if (q.dtype() != k.dtype() || q.dtype() != v.dtype())
    throw ShapeError(std::string(op) + ": dtypes differ: " + qkv_dims(q, k, v));
  if (k.size(0) != q.size(0) || v.size(0) != q.size(0) || k.size(3) != q.size(3) || k.size(1) != v.size(1) ||
      k.size(2) != v.size(2))
    throw ShapeError(std::string(op) + ": " + qkv_dims(q, k, v) + " do not match q [B, NH, T, HS], k [B, NKV, N, HS], v [B, NKV, N, HSv]");
  if (q.size(1) % k.size(1))
    throw ShapeError(std::string(op) + ": query heads NH = " + std::to_string(q.size(1)) +
                     " must be a multiple of key/value heads NKV = " + std::to_string(k.size(1)) + " (" + qkv_dims(q, k, v) + ")");
  const int64_t B = q.size(0), NH = q.size(1), T = q.size(2), N = k.size(2);
  opt.mask.validate(op, B, NH, T, N);
  if (opt.bias.defined()) {
    AttentionMask probe;
    probe.additive = opt.bias;
    try {
      probe.validate(op, B, NH, T, N);
    } catch (const ShapeError&) {
      throw ShapeError(std::string(op) + ": bias " + opt.bias.str() + " does not broadcast to scores " +
                       Shape{B, NH, T, N}.str() + " [B, NH, T, N]");
    }
  }
  if (!opt.alibi_slopes.empty() && static_cast<int64_t>(opt.alibi_slopes.size()) != NH)
    throw ShapeError(std::string(op) + ": " + std::to_string(opt.alibi_slopes.size()) + " ALiBi slopes for NH = " + std::to_string(NH) + " heads");
  if (!(opt.temperature > 0) || !std::isfinite(opt.temperature))
    throw ConfigError(std::string(op) + ": temperature must be finite and > 0, got " + std::to_string(opt.temperature));
  if (!std::isfinite(opt.scale) || opt.scale < 0)
    throw ConfigError(std::string(op) + ": scale must be finite and >= 0 (0 selects 1/sqrt(HS))");
}

}  // namespace

bool fused_supported(const Tensor& q, const Tensor& k, const Tensor& v, const DotProductOptions& opt) {
  return q.dtype() == DType::f32 && opt.normalizer == Normalizer::softmax && k.size(3) == v.size(3) &&
         !opt.soft_mask.defined() &&
         !(opt.bias.defined() && opt.bias.requires_grad() && autograd::grad_enabled());
}

AttentionResult dot_product_attention(const Tensor& q, const Tensor& k, const Tensor& v, const DotProductOptions& opt,
                                      Recorder* recorder, const Site& site_in, const char* op) {
  validate(q, k, v, opt, op);
  const int64_t B = q.size(0), NH = q.size(1), T = q.size(2), HS = q.size(3), N = k.size(2);
  const bool rec = recorder && !recorder->paused();
  // --capture ...,qk: the neuron view's query [B, NH, T, HS] and key [B, NH, N, HS] vectors
  // (grouped key heads repeated per query head) beside the mechanism's own extras.
  Extras with_qk;
  if (rec && recorder->keep().qk) {
    autograd::NoGrad ng;
    with_qk = opt.extras;
    with_qk["query"] = Extra::of(q.detach(), true, 1);
    with_qk["key"] = Extra::of(repeat_kv(k.detach(), NH), true);
  }
  const Extras& extras = with_qk.empty() ? opt.extras : with_qk;
  Site site = site_in;
  if (site.mechanism.empty()) site.mechanism = op;
  if (site.mechanism == "scaled_dot" && opt.normalizer != Normalizer::softmax) site.mechanism = normalizer_name(opt.normalizer);
  site.kind = normalizer_kind(opt.normalizer);
  const double scale = (opt.scale > 0 ? opt.scale : 1.0 / std::sqrt(static_cast<double>(HS))) / opt.temperature;

  bool fused = opt.backend == Backend::fused || (opt.backend == Backend::automatic && fused_supported(q, k, v, opt));
  if (opt.backend == Backend::fused && !fused_supported(q, k, v, opt))
    throw ConfigError(std::string(op) + ": the fused kernel needs f32, softmax, a constant bias and no soft mask (" + qkv_dims(q, k, v) + ")");

  AttentionResult res;
  if (fused) {
    check_finite(q, op, "q");
    check_finite(k, op, "k");
    check_finite(v, op, "v");
    FusedAttentionConfig cfg;
    cfg.scale = static_cast<float>(scale);
    cfg.causal = opt.mask.causal;
    cfg.window = opt.mask.window;
    cfg.key_lengths = opt.mask.key_lengths;
    cfg.alibi_slopes = opt.alibi_slopes;
    if (opt.bias.defined() || opt.mask.additive.defined()) {
      autograd::NoGrad ng;
      Tensor b = opt.bias.defined() ? opt.bias.detach().to(DType::f32) : Tensor();
      if (opt.mask.additive.defined()) {
        const Tensor m = opt.mask.additive.to(DType::f32);
        b = b.defined() ? ops::add(b, m) : m;
      }
      check_finite(b, op, "scores");  // NaN / +inf in a bias or mask
      cfg.bias = b;
    }
    Tensor weights, lse;
    if (opt.need_weights) {
      // The caller wants the weights as a tensor: capture dense into it and record from it.
      weights = Tensor::zeros(Shape{B, NH, T, N});
      kernels::AttentionCapture cap;
      cap.mode = kernels::CaptureMode::dense;
      cap.dense = weights.data<float>();
      res.context = fused_attention(q, k, v, cfg, cap, &lse);
      if (rec) recorder->record(site, weights, extras, lse);
      res.weights = weights;
      return res;
    }
    KernelCapture cap(recorder, site, B, NH, T, N);
    res.context = fused_attention(q, k, v, cfg, cap.kernel(), &lse);
    std::copy_n(lse.data<float>(), B * NH * T, cap.lse());
    cap.finish(extras);
    return res;
  }

  // Reference path: S = q k^T scale + bias + mask; P = normalize(S); O = P v.
  const Tensor kx = repeat_kv(k, NH), vx = repeat_kv(v, NH);
  Tensor s = ops::scale(ops::matmul(q, ops::transpose(kx, -1, -2)), scale);  // [B, NH, T, N]
  if (opt.bias.defined()) s = ops::add(s, opt.bias.dtype() == s.dtype() ? opt.bias : opt.bias.to(s.dtype()));
  check_finite(s, op, "scores");
  Tensor mask = opt.mask.to_additive(B, T, N, q.dtype());  // constant: [B or 1, 1 or NH, T, N]
  if (!opt.alibi_slopes.empty()) {
    autograd::NoGrad ng;
    Tensor a = alibi_bias(opt.alibi_slopes, T, N, q.dtype());
    mask = mask.defined() ? ops::add(mask, a) : a;
  }
  Tensor p = normalize(s, mask, opt.normalizer);
  if (opt.soft_mask.defined()) p = apply_soft_mask(p, opt.soft_mask.dtype() == p.dtype() ? opt.soft_mask : opt.soft_mask.to(p.dtype()));
  res.context = ops::matmul(p, vx);  // [B, NH, T, HSv]
  res.weights = p;
  if (rec) recorder->record(site, p, extras);
  return res;
}

}  // namespace attnscope::attention
