#include "attnscope/train/attention_losses.h"

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::train {
namespace {

// The small floor keeps log finite where attention underflows (it only changes such rows).
constexpr double kFloor = 1e-6;

// Sum over the rows selected by `weights` ([B, T, S] constants) of weights * a * log a, or
// weights * log a, scaled by `scale`.
Tensor weighted_log_sum(const Tensor& att, const Tensor& weights, bool times_att, double scale) {
  const Tensor log_a = ops::log(ops::add_scalar(att, kFloor));
  return ops::scale(ops::sum(ops::mul(weights, times_att ? ops::mul(att, log_a) : log_a)), scale);
}

void check_rows(const Tensor& att) {
  ATTNSCOPE_CHECK(att.ndim() == 3, ShapeError, "attention loss: attention must be [batch, queries, keys]");
}

}  // namespace

Tensor attention_supervision_loss(const Tensor& att, const GoldRows& gold) {
  check_rows(att);
  const int64_t B = att.size(0), T = att.size(1), S = att.size(2);
  std::vector<double> g(static_cast<size_t>(B * T * S), 0.0);
  int64_t rows = 0;
  for (int64_t b = 0; b < B && b < static_cast<int64_t>(gold.size()); ++b)
    for (int64_t t = 0; t < T && t < static_cast<int64_t>(gold[b].size()); ++t) {
      const auto& links = gold[b][t];
      if (links.empty()) continue;
      ++rows;
      for (int j : links)
        if (j >= 0 && j < S) g[(b * T + t) * S + j] = 1.0 / static_cast<double>(links.size());
    }
  if (rows == 0) return ops::scale(ops::sum(att), 0.0);
  const Tensor w = Tensor::from(std::span<const double>(g), Shape{B, T, S}).to(att.dtype());
  return weighted_log_sum(att, w, false, -1.0 / static_cast<double>(rows));
}

Tensor attention_entropy_loss(const Tensor& att, const std::vector<bool>& keep) {
  check_rows(att);
  const int64_t B = att.size(0), T = att.size(1), S = att.size(2);
  ATTNSCOPE_CHECK(keep.empty() || static_cast<int64_t>(keep.size()) == B * T, ShapeError,
                  "attention entropy: one keep flag per (example, query)");
  std::vector<double> w(static_cast<size_t>(B * T * S), 0.0);
  int64_t rows = 0;
  for (int64_t r = 0; r < B * T; ++r) {
    if (!keep.empty() && !keep[static_cast<size_t>(r)]) continue;
    ++rows;
    std::fill(w.begin() + r * S, w.begin() + (r + 1) * S, 1.0);
  }
  if (rows == 0) return ops::scale(ops::sum(att), 0.0);
  return weighted_log_sum(att, Tensor::from(std::span<const double>(w), Shape{B, T, S}).to(att.dtype()), true,
                          -1.0 / static_cast<double>(rows));
}

}  // namespace attnscope::train
