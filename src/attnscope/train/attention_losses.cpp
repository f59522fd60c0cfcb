#include "attnscope/train/attention_losses.h"

#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::train {
namespace {

// The small floor keeps log finite where attention underflows (it only changes such rows).
constexpr double kFloor = 1e-6;


}  // namespace

Tensor attention_entropy_loss(const Tensor& att, const std::vector<bool>& keep) {
  ATTNSCOPE_CHECK(att.ndim() == 3, ShapeError, "attention entropy: attention must be [batch, queries, keys]");
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
  const Tensor weights = Tensor::from(std::span<const double>(w), Shape{B, T, S}).to(att.dtype());
  const Tensor a_log_a = ops::mul(att, ops::log(ops::add_scalar(att, kFloor)));
  return ops::scale(ops::sum(ops::mul(weights, a_log_a)), -1.0 / static_cast<double>(rows));
}

}  // namespace attnscope::train
