#include "attnscope/attention/supervision.h"

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

#include <span>

namespace attnscope::attention {

Tensor supervision_loss(const Tensor& att, const std::vector<std::vector<GoldRow>>& gold) {
  if (att.ndim() != 3) throw ShapeError("attention supervision: attention must be [B, T, N], got " + att.shape().str());
  const int64_t B = att.size(0), T = att.size(1), N = att.size(2);
  std::vector<double> p(static_cast<size_t>(B * T * N), 0.0);
  int64_t rows = 0;
  for (int64_t b = 0; b < B && b < static_cast<int64_t>(gold.size()); ++b)
    for (int64_t t = 0; t < T && t < static_cast<int64_t>(gold[b].size()); ++t) {
      double total = 0;
      for (const auto& [j, w] : gold[b][t])
        if (j >= 0 && j < N && w > 0) total += w;
      if (total <= 0) continue;
      ++rows;
      for (const auto& [j, w] : gold[b][t])
        if (j >= 0 && j < N && w > 0) p[(b * T + t) * N + j] += w / total;
    }
  if (rows == 0) return ops::scale(ops::sum(att), 0.0);
  // The small floor keeps log finite where attention underflows (it only changes such rows).
  Tensor g = Tensor::from(std::span<const double>(p), Shape{B, T, N});
  if (att.dtype() == DType::f32) g = Tensor::from(std::span<const float>(std::vector<float>(p.begin(), p.end())), Shape{B, T, N});
  const Tensor ce = ops::sum(ops::mul(g, ops::log(ops::add_scalar(att, 1e-6))));
  return ops::scale(ce, -1.0 / static_cast<double>(rows));
}

Tensor attention_supervision_loss(const Tensor& att, const AttentionGold& gold) {
  std::vector<std::vector<GoldRow>> rows(gold.size());
  for (size_t b = 0; b < gold.size(); ++b)
    for (const auto& links : gold[b]) {
      GoldRow row;
      for (int j : links) row.emplace_back(j, 1.0);
      rows[b].push_back(std::move(row));
    }
  return supervision_loss(att, rows);
}

}  // namespace attnscope::attention
