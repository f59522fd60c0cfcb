#include "attnscope/attention/adaptive_span.h"

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {

namespace {
// clamp(x, 0, 1) = relu(x) - relu(x - 1), differentiable inside (0, 1).
Tensor clamp01(const Tensor& x) { return ops::sub(ops::relu(x), ops::relu(ops::add_scalar(x, -1.0))); }
}  // namespace

Tensor span_ramp_mask(const Tensor& z, int64_t T, int64_t N, double ramp) {
  if (z.ndim() != 1) throw ShapeError("adaptive span: expected spans z [NH], got " + z.str());
  if (!(ramp > 0)) throw ConfigError("adaptive span: ramp R must be > 0");
  const int64_t NH = z.size(0);
  Tensor dist = Tensor::empty(Shape{1, 1, T, N}, z.dtype());  // x = p(i) - j
  dispatch_dtype(z.dtype(), [&]<class V>() {
    V* d = dist.data<V>();
    for (int64_t i = 0; i < T; ++i)
      for (int64_t j = 0; j < N; ++j) d[i * N + j] = static_cast<V>(i + (N - T) - j);
  });
  // (R + z - x) / R = 1 + (z - x) / R
  Tensor u = ops::add_scalar(ops::scale(ops::sub(ops::reshape(z, Shape{1, NH, 1, 1}), dist), 1.0 / ramp), 1.0);
  return clamp01(u);
}

Tensor apply_soft_mask(const Tensor& p, const Tensor& m) {
  Tensor w = ops::mul(p, m);
  // Guard the all-zero rows: add 1 to their denominator (their numerator is 0 anyway).
  Tensor s = ops::sum(w, {-1}, true);
  Tensor zero_rows = Tensor::zeros(s.shape(), s.dtype());
  {
    const std::vector<double> sv = s.detach().contiguous().to_vector_f64();
    dispatch_dtype(s.dtype(), [&]<class V>() {
      V* zr = zero_rows.data<V>();
      for (size_t i = 0; i < sv.size(); ++i) zr[i] = sv[i] == 0 ? V(1) : V(0);
    });
  }
  return ops::div(w, ops::add(s, zero_rows));
}

AdaptiveSpan::AdaptiveSpan(int64_t num_heads, int64_t max_span, double ramp, double init_fraction)
    : num_heads_(num_heads), max_span_(max_span), ramp_(ramp) {
  if (num_heads < 1 || max_span < 1 || !(ramp > 0))
    throw ConfigError("adaptive span: need heads >= 1, max_span >= 1 and ramp > 0");
  fraction_ = register_parameter("span", Tensor::full(Shape{num_heads}, init_fraction));
}

Tensor AdaptiveSpan::spans() const { return ops::scale(clamp01(fraction_), static_cast<double>(max_span_)); }

Tensor AdaptiveSpan::mask(int64_t T, int64_t N) const { return span_ramp_mask(spans(), T, N, ramp_); }

Tensor AdaptiveSpan::penalty(double lambda) const {
  return ops::scale(ops::sum(spans()), lambda / static_cast<double>(num_heads_));
}

}  // namespace attnscope::attention
