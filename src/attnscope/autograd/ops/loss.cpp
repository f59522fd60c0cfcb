// Losses (scalar outputs).
//   cross_entropy, fused with log_softmax, per row with target t and smoothing eps over V classes:
//     loss_r = lse - (1-eps) x_t - eps mean_j x_j      (= -(1-eps) logp_t - eps/V sum_j logp_j)
//     L = sum over kept rows / count;  dx_rj = dL/count * (softmax_j - (1-eps)[j == t] - eps/V)
//   Saved: logits and lse [rows] (the softmax is recomputed in backward, not stored).
//   mse: L = mean((a - b)^2);  da = 2 (a - b) dL / n,  db = -da
#include <cmath>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/autograd/ops/rows.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_cross_entropy{"cross_entropy"};
const OpDef kOp_mse{"mse"};
}  // namespace attnscope::autograd

namespace attnscope::ops {

Tensor cross_entropy(const Tensor& logits, const std::vector<int64_t>& targets, int64_t ignore_index,
                     double label_smoothing) {
  if (!logits.defined() || logits.ndim() == 0 || logits.shape().back() == 0)
    throw ShapeError("cross_entropy: expected logits [..., V] with V > 0, got " + logits.str());
  const int64_t V = logits.shape().back(), rows = logits.numel() / V;
  if (static_cast<int64_t>(targets.size()) != rows)
    throw ShapeError("cross_entropy: " + std::to_string(targets.size()) + " targets for " +
                     std::to_string(rows) + " rows of logits " + logits.str());
  if (!(label_smoothing >= 0.0 && label_smoothing <= 1.0))
    throw ValueError("cross_entropy: label_smoothing must be in [0, 1], got " +
                     std::to_string(label_smoothing));
  int64_t count = 0;
  for (size_t r = 0; r < targets.size(); ++r) {
    if (targets[r] == ignore_index) continue;
    if (targets[r] < 0 || targets[r] >= V)
      throw ValueError("cross_entropy: target " + std::to_string(targets[r]) + " at row " +
                       std::to_string(r) + " is out of range [0, " + std::to_string(V) +
                       ") (ignore_index " + std::to_string(ignore_index) + ")");
    ++count;
  }
  const Tensor xc = logits.contiguous();
  Tensor lse = Tensor::empty(Shape{rows}, logits.dtype());
  Tensor loss = Tensor::empty(Shape{}, logits.dtype());
  const double eps = label_smoothing;
  dispatch_dtype(logits.dtype(), [&]<class T>() {
    const auto& k = kernels::row_kernels_for<T>();
    const T* px = xc.data<T>();
    T* pl = lse.data<T>();
    std::vector<double> row_loss(rows, 0.0);
    detail::for_rows(rows, V, [&](int64_t r) {
      if (targets[r] == ignore_index) return;
      const T* x = px + r * V;
      pl[r] = k.logsumexp(x, V);
      double l = static_cast<double>(pl[r]) - (1.0 - eps) * static_cast<double>(x[targets[r]]);
      if (eps > 0) l -= eps * static_cast<double>(k.sum(x, V)) / static_cast<double>(V);
      row_loss[r] = l;
    });
    double total = 0;  // serial, in row order: deterministic
    for (double l : row_loss) total += l;
    loss.data<T>()[0] = static_cast<T>(count ? total / static_cast<double>(count) : 0.0);
  });
  autograd::record(autograd::kOp_cross_entropy, {logits}, loss,
                   [xc = xc.detach(), lse, targets, ignore_index, eps, count, rows, V](const Tensor& g) {
                     Tensor dx = Tensor::empty(xc.shape(), xc.dtype());
                     dispatch_dtype(xc.dtype(), [&]<class T>() {
                       const auto& k = kernels::row_kernels_for<T>();
                       const double scale = count ? g.item() / static_cast<double>(count) : 0.0;
                       const T c = static_cast<T>(scale);
                       const T b = static_cast<T>(-scale * eps / static_cast<double>(V));
                       const T* px = xc.data<T>();
                       const T* pl = lse.data<T>();
                       T* pd = dx.data<T>();
                       detail::for_rows(rows, V, [&](int64_t r) {
                         T* d = pd + r * V;
                         if (targets[r] == ignore_index) {
                           std::fill(d, d + V, T(0));
                           return;
                         }
                         k.exp_affine(px + r * V, pl[r], c, b, d, V);
                         d[targets[r]] -= static_cast<T>(scale * (1.0 - eps));
                       });
                     });
                     return std::vector<Tensor>{dx};
                   });
  return loss;
}

Tensor mse(const Tensor& a, const Tensor& b) {
  detail::check_same_dtype(a, b, "mse");
  if (!(a.shape() == b.shape()))
    throw ShapeError("mse: shapes differ: " + a.str() + " and " + b.str());
  if (a.numel() == 0) throw ShapeError("mse: empty input " + a.str());
  const Tensor ac = a.contiguous(), bc = b.contiguous();
  const int64_t n = a.numel();
  Tensor loss = Tensor::empty(Shape{}, a.dtype());
  dispatch_dtype(a.dtype(), [&]<class T>() {
    const T *pa = ac.data<T>(), *pb = bc.data<T>();
    // Per-block partial sums in double, combined in block order.
    const int64_t blocks = detail::row_blocks(n, 16384);
    std::vector<double> part(blocks, 0.0);
    detail::for_blocks(n, blocks, [&](int64_t blk, int64_t i0, int64_t i1) {
      double s = 0;
      for (int64_t i = i0; i < i1; ++i) {
        const double d = static_cast<double>(pa[i]) - static_cast<double>(pb[i]);
        s += d * d;
      }
      part[blk] = s;
    });
    double total = 0;
    for (double s : part) total += s;
    loss.data<T>()[0] = static_cast<T>(total / static_cast<double>(n));
  });
  const bool ga = a.requires_grad(), gb = b.requires_grad();
  autograd::record(autograd::kOp_mse, {a, b}, loss, [ac = ac.detach(), bc = bc.detach(), n, ga, gb](const Tensor& g) {
    Tensor da = Tensor::empty(ac.shape(), ac.dtype());
    dispatch_dtype(ac.dtype(), [&]<class T>() {
      const T s = static_cast<T>(2.0 * g.item() / static_cast<double>(n));
      const T *pa = ac.data<T>(), *pb = bc.data<T>();
      T* pd = da.data<T>();
      parallel_for(0, n, 32768, [&](int64_t i0, int64_t i1) {
        for (int64_t i = i0; i < i1; ++i) pd[i] = s * (pa[i] - pb[i]);
      });
    });
    Tensor db;
    if (gb) db = neg(da);
    return std::vector<Tensor>{ga ? da : Tensor(), db};
  });
  return loss;
}

}  // namespace attnscope::ops
