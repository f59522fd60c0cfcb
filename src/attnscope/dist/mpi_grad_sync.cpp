#include "attnscope/dist/mpi_grad_sync.h"

#include <algorithm>

#include "attnscope/core/error.h"

namespace attnscope::dist {

double MpiGradSync::all_reduce(const std::vector<Tensor>& grads, double loss, double units) {
  if (world_.size() == 1) return loss;
  size_t n = 0;
  for (const Tensor& g : grads) n += static_cast<size_t>(g.numel());
  // Every rank must send the same layout: a parameter without a gradient on one rank only (a
  // module its shard did not use) would shift every value after it. Σ n_r = K·n and
  // Σ n_r² = K·n² hold together only when every rank has n values.
  double layout[2] = {static_cast<double>(n), static_cast<double>(n) * static_cast<double>(n)};
  world_.sum(layout);
  const double K = world_.size(), N = static_cast<double>(n);
  if (layout[0] != K * N || layout[1] != K * N * N)
    throw ValueError("data-parallel replicas disagree on which parameters have gradients (" + std::to_string(n) +
                     " values on rank " + std::to_string(world_.rank()) + ")");
  // Σ_r units_r · g_r and Σ_r units_r · loss_r, Σ_r units_r in one message (double: the sum of K
  // float gradients loses nothing before the division).
  flat_.resize(n + 2);
  size_t at = 0;
  for (const Tensor& g : grads) {
    if (g.dtype() != DType::f32 || !g.is_contiguous()) throw ValueError("data-parallel gradients must be contiguous f32");
    const float* p = g.data<float>();
    for (int64_t i = 0; i < g.numel(); ++i) flat_[at++] = units * p[i];
  }
  flat_[at] = units * loss;
  flat_[at + 1] = units;
  world_.sum(flat_);
  const double total = flat_[n + 1];
  at = 0;
  for (const Tensor& g : grads) {
    float* p = Tensor(g).data<float>();
    for (int64_t i = 0; i < g.numel(); ++i) p[i] = static_cast<float>(flat_[at++] / total);
  }
  return flat_[n] / total;
}

}  // namespace attnscope::dist
