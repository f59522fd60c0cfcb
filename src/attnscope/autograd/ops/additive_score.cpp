// Additive (Bahdanau) attention scores with the tanh fused in (kernels/rows.h additive_score):
//   e[b, t, n] = sum_a v[a] h,  h = tanh(pq[b, t, a] + pk[b, n, a])
//   g = de[b, t, n] v[a] (1 - h^2):  dpq[b, t] = sum_n g,  dpk[b, n] = sum_t g,  dv = sum de h
// As add + tanh + matmul this stored two [B, T, N, A] tensors and passed over them five times
// (a captioner's 256 cells: 2 MB each, per word). The backward recomputes h.
// Forward splits the (b, t) queries over threads; backward splits b (a b's keys gradient has one
// writer) with dv summed per b, then over b in order: deterministic for any thread count.
#include <vector>

#include "attnscope/autograd/graph.h"
#include "attnscope/autograd/ops.h"
#include "attnscope/autograd/ops/elementwise.h"
#include "attnscope/autograd/ops/rows.h"
#include "attnscope/core/error.h"

namespace attnscope::autograd {
const OpDef kOp_additive_score{"additive_score"};
}

namespace attnscope::ops {

Tensor additive_score(const Tensor& pq, const Tensor& pk, const Tensor& v) {
  if (!pq.defined() || !pk.defined() || !v.defined() || pq.ndim() != 3 || pk.ndim() != 3 ||
      pq.shape()[0] != pk.shape()[0] || pq.shape()[2] != pk.shape()[2] || v.numel() != pq.shape()[2])
    throw ShapeError("additive_score: expected pq [B, T, A], pk [B, N, A] and v with A elements, got " + pq.str() +
                     ", " + pk.str() + ", " + v.str());
  detail::check_same_dtype(pq, pk, "additive_score");
  detail::check_same_dtype(pq, v, "additive_score");
  const int64_t B = pq.shape()[0], T = pq.shape()[1], N = pk.shape()[1], A = pq.shape()[2];
  const Tensor qc = pq.contiguous(), kc = pk.contiguous(), vc = v.contiguous();
  Tensor e = Tensor::empty(Shape{B, T, N}, pq.dtype());
  dispatch_dtype(pq.dtype(), [&]<class T_>() {
    const auto& k = kernels::row_kernels_for<T_>();
    const T_ *q = qc.data<T_>(), *keys = kc.data<T_>(), *pv = vc.data<T_>();
    T_* pe = e.data<T_>();
    detail::for_rows(B * T, N * A, [&](int64_t r) {
      k.additive_score(q + r * A, keys + (r / T) * N * A, pv, pe + r * N, N, A);
    });
  });
  autograd::record(autograd::kOp_additive_score, {pq, pk, v}, e,
                   [qc = qc.detach(), kc = kc.detach(), vc = vc.detach(), B, T, N, A](const Tensor& de) {
                     const Tensor dec = de.contiguous();
                     Tensor dq = Tensor::empty(qc.shape(), qc.dtype());
                     Tensor dk = Tensor::zeros(kc.shape(), kc.dtype());
                     Tensor dv = Tensor::empty(vc.shape(), vc.dtype());
                     dispatch_dtype(qc.dtype(), [&]<class T_>() {
                       const auto& k = kernels::row_kernels_for<T_>();
                       const T_ *q = qc.data<T_>(), *keys = kc.data<T_>(), *pv = vc.data<T_>(), *pde = dec.data<T_>();
                       T_ *pdq = dq.data<T_>(), *pdk = dk.data<T_>();
                       std::vector<T_> dv_b(static_cast<size_t>(B * A), T_(0));
                       detail::for_rows(B, T * N * A, [&](int64_t b) {
                         for (int64_t t = 0; t < T; ++t) {
                           const int64_t r = b * T + t;
                           k.additive_score_backward(q + r * A, keys + b * N * A, pv, pde + r * N, pdq + r * A,
                                                     pdk + b * N * A, dv_b.data() + b * A, N, A);
                         }
                       });
                       T_* pdv = dv.data<T_>();
                       for (int64_t a = 0; a < A; ++a) {
                         T_ s = 0;
                         for (int64_t b = 0; b < B; ++b) s += dv_b[b * A + a];
                         pdv[a] = s;
                       }
                     });
                     return std::vector<Tensor>{dq, dk, dv};
                   });
  return e;
}

}  // namespace attnscope::ops
