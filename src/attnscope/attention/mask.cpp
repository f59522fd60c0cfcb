#include "attnscope/attention/mask.h"

#include <limits>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/core/error.h"

namespace attnscope::attention {

void AttentionMask::validate(const char* op, int64_t B, int64_t NH, int64_t T, int64_t N) const {
  const std::string where = std::string(op) + ": ";
  if (window < 0) throw ShapeError(where + "window must be >= 0, got " + std::to_string(window));
  if (!key_lengths.empty()) {
    if (static_cast<int64_t>(key_lengths.size()) != B)
      throw ShapeError(where + std::to_string(key_lengths.size()) + " key lengths for batch " + std::to_string(B));
    for (size_t b = 0; b < key_lengths.size(); ++b)
      if (key_lengths[b] < 0 || key_lengths[b] > N)
        throw ShapeError(where + "key length " + std::to_string(key_lengths[b]) + " of batch item " +
                         std::to_string(b) + " outside [0, N = " + std::to_string(N) + "]");
  }
  if (additive.defined()) {
    const Shape full{B, NH, T, N};
    bool ok = additive.ndim() <= 4;
    if (ok) {
      const int pad = 4 - additive.ndim();
      for (int d = 0; d < additive.ndim(); ++d)
        ok = ok && (additive.shape()[d] == 1 || additive.shape()[d] == full[d + pad]);
    }
    if (!ok) throw ShapeError(where + "mask " + additive.str() + " does not broadcast to scores " + full.str() + " [B, NH, T, N]");
  }
}

bool AttentionMask::visible(int64_t b, int64_t i, int64_t j, int64_t T, int64_t N) const {
  const int64_t pos = i + (N - T);
  if (!key_lengths.empty() && j >= key_lengths[b]) return false;
  if (causal && j > pos) return false;
  if (window > 0 && j <= pos - window) return false;
  return true;
}

Tensor AttentionMask::to_additive(int64_t B, int64_t T, int64_t N, DType dtype) const {
  if (empty()) return {};
  Tensor m;
  if (has_structure()) {
    m = Tensor::zeros(Shape{key_lengths.empty() ? 1 : B, 1, T, N}, dtype);
    dispatch_dtype(dtype, [&]<class V>() {
      V* p = m.data<V>();
      const int64_t mb = m.size(0);
      for (int64_t b = 0; b < mb; ++b)
        for (int64_t i = 0; i < T; ++i)
          for (int64_t j = 0; j < N; ++j)
            if (!visible(b, i, j, T, N)) p[(b * T + i) * N + j] = -std::numeric_limits<V>::infinity();
    });
  }
  if (additive.defined()) {
    autograd::NoGrad ng;
    Tensor a = additive.dtype() == dtype ? additive : additive.to(dtype);
    m = m.defined() ? ops::add(m, a) : a;
  }
  return m;
}

Tensor keep_to_additive(const Tensor& keep) {
  Tensor out = Tensor::zeros(keep.shape(), keep.dtype());
  const std::vector<double> k = keep.to_vector_f64();
  dispatch_dtype(keep.dtype(), [&]<class V>() {
    V* p = out.data<V>();
    for (size_t i = 0; i < k.size(); ++i)
      if (k[i] == 0) p[i] = -std::numeric_limits<V>::infinity();
  });
  return out;
}

}  // namespace attnscope::attention
