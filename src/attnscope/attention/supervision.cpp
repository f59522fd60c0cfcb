#include "attnscope/attention/supervision.h"

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {

Tensor attention_supervision_loss(const Tensor& att, const AttentionGold& gold) {
  if (att.ndim() != 3) throw ShapeError("attention_supervision_loss: expected attention [B, T, S], got " + att.str());
  const int64_t B = att.size(0), T = att.size(1), S = att.size(2);
  Tensor g = Tensor::zeros(Shape{B, T, S});
  float* p = g.data<float>();
  int64_t rows = 0;
  for (int64_t b = 0; b < B && b < static_cast<int64_t>(gold.size()); ++b)
    for (int64_t t = 0; t < T && t < static_cast<int64_t>(gold[b].size()); ++t) {
      const auto& links = gold[b][t];
      if (links.empty()) continue;
      ++rows;
      for (int j : links)
        if (j >= 0 && j < S) p[(b * T + t) * S + j] = 1.f / static_cast<float>(links.size());
    }
  if (rows == 0) return ops::scale(ops::sum(att), 0.0);
  // The small floor keeps log finite where attention underflows (it only changes such rows).
  const Tensor ce = ops::sum(ops::mul(g.to(att.dtype()), ops::log(ops::add_scalar(att, 1e-6))));
  return ops::scale(ce, -1.0 / static_cast<double>(rows));
}

}  // namespace attnscope::attention
