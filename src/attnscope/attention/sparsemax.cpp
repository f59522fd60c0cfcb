// sparsemax forward and backward (see sparsemax.h for the formulas).
#include "attnscope/attention/sparsemax.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "attnscope/attention/op_registry.h"
#include "attnscope/attention/score_rows.h"
#include "attnscope/autograd/graph.h"
#include "attnscope/core/parallel.h"

namespace attnscope::attention {
const autograd::OpDef kOp_sparsemax{"sparsemax"};

namespace {

template <class T>
void sparsemax_forward_rows(const T* z, T* p, int64_t rows, int64_t n) {
  parallel_for(0, rows, std::max<int64_t>(1, 2048 / std::max<int64_t>(n, 1)), [&](int64_t lo, int64_t hi) {
    std::vector<T> sorted;
    for (int64_t r = lo; r < hi; ++r) {
      const T* zr = z + r * n;
      T* pr = p + r * n;
      sorted.clear();
      for (int64_t j = 0; j < n; ++j)
        if (std::isfinite(zr[j])) sorted.push_back(zr[j]);  // -inf keys are excluded
      std::fill(pr, pr + n, T(0));
      if (sorted.empty()) continue;
      std::sort(sorted.begin(), sorted.end(), std::greater<T>());
      T cum = 0, tau = 0;
      for (size_t k = 0; k < sorted.size(); ++k) {
        cum += sorted[k];
        const T t = (cum - T(1)) / static_cast<T>(k + 1);
        if (sorted[k] > t) tau = t;  // 1 + k z_(k) > cumsum  <=>  z_(k) > (cumsum - 1) / k
        else break;
      }
      for (int64_t j = 0; j < n; ++j)
        if (std::isfinite(zr[j])) pr[j] = std::max(zr[j] - tau, T(0));
    }
  });
}

template <class T>
void sparsemax_backward_rows(const T* p, const T* dp, T* dz, int64_t rows, int64_t n) {
  parallel_for(0, rows, std::max<int64_t>(1, 2048 / std::max<int64_t>(n, 1)), [&](int64_t lo, int64_t hi) {
    for (int64_t r = lo; r < hi; ++r) {
      const T* pr = p + r * n;
      const T* gr = dp + r * n;
      T sum = 0;
      int64_t support = 0;
      for (int64_t j = 0; j < n; ++j)
        if (pr[j] > 0) { sum += gr[j]; ++support; }
      const T mean = support ? sum / static_cast<T>(support) : T(0);
      for (int64_t j = 0; j < n; ++j) dz[r * n + j] = pr[j] > 0 ? gr[j] - mean : T(0);
    }
  });
}

}  // namespace

Tensor sparsemax(const Tensor& x, const Tensor& mask) {
  Tensor z = detail::masked_scores(x, mask, "sparsemax");
  const int64_t n = x.shape().back(), rows = n ? x.numel() / n : 0;
  Tensor p = Tensor::empty(x.shape(), x.dtype());
  dispatch_dtype(x.dtype(), [&]<class T>() { sparsemax_forward_rows<T>(z.data<T>(), p.data<T>(), rows, n); });
  autograd::record(kOp_sparsemax, {x}, p, [pd = p.detach(), rows, n](const Tensor& g) {
    Tensor gc = g.contiguous();
    Tensor dz = Tensor::empty(pd.shape(), pd.dtype());
    dispatch_dtype(pd.dtype(), [&]<class T>() {
      sparsemax_backward_rows<T>(pd.data<T>(), gc.data<T>(), dz.data<T>(), rows, n);
    });
    return std::vector<Tensor>{dz};
  });
  return p;
}

}  // namespace attnscope::attention
