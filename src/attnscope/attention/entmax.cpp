// 1.5-entmax forward and backward (see entmax.h for the formulas).
#include "attnscope/attention/entmax.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "attnscope/attention/op_registry.h"
#include "attnscope/attention/score_rows.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/core/parallel.h"

namespace attnscope::attention {
const autograd::OpDef kOp_entmax15{"entmax15"};

namespace {

template <class T>
void entmax15_forward_rows(const T* x, T* p, int64_t rows, int64_t n) {
  parallel_for(0, rows, std::max<int64_t>(1, 2048 / std::max<int64_t>(n, 1)), [&](int64_t lo, int64_t hi) {
    std::vector<T> z;
    for (int64_t r = lo; r < hi; ++r) {
      const T* xr = x + r * n;
      T* pr = p + r * n;
      std::fill(pr, pr + n, T(0));
      z.clear();
      T zmax = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < n; ++j)
        if (std::isfinite(xr[j])) { z.push_back(xr[j] / 2); zmax = std::max(zmax, xr[j] / 2); }
      if (z.empty()) continue;
      for (T& v : z) v -= zmax;  // shift invariance; keeps the cumulative sums small
      std::sort(z.begin(), z.end(), std::greater<T>());
      T cum = 0, cum_sq = 0, tau_star = 0;
      for (size_t k = 0; k < z.size(); ++k) {
        cum += z[k];
        cum_sq += z[k] * z[k];
        const T kk = static_cast<T>(k + 1), mean = cum / kk;
        const T ss = cum_sq - kk * mean * mean;  // sum (z_j - mean)^2 over the first k
        const T delta = std::max(T(0), (T(1) - ss) / kk);
        const T tau = mean - std::sqrt(delta);
        if (tau <= z[k]) tau_star = tau;
        else break;  // tau_k <= z_(k) holds exactly for k <= k* (the support is a prefix)
      }
      for (int64_t j = 0; j < n; ++j)
        if (std::isfinite(xr[j])) {
          const T d = std::max(xr[j] / 2 - zmax - tau_star, T(0));
          pr[j] = d * d;
        }
    }
  });
}

template <class T>
void entmax15_backward_rows(const T* p, const T* dp, T* dx, int64_t rows, int64_t n) {
  parallel_for(0, rows, std::max<int64_t>(1, 2048 / std::max<int64_t>(n, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const T* pr = p + r * n;
      const T* gr = dp + r * n;
      T* dr = dx + r * n;
      T su = 0, sg = 0;
      for (int64_t j = 0; j < n; ++j) {
        const T g = std::sqrt(pr[j]);
        dr[j] = g * gr[j];
        su += dr[j];
        sg += g;
      }
      const T q = sg > 0 ? su / sg : T(0);
      for (int64_t j = 0; j < n; ++j) dr[j] -= q * std::sqrt(pr[j]);
    }
  });
}

}  // namespace

Tensor entmax15(const Tensor& x, const Tensor& mask) {
  Tensor z = detail::masked_scores(x, mask, "entmax15");
  const int64_t n = x.shape().back(), rows = n ? x.numel() / n : 0;
  Tensor p = Tensor::empty(x.shape(), x.dtype());
  dispatch_dtype(x.dtype(), [&]<class T>() { entmax15_forward_rows<T>(z.data<T>(), p.data<T>(), rows, n); });
  autograd::record(kOp_entmax15, {x}, p, [pd = p.detach(), rows, n](const Tensor& g) {
    Tensor gc = g.contiguous();
    Tensor dx = Tensor::empty(pd.shape(), pd.dtype());
    dispatch_dtype(pd.dtype(), [&]<class T>() {
      entmax15_backward_rows<T>(pd.data<T>(), gc.data<T>(), dx.data<T>(), rows, n);
    });
    return std::vector<Tensor>{dx};
  });
  return p;
}

}  // namespace attnscope::attention
