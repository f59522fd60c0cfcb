// Adaptive attention span (Sukhbaatar, Grave, Bojanowski & Joulin 2019): each head learns how far
// back it looks. A soft ramp mask of the distance x = p(i) - j multiplies the weights:
//   m_z(x) = clamp((R + z - x) / R, 0, 1)          z in [0, S] learned per head, R the ramp
//   a_ij = m_z(x_ij) p_ij / sum_j' m_z(x_ij') p_ij'  (p the softmax weights)
// so keys farther than z + R get exactly 0, and an L1 penalty lambda / NH * sum_h z_h shrinks
// spans that do not pay off. The recorder shows the learned spans (extra "span" [NH]).
// Parameter: span [NH], the fraction z / S (kept in [0, 1] by a clamp in the forward).
#pragma once
#include <cstdint>

#include "attnscope/nn/module.h"

namespace attnscope::attention {

// The ramp mask [1, NH, T, N] from spans z [NH] (differentiable), for rows at key positions
// p(i) = i + (N - T) (bottom-right alignment, like every mask here).
Tensor span_ramp_mask(const Tensor& z, int64_t T, int64_t N, double ramp);
// a = p m / sum(p m) over the last dim (differentiable in p and m). Rows whose product is all
// zero stay zero.
Tensor apply_soft_mask(const Tensor& p, const Tensor& m);

class AdaptiveSpan : public nn::Module {
 public:
  AdaptiveSpan(int64_t num_heads, int64_t max_span, double ramp = 32, double init_fraction = 0.5);
  std::string type_name() const override { return "AdaptiveSpan"; }
  Tensor spans() const;                       // z [NH] in positions
  Tensor mask(int64_t T, int64_t N) const;    // [1, NH, T, N]
  Tensor penalty(double lambda) const;        // lambda / NH * sum z (scalar)
  int64_t max_span() const { return max_span_; }
  double ramp() const { return ramp_; }

 private:
  int64_t num_heads_, max_span_;
  double ramp_;
  Tensor fraction_;  // [NH]
};

}  // namespace attnscope::attention
